#pragma once
// The `micro` command line tool: one function per command. Each returns the process exit code.

#include <string>
#include <vector>

#include "micro/client.hpp"

namespace micro::cli {

/// micro call SERVICE ENDPOINT [JSON] [-m key=value ...] [--content_type T]
int call(micro::client& client, const std::vector<std::string>& args);

/// micro health SERVICE: one line per node; non-zero exit if any node is not ok.
int health(micro::client& client, const std::vector<std::string>& args);

/// Prints an error as go-micro's JSON on stderr; returns the exit code to use.
int fail(const micro::error& err);

}  // namespace micro::cli
