#include "codegen/names.hpp"

#include <set>

namespace micro::codegen {

bool is_reserved_cpp_name(const std::string& name) {
  static const std::set<std::string> reserved = {
    // keywords (C++20) and alternative tokens
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case",
    "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const",
    "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await", "co_return",
    "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast", "else", "enum",
    "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int",
    "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
    "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires", "return",
    "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch",
    "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
    "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
    // macros of the C and C++ standard headers, and of GCC on Linux
    "NULL", "EOF", "assert", "errno", "offsetof", "setjmp", "va_arg", "va_start", "va_end",
    "stdin", "stdout", "stderr", "linux", "unix", "major", "minor", "TRUE", "FALSE"};
  return reserved.count(name) > 0;
}

std::string package_to_namespace(const std::string& package) {
  std::string out;
  for (char c : package) {
    if (c == '.')
      out += "::";
    else
      out += c;
  }
  return out;
}

}  // namespace micro::codegen
