// micro stream SERVICE ENDPOINT [-m key=value ...] [--timeout DURATION] [--window N]: each JSON
// line of stdin goes out on one stream (application/json), each message received is printed as
// one JSON line as it arrives; the end of stdin half-closes, the server's final status decides
// the exit code.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>

#include "micro/cli/args.hpp"
#include "micro/cli/commands.hpp"
#include "micro/cli/json_text.hpp"

namespace micro::cli {

namespace {

constexpr const char* usage =
  "usage: micro stream SERVICE ENDPOINT [-m key=value ...] [--timeout DURATION] [--window N]";

struct stream_request {
  std::string service;
  std::string endpoint;
  stream_options opts;
};

status set_timeout(stream_options& opts, const std::string& text) {
  auto d = parse_duration(text);
  if (!d)
    return errors::bad_request(cli_error_id, "--timeout " + text + ": " + d.error().detail);
  opts.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  if (opts.timeout.count() < 1)
    return errors::bad_request(cli_error_id, "--timeout " + text + ": must be at least 1ms");
  return {};
}

status set_window(stream_options& opts, const std::string& text) {
  // The same bounds as MICRO_STREAM_WINDOW.
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos
      || std::stoul(text) < 1 || std::stoul(text) > 65536)
    return errors::bad_request(cli_error_id, "--window " + text + ": expected a count from 1 to 65536");
  opts.window = static_cast<uint32_t>(std::stoul(text));
  return {};
}

result<stream_request> parse(const std::vector<std::string>& args) {
  using setter = status (*)(stream_options&, const std::string&);
  const std::pair<const char*, setter> flags[] = {{"--timeout", set_timeout}, {"--window", set_window}};
  stream_request out;
  out.opts.content_type = out.opts.accept = "application/json";
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto metadata = take_metadata(args, i, out.opts.metadata);
    if (!metadata)
      return metadata.error();
    bool taken = *metadata;
    for (auto& [flag, set] : flags) {
      std::string value;
      auto got = taken ? result<bool>{false} : take_value(args, i, flag, value);
      if (!got)
        return got.error();
      if (*got)
        if (auto st = set(out.opts, value); !st)
          return st.error();
      taken = taken || *got;
    }
    if (!taken && args[i].rfind("--", 0) == 0)
      return errors::bad_request(cli_error_id, "unknown flag \"" + args[i] + "\"; " + usage);
    if (!taken)
      positional.push_back(args[i]);
  }
  if (positional.size() != 2)
    return errors::bad_request(cli_error_id, usage);
  out.service = positional[0];
  out.endpoint = positional[1];
  return out;
}

// Sends one line of stdin: true to go on, false once the stream has ended (its final status
// says why), or the CLI's own error for a line that is not JSON.
result<bool> send_line(raw_stream& s, std::string line, std::size_t number) {
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  if (line.find_first_not_of(" \t") == std::string::npos)
    return true;  // blank lines are skipped (but counted)
  if (auto why = json_error(line)) {
    if (auto at = why->find(" at line 1, column"); at != std::string::npos)
      why->erase(at + 4, 8);  // "at column N": the line number that matters is stdin's
    return errors::bad_request(cli_error_id, "line " + std::to_string(number) + " of stdin is not valid JSON: " + *why);
  }
  return s.send(std::move(line)).ok();
}

// Sends stdin's lines until its end (then half-closes) or until the stream ends, which the
// receiving thread reports on `ended_fd`: stdin may stay open, so a blocking read would hang.
// Returns the CLI's own error, if any.
std::optional<error> send_lines(raw_stream& s, int ended_fd) {
  std::string pending;
  std::size_t number = 0;
  char buf[65536];
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {ended_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return errors::internal_server_error(cli_error_id, std::string{"poll: "} + std::strerror(errno));
    }
    if (fds[1].revents != 0)
      return std::nullopt;
    auto n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n < 0)
      return errors::bad_request(cli_error_id, std::string{"cannot read stdin: "} + std::strerror(errno));
    if (n == 0)
      break;
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n', start)) {
      auto sent = send_line(s, pending.substr(start, nl - start), ++number);
      if (!sent)
        return sent.error();
      if (!*sent)
        return std::nullopt;
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty())  // a last line without '\n'
    if (auto sent = send_line(s, std::move(pending), ++number); !sent)
      return sent.error();
  s.close_send();
  return std::nullopt;
}

}  // namespace

int stream(micro::client& client, const std::vector<std::string>& args) {
  auto req = parse(args);
  if (!req)
    return fail(req.error());
  auto s = client.stream_raw(context{}, req->service, req->endpoint, req->opts);
  if (!s)
    return fail(s.error());
  int ended[2];
  if (::pipe2(ended, O_CLOEXEC) != 0)
    return fail(errors::internal_server_error(cli_error_id, std::string{"pipe: "} + std::strerror(errno)));
  // Receiving on a thread of its own, so a server stream prints while stdin is still open.
  std::thread receiver{[&s, wake = ended[1]] {
    std::string body;
    while (s->recv(body))
      std::cout << as_json(body) << "\n" << std::flush;
    char byte = 1;
    [[maybe_unused]] auto ignored = ::write(wake, &byte, 1);
  }};
  auto own = send_lines(*s, ended[0]);
  if (own)
    s->cancel(own->detail, own->code);  // the server sees why; recv() returns false
  receiver.join();
  ::close(ended[0]);
  ::close(ended[1]);
  if (own)
    return fail(*own);
  if (auto st = s->final_status(); !st)
    return fail(st.error());
  return 0;
}

}  // namespace micro::cli
