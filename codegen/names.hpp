#pragma once
// C++ names the generator must not produce: keywords, and macros every toolchain defines.

#include <string>

namespace micro::codegen {

/// True for a C++20 keyword or alternative token ("delete", "and"), or a name that standard
/// headers define as a macro ("NULL", "assert", "errno").
bool is_reserved_cpp_name(const std::string& name);

/// "a.b.c" -> "a::b::c".
std::string package_to_namespace(const std::string& package);

}  // namespace micro::codegen
