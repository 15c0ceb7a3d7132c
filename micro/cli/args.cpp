#include "micro/cli/args.hpp"

namespace micro::cli {

result<bool> take_metadata(const std::vector<std::string>& args, std::size_t& i, micro::metadata& out) {
  const auto& arg = args[i];
  if (arg != "-m" && arg != "--metadata")
    return false;
  if (i + 1 == args.size())
    return errors::bad_request(cli_error_id, arg + " needs key=value");
  const auto& pair = args[++i];
  auto eq = pair.find('=');
  if (eq == std::string::npos || eq == 0)
    return errors::bad_request(cli_error_id, "metadata \"" + pair + "\" is not key=value");
  out[pair.substr(0, eq)] = pair.substr(eq + 1);
  return true;
}

result<bool> take_value(const std::vector<std::string>& args, std::size_t& i, const std::string& flag, std::string& out) {
  const auto& arg = args[i];
  if (arg.size() > flag.size() && arg.compare(0, flag.size(), flag) == 0 && arg[flag.size()] == '=') {
    out = arg.substr(flag.size() + 1);
    return true;
  }
  if (arg != flag)
    return false;
  if (i + 1 == args.size())
    return errors::bad_request(cli_error_id, flag + " needs a value");
  out = args[++i];
  return true;
}

}  // namespace micro::cli
