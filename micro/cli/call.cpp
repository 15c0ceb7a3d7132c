#include <iostream>

#include "micro/cli/commands.hpp"

namespace micro::cli {

namespace {

constexpr const char* cli_error_id = "micro.cli";

}  // namespace

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
    if (arg == "-m" || arg == "--metadata") {
      if (i + 1 == args.size())
        return fail(errors::bad_request(cli_error_id, arg + " needs key=value"));
      const auto& pair = args[++i];
      auto eq = pair.find('=');
      if (eq == std::string::npos || eq == 0)
        return fail(errors::bad_request(cli_error_id, "metadata \"" + pair + "\" is not key=value"));
      opts.metadata[pair.substr(0, eq)] = pair.substr(eq + 1);
    } else if (arg == "-v" || arg == "--verbose") {
      verbose = true;
    } else if (arg.rfind("--content_type=", 0) == 0) {
      content_type = arg.substr(15);
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() < 2 || positional.size() > 3)
    return fail(errors::bad_request(cli_error_id, "usage: micro call SERVICE ENDPOINT [JSON] [-m key=value ...] [-v]"));
  raw_message req;
  req.content_type = content_type;
  req.accept = "application/json";
  req.body = positional.size() == 3 ? positional[2] : "{}";
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
