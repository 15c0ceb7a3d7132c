// <base>.micro.h: per service, a client class and a handler interface with its Register function.
#include "codegen/emit.hpp"

namespace micro::codegen {

namespace {

std::string client_method(const service& svc, const rpc& r) {
  auto v = rpc_vars(svc, r);
  std::string out = comment_block(r.comments, "  ");
  switch (r.kind) {
    case rpc_kind::unary:
      out += fill(
        "  /// $E$: blocks until the answer or an error (micro::client::call).\n"
        "  ::micro::result<$Rsp$> $M$(const $Req$& req, const ::micro::call_options& opts = {});\n"
        "  /// The same on behalf of `parent` (a handler's context): its deadline and metadata carry over.\n"
        "  ::micro::result<$Rsp$> $M$(const ::micro::context& parent, const $Req$& req,\n"
        "      const ::micro::call_options& opts = {});\n",
        v);
      break;
    case rpc_kind::server_streaming:
      out += fill(
        "  /// $E$ (server streaming): opens the stream, sends `req` and half-closes; read the\n"
        "  /// answers with recv() until it returns false, then final_status() says why it ended.\n"
        "  ::micro::result<::micro::client_stream<$Req$, $Rsp$>> $M$(const $Req$& req,\n"
        "      const ::micro::stream_options& opts = {});\n"
        "  ::micro::result<::micro::client_stream<$Req$, $Rsp$>> $M$(const ::micro::context& parent,\n"
        "      const $Req$& req, const ::micro::stream_options& opts = {});\n",
        v);
      break;
    case rpc_kind::client_streaming:
      out += fill(
        "  /// $E$ (client streaming): send() the requests, then close_send() and recv() the one answer.\n"
        "  ::micro::result<::micro::client_stream<$Req$, $Rsp$>> $M$(const ::micro::stream_options& opts = {});\n"
        "  ::micro::result<::micro::client_stream<$Req$, $Rsp$>> $M$(const ::micro::context& parent,\n"
        "      const ::micro::stream_options& opts = {});\n",
        v);
      break;
    case rpc_kind::bidi_streaming:
      out += fill(
        "  /// $E$ (bidirectional streaming): send() and recv() in any order; finish() half-closes\n"
        "  /// and returns the server's final status.\n"
        "  ::micro::result<::micro::client_stream<$Req$, $Rsp$>> $M$(const ::micro::stream_options& opts = {});\n"
        "  ::micro::result<::micro::client_stream<$Req$, $Rsp$>> $M$(const ::micro::context& parent,\n"
        "      const ::micro::stream_options& opts = {});\n",
        v);
      break;
  }
  return out;
}

std::string handler_method(const service& svc, const rpc& r) {
  auto v = rpc_vars(svc, r);
  std::string out = comment_block(r.comments, "  ");
  switch (r.kind) {
    case rpc_kind::unary:
      out += fill("  virtual void $M$(const ::micro::context& ctx, const $Req$& req, $Rsp$& rsp) = 0;\n", v);
      break;
    case rpc_kind::server_streaming:
      out += fill(
        "  /// Gets the client's one request; send() the answers (returning ends the stream with ok).\n"
        "  virtual void $M$(const ::micro::context& ctx, const $Req$& req,\n"
        "      ::micro::server_stream<$Req$, $Rsp$>& stream) = 0;\n",
        v);
      break;
    case rpc_kind::client_streaming:
      out += fill(
        "  /// recv() the requests until it returns false (the client half-closed), then fill `rsp`:\n"
        "  /// it is sent as the one answer when this returns.\n"
        "  virtual void $M$(const ::micro::context& ctx, ::micro::server_stream<$Req$, $Rsp$>& stream,\n"
        "      $Rsp$& rsp) = 0;\n",
        v);
      break;
    case rpc_kind::bidi_streaming:
      out += fill(
        "  /// recv() and send() in any order; returning ends the stream with ok.\n"
        "  virtual void $M$(const ::micro::context& ctx, ::micro::server_stream<$Req$, $Rsp$>& stream) = 0;\n",
        v);
      break;
  }
  return out;
}

std::string service_text(const service& svc) {
  vars v{{"S", svc.name}};
  std::string out = comment_block(svc.comments, "");
  out += fill(
    "/// The typed client of service $S$: one method per rpc, calling endpoints \"$S$.<rpc>\" of the\n"
    "/// service registered under the name given to the constructor.\n"
    "class $S$Client {\n"
    " public:\n"
    "  /// Calls the service registered as `service` through `client`, which must outlive this object.\n"
    "  $S$Client(::micro::client& client, ::std::string service);\n",
    v);
  for (const auto& r : svc.rpcs)
    out += "\n" + client_method(svc, r);
  out += fill(
    "\n"
    " private:\n"
    "  ::micro::client* micro_client_;\n"
    "  ::std::string micro_service_;\n"
    "};\n"
    "\n",
    v);
  out += comment_block(svc.comments, "");
  out += fill(
    "/// What implements service $S$: one virtual per rpc, run on a worker thread (streams on a\n"
    "/// thread each). Throw a micro::error to answer with its code; any other exception is a 500.\n"
    "class $S$Handler {\n"
    " public:\n"
    "  virtual ~$S$Handler() = default;\n",
    v);
  for (const auto& r : svc.rpcs)
    out += "\n" + handler_method(svc, r);
  out += fill(
    "};\n"
    "\n"
    "/// Serves every rpc of $S$ on `srv` with `impl` (which must outlive the service), as endpoints\n"
    "/// \"$S$.<rpc>\" advertised with their request and response types. `options` sets endpoint\n"
    "/// options per unary rpc, by rpc name: {{\"Get\", micro::endpoint_options{}.with_idempotent()}};\n"
    "/// a name that is no unary rpc of $S$ throws micro::error 400.\n"
    "void Register$S$Handler(::micro::server& srv, $S$Handler& impl,\n"
    "    const ::std::map<::std::string, ::micro::endpoint_options>& options = {});\n",
    v);
  return out;
}

}  // namespace

std::string header_text(const file_model& file) {
  vars v{{"proto", file.proto}, {"base", file.base}};
  std::string out = fill(
    "// Generated by protoc-gen-micro from $proto$. DO NOT EDIT.\n"
    "// Typed micro clients and handlers for its services; the messages are in $base$.pb.h.\n"
    "#pragma once\n"
    "\n"
    "#include <map>\n"
    "#include <string>\n"
    "\n"
    "#include \"$base$.pb.h\"\n"
    "#include \"micro/client.hpp\"\n"
    "#include \"micro/server.hpp\"\n"
    "\n",
    v);
  std::string services;
  for (const auto& svc : file.services)
    services += "\n" + service_text(svc);
  return out + in_namespace(file, std::move(services));
}

}  // namespace micro::codegen
