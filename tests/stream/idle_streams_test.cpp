// Idle open streams cost the server no thread each when its endpoint is asynchronous
// (handle_stream_async): 10,000 streams open at once on Stream.Wait, then the server's thread
// count is read from /proc. The blocking endpoints (a thread per stream) are checked the other
// way round with fewer streams, so the test shows the difference is real.
#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>

#include "stream_helpers.hpp"

using namespace micro::test;

namespace {

long threads_of(pid_t pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0)
      return std::stol(line.substr(8));
  return -1;
}

bool async_server() {
  const char* v = std::getenv("TEST_STREAM_ASYNC");
  return v != nullptr && std::string{v} == "1";
}

}  // namespace

TEST_CASE("open idle streams hold a thread each only with blocking endpoints", "[stream][threads]") {
  const bool async = async_server();
  const int streams = async ? 10000 : 300;
  auto server = start_stream_server("idle", {{"MICRO_SERVER_MAX_STREAMS", "100000"}, {"TEST_STREAM_EVENTS", "0"}});
  auto client = make_client(server);
  auto before = threads_of(server.proc->pid());
  REQUIRE(before > 0);

  std::vector<micro::raw_stream> open;
  open.reserve(streams);
  for (int i = 0; i < streams; ++i) {
    auto s = client->stream_raw({}, "idle", "Stream.Wait");
    INFO("stream " << i << ": " << (s ? "" : s.error().to_json()));
    REQUIRE(s.ok());
    open.push_back(std::move(*s));
  }
  REQUIRE(eventually([&] { return server_stats(*client, "idle").value("streams_open", -1) == streams; }));
  auto during = threads_of(server.proc->pid());
  INFO(streams << " streams open: server threads " << before << " -> " << during);
  if (async)
    CHECK(during - before < 16);  // no thread per stream: the pool and CAF's own, unchanged
  else
    CHECK(during - before >= streams);  // one per stream

  for (auto& s : open)
    CHECK(s.finish().ok());
  CHECK(eventually([&] { return server_stats(*client, "idle").value("streams_open", -1) == 0; }));
}
