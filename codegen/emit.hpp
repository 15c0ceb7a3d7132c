#pragma once
// The three generated files of one .proto: <base>.micro.h (typed clients, handler interfaces,
// their registration), <base>.micro.cc (their bodies), <base>.micro.actor.h (the same for CAF
// actors: asynchronous clients and actor handlers; header-only, so that only code that
// includes it pays for CAF).

#include <string>

#include "codegen/model.hpp"
#include "codegen/text.hpp"

namespace micro::codegen {

std::string header_text(const file_model& file);
std::string source_text(const file_model& file);
std::string actor_header_text(const file_model& file);

/// The services' texts (each starting with a blank line) inside the file's namespace; without a
/// package, at the top level without that first blank line (the includes end with one).
std::string in_namespace(const file_model& file, std::string services);

/// Variables every template of an rpc uses: $S$ service, $M$ rpc, $E$ endpoint, $Req$, $Rsp$.
vars rpc_vars(const service& svc, const rpc& r);

}  // namespace micro::codegen
