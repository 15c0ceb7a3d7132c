// micro publish TOPIC JSON [-m key=value ...]: one JSON publication, accepted by every node that
// subscribes to TOPIC (or by none, when nobody subscribes), else a coded error.
#include <iostream>

#include "micro/cli/args.hpp"
#include "micro/cli/commands.hpp"
#include "micro/cli/json_text.hpp"

namespace micro::cli {

namespace {

constexpr const char* usage = "usage: micro publish TOPIC JSON [-m key=value ...]";

}  // namespace

int publish(micro::client& client, const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  raw_message msg;
  msg.content_type = "application/json";
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto metadata = take_metadata(args, i, msg.metadata);
    if (!metadata)
      return fail(metadata.error());
    if (*metadata)
      continue;
    if (args[i].rfind("--", 0) == 0)
      return fail(errors::bad_request(cli_error_id, "unknown flag \"" + args[i] + "\"; " + usage));
    positional.push_back(args[i]);
  }
  if (positional.size() != 2)
    return fail(errors::bad_request(cli_error_id, usage));
  const auto& topic = positional[0];
  if (topic.empty())
    return fail(errors::bad_request(cli_error_id, "cannot publish to an empty topic; " + std::string{usage}));
  if (auto why = json_error(positional[1]))
    return fail(errors::bad_request(cli_error_id, "the body of a publication on " + topic + " is not valid JSON: " + *why));
  msg.body = positional[1];
  // Acknowledged: exit 0 means every subscribing node accepted it (async would exit first).
  if (auto st = client.publish_raw(topic, msg, publish_options{}.with_mode(delivery::acknowledged)); !st)
    return fail(st.error());
  return 0;
}

}  // namespace micro::cli
