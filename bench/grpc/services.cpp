#include "bench/grpc/services.hpp"

#include <cstdint>

namespace bench::grpc_peer {
namespace {

using micro_bench::Count;
using micro_bench::Msg;

class sync_unary_service final : public micro_bench::Unary::Service {
  grpc::Status Echo(grpc::ServerContext*, const Msg* req, Msg* rsp) override {
    rsp->set_body(req->body());
    return grpc::Status::OK;
  }
};

class callback_unary_service final : public micro_bench::Unary::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const Msg* req, Msg* rsp) override {
    rsp->set_body(req->body());
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class sync_streams_service final : public micro_bench::Streams::Service {
  grpc::Status Echo(grpc::ServerContext*, grpc::ServerReaderWriter<Msg, Msg>* stream) override {
    Msg m;
    while (stream->Read(&m))
      if (!stream->Write(m))
        break;
    return grpc::Status::OK;
  }
  grpc::Status Sink(grpc::ServerContext*, grpc::ServerReaderWriter<Count, Msg>* stream) override {
    Msg m;
    Count c;
    while (stream->Read(&m))
      c.set_messages(c.messages() + 1);
    stream->Write(c);
    return grpc::Status::OK;
  }
};

// One read, then its write, then the next read: a callback reactor allows one of each at a time.
class echo_reactor final : public grpc::ServerBidiReactor<Msg, Msg> {
 public:
  echo_reactor() { StartRead(&msg_); }

 private:
  void OnReadDone(bool ok) override {
    if (ok)
      StartWrite(&msg_);
    else
      Finish(grpc::Status::OK);
  }
  void OnWriteDone(bool ok) override {
    if (ok)
      StartRead(&msg_);
    else
      Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

  Msg msg_;
};

class sink_reactor final : public grpc::ServerBidiReactor<Msg, Count> {
 public:
  sink_reactor() { StartRead(&msg_); }

 private:
  void OnReadDone(bool ok) override {
    if (ok) {
      count_.set_messages(count_.messages() + 1);
      StartRead(&msg_);
    } else {
      StartWriteAndFinish(&count_, grpc::WriteOptions{}, grpc::Status::OK);
    }
  }
  void OnDone() override { delete this; }

  Msg msg_;
  Count count_;
};

class callback_streams_service final : public micro_bench::Streams::CallbackService {
  grpc::ServerBidiReactor<Msg, Msg>* Echo(grpc::CallbackServerContext*) override { return new echo_reactor; }
  grpc::ServerBidiReactor<Msg, Count>* Sink(grpc::CallbackServerContext*) override { return new sink_reactor; }
};

}  // namespace

std::unique_ptr<micro_bench::Unary::Service> sync_unary() { return std::make_unique<sync_unary_service>(); }
std::unique_ptr<micro_bench::Unary::CallbackService> callback_unary() {
  return std::make_unique<callback_unary_service>();
}
std::unique_ptr<micro_bench::Streams::Service> sync_streams() { return std::make_unique<sync_streams_service>(); }
std::unique_ptr<micro_bench::Streams::CallbackService> callback_streams() {
  return std::make_unique<callback_streams_service>();
}

}  // namespace bench::grpc_peer
