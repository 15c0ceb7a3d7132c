#pragma once
// The test implementations of acme.micro.v1's services, through the generated handler
// interfaces: what the server process serves and what the in-process tests register.

#include "acme/micro/v1/shapes.micro.h"
#include "top.micro.h"

namespace codegen_test {

namespace v1 = acme::micro::v1;

struct shapes_impl final : v1::ShapesHandler {
  void Double(const micro::context&, const v1::Number& req, v1::Number& rsp) override { rsp.set_value(2 * req.value()); }

  void Count(const micro::context&, const v1::Number& req, micro::server_stream<v1::Number, v1::Number>& s) override {
    v1::Number out;
    for (int64_t i = 1; i <= req.value(); ++i) {
      out.set_value(i);
      if (!s.send(out))
        return;
    }
  }

  void Add(const micro::context&, micro::server_stream<v1::Number, v1::Sum>& s, v1::Sum& rsp) override {
    v1::Number in;
    while (s.recv(in)) {
      rsp.set_total(rsp.total() + in.value());
      rsp.set_count(rsp.count() + 1);
    }
  }

  void Echo(const micro::context&, micro::server_stream<v1::Outer_Inner, v1::Outer_Inner>& s) override {
    v1::Outer_Inner in;
    while (s.recv(in))
      if (!s.send(in))
        return;
  }

  void call(const micro::context& ctx, const v1::Client& req, v1::Client& rsp) override {
    rsp.set_name("called " + req.name() + (ctx.get("x-who") ? " by " + *ctx.get("x-who") : std::string{}));
  }

  void stream(const micro::context&, const google::protobuf::Empty&, micro::server_stream<google::protobuf::Empty, v1::Client>& s) override {
    v1::Client out;
    for (const char* name : {"a", "b"}) {
      out.set_name(name);
      if (!s.send(out))
        return;
    }
  }

  void Fail(const micro::context&, const v1::Number& req, google::protobuf::Empty&) override {
    throw micro::make_error("shapes", static_cast<int32_t>(req.value()), "failed as asked");
  }

  void Sum(const micro::context&, const v1::Number& req, v1::Sum& rsp) override {
    rsp.set_total(req.value());
    rsp.set_count(1);
  }
};

struct admin_impl final : v1::AdminHandler {
  void Ping(const micro::context&, const google::protobuf::Empty&, google::protobuf::Empty&) override {}
};

struct idle_impl final : v1::IdleHandler {};

struct top_impl final : TopHandler {
  void Say(const micro::context&, const TopRequest& req, TopRequest& rsp) override { rsp.set_text("top: " + req.text()); }
};

}  // namespace codegen_test
