#include <iostream>

#include "micro/cli/args.hpp"
#include "micro/cli/commands.hpp"
#include "micro/trace.hpp"

namespace micro::cli {

int fail(const micro::error& err) {
  std::cerr << err.to_json() << "\n";
  return 1;
}

int call(micro::client& client, const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  call_options opts;
  std::string content_type = "application/json";
  bool verbose = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    auto metadata = take_metadata(args, i, opts.metadata);
    if (!metadata)
      return fail(metadata.error());
    if (*metadata)
      continue;
    if (arg == "-v" || arg == "--verbose") {
      verbose = true;
    } else if (arg == "--idempotent") {
      opts.with_idempotent();  // safe to run twice: retried even if its node died mid-call
    } else if (arg.rfind("--content_type=", 0) == 0) {
      content_type = arg.substr(15);
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() < 2 || positional.size() > 3)
    return fail(errors::bad_request(cli_error_id, "usage: micro call SERVICE ENDPOINT [JSON] [-m key=value ...] [--idempotent] [-v]"));
  raw_message req;
  req.content_type = content_type;
  req.accept = "application/json";
  req.body = positional.size() == 3 ? positional[2] : "{}";
  // The CLI is the edge: it starts the trace (unless -m traceparent=... continues one), so -v
  // can name it even when the call fails.
  auto trace = ensure_trace(opts.metadata);
  if (verbose)
    std::cerr << "> traceparent: " << trace << "\n";
  auto rsp = client.call_raw(context{}, positional[0], positional[1], req, opts);
  if (!rsp)
    return fail(rsp.error());
  if (verbose)
    for (auto& [key, value] : rsp->metadata)
      std::cerr << key << ": " << value << "\n";
  std::cout << rsp->body << "\n";
  return 0;
}

}  // namespace micro::cli
