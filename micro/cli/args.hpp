#pragma once
// Argument handling shared by the CLI's commands.

#include <cstddef>
#include <string>
#include <vector>

#include "micro/context.hpp"
#include "micro/result.hpp"

namespace micro::cli {

/// The id of the errors the CLI itself reports (bad arguments).
inline constexpr const char* cli_error_id = "micro.cli";

/// If args[i] is "-m" or "--metadata", takes the "key=value" after it into `out`, leaves `i` on
/// that pair and returns true; returns false for any other argument. A missing pair, or one
/// without '=' or with an empty key, is a 400.
result<bool> take_metadata(const std::vector<std::string>& args, std::size_t& i, micro::metadata& out);

/// If args[i] is `flag` ("--window") followed by a value, or `flag` "=value", takes the value into
/// `out`, leaves `i` on the last argument taken and returns true; returns false for any other
/// argument. A flag without its value is a 400.
result<bool> take_value(const std::vector<std::string>& args, std::size_t& i, const std::string& flag, std::string& out);

}  // namespace micro::cli
