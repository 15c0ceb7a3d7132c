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

/// "greeter" -> "namespace greeter {\n", "" for no namespace; and the matching close.
std::string open_namespace(const file_model& file);
std::string close_namespace(const file_model& file);

/// Variables every template of an rpc uses: $S$ service, $M$ rpc, $E$ endpoint, $Req$, $Rsp$.
vars rpc_vars(const service& svc, const rpc& r);

}  // namespace micro::codegen
