// micro-stream-test-client: the far side for tests where the CLIENT process dies mid-stream.
//
//   micro-stream-test-client SERVICE=HOST:PORT ENDPOINT N
//
// Opens ENDPOINT of SERVICE (static registry; an echoing endpoint such as Stream.Echo), sends N
// messages and reads their N echoes (so the server has them all), prints "streaming" on stdout,
// then waits for the stream's end (the test kills it first) and prints "ended CODE".
#include <iostream>
#include <string>

#include "micro/micro.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: micro-stream-test-client SERVICE=HOST:PORT ENDPOINT N\n";
    return 2;
  }
  std::string entry = argv[1];
  auto service = entry.substr(0, entry.find('='));
  micro::options opts;
  if (auto st = micro::apply_environment(opts); !st) {
    std::cerr << st.error().to_json() << "\n";
    return 2;
  }
  opts.with_registry("static", entry);
  micro::client client{opts};
  auto s = client.stream_raw({}, service, argv[2]);
  if (!s) {
    std::cerr << s.error().to_json() << "\n";
    return 1;
  }
  for (long i = 0, n = std::stol(argv[3]); i < n; ++i)
    if (auto st = s->send("m" + std::to_string(i)); !st) {
      std::cerr << st.error().to_json() << "\n";
      return 1;
    }
  std::string body;
  for (long i = 0, n = std::stol(argv[3]); i < n; ++i)
    if (!s->recv(body)) {
      std::cerr << s->final_status().error().to_json() << "\n";
      return 1;
    }
  std::cout << "streaming" << std::endl;
  while (s->recv(body)) {
  }
  auto st = s->final_status();
  std::cout << "ended " << (st ? 0 : st.error().code) << std::endl;
  return 0;
}
