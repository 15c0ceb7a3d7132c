// <base>.micro.cc: the client methods and the Register function, compiled once.
#include "codegen/emit.hpp"

namespace micro::codegen {

namespace {

std::string client_bodies(const service& svc, const rpc& r) {
  auto v = rpc_vars(svc, r);
  switch (r.kind) {
    case rpc_kind::unary:
      return fill(
        "::micro::result<$Rsp$> $S$Client::$M$(const $Req$& req, const ::micro::call_options& opts) {\n"
        "  return micro_client_->call<$Rsp$>(::micro::context{}, micro_service_, \"$E$\", req, opts);\n"
        "}\n"
        "\n"
        "::micro::result<$Rsp$> $S$Client::$M$(const ::micro::context& parent, const $Req$& req,\n"
        "    const ::micro::call_options& opts) {\n"
        "  return micro_client_->call<$Rsp$>(parent, micro_service_, \"$E$\", req, opts);\n"
        "}\n",
        v);
    case rpc_kind::server_streaming:
      return fill(
        "::micro::result<::micro::client_stream<$Req$, $Rsp$>> $S$Client::$M$(const $Req$& req,\n"
        "    const ::micro::stream_options& opts) {\n"
        "  return $M$(::micro::context{}, req, opts);\n"
        "}\n"
        "\n"
        "::micro::result<::micro::client_stream<$Req$, $Rsp$>> $S$Client::$M$(const ::micro::context& parent,\n"
        "    const $Req$& req, const ::micro::stream_options& opts) {\n"
        "  auto opened = micro_client_->stream<$Req$, $Rsp$>(parent, micro_service_, \"$E$\", opts);\n"
        "  if (!opened)\n"
        "    return opened;\n"
        "  if (auto sent = opened->send(req); !sent)\n"
        "    return sent.error();\n"
        "  if (auto closed = opened->close_send(); !closed)\n"
        "    return closed.error();\n"
        "  return opened;\n"
        "}\n",
        v);
    case rpc_kind::client_streaming:
    case rpc_kind::bidi_streaming:
      return fill(
        "::micro::result<::micro::client_stream<$Req$, $Rsp$>> $S$Client::$M$(const ::micro::stream_options& opts) {\n"
        "  return micro_client_->stream<$Req$, $Rsp$>(::micro::context{}, micro_service_, \"$E$\", opts);\n"
        "}\n"
        "\n"
        "::micro::result<::micro::client_stream<$Req$, $Rsp$>> $S$Client::$M$(const ::micro::context& parent,\n"
        "    const ::micro::stream_options& opts) {\n"
        "  return micro_client_->stream<$Req$, $Rsp$>(parent, micro_service_, \"$E$\", opts);\n"
        "}\n",
        v);
  }
  return {};
}

std::string registration(const service& svc, const rpc& r) {
  auto v = rpc_vars(svc, r);
  switch (r.kind) {
    case rpc_kind::unary:
      return fill(
        "  srv.handle(\"$E$\",\n"
        "      [&impl](const ::micro::context& ctx, const $Req$& req, $Rsp$& rsp) { impl.$M$(ctx, req, rsp); },\n"
        "      options_of(\"$M$\"));\n",
        v);
    case rpc_kind::server_streaming:
      return fill(
        "  srv.handle_stream(\"$E$\",\n"
        "      [&impl](const ::micro::context& ctx, ::micro::server_stream<$Req$, $Rsp$>& stream) -> ::micro::status {\n"
        "        $Req$ req;\n"
        "        if (!stream.recv(req)) {\n"
        "          if (auto ended = stream.final_status(); !ended)\n"
        "            return ended;\n"
        "          return ::micro::errors::bad_request(\"$S$\", \"$E$ needs one request before the client half-closes\");\n"
        "        }\n"
        "        impl.$M$(ctx, req, stream);\n"
        "        return {};\n"
        "      });\n",
        v);
    case rpc_kind::client_streaming:
      return fill(
        "  srv.handle_stream(\"$E$\",\n"
        "      [&impl](const ::micro::context& ctx, ::micro::server_stream<$Req$, $Rsp$>& stream) -> ::micro::status {\n"
        "        $Rsp$ rsp;\n"
        "        impl.$M$(ctx, stream, rsp);\n"
        "        return stream.send(rsp);\n"
        "      });\n",
        v);
    case rpc_kind::bidi_streaming:
      return fill(
        "  srv.handle_stream(\"$E$\",\n"
        "      [&impl](const ::micro::context& ctx, ::micro::server_stream<$Req$, $Rsp$>& stream) {\n"
        "        impl.$M$(ctx, stream);\n"
        "      });\n",
        v);
  }
  return {};
}

std::string service_text(const service& svc) {
  vars v{{"S", svc.name}};
  std::string out = fill(
    "$S$Client::$S$Client(::micro::client& client, ::std::string service)\n"
    "    : micro_client_(&client), micro_service_(::std::move(service)) {}\n",
    v);
  std::string unary_list;   // "\"Get\", \"Put\"": the set's initialiser
  std::string unary_names;  // "Get, Put": for the error message
  for (const auto& r : svc.rpcs) {
    out += "\n" + client_bodies(svc, r);
    if (r.kind != rpc_kind::unary)
      continue;
    unary_list += (unary_list.empty() ? "\"" : ", \"") + r.name + "\"";
    unary_names += (unary_names.empty() ? "" : ", ") + r.name;
  }
  v["unary_list"] = unary_list;
  v["unary_names"] = unary_names.empty() ? "none" : unary_names;
  out += fill(
    "\n"
    "void Register$S$Handler(::micro::server& srv, $S$Handler& impl,\n"
    "    const ::std::map<::std::string, ::micro::endpoint_options>& options) {\n"
    "  static const ::std::set<::std::string> unary_rpcs = {$unary_list$};\n"
    "  for (const auto& entry : options)\n"
    "    if (unary_rpcs.count(entry.first) == 0)\n"
    "      throw ::micro::errors::bad_request(\"$S$\", \"Register$S$Handler: \" + entry.first +\n"
    "          \" is no unary rpc of $S$ (unary rpcs: $unary_names$)\");\n"
    "  auto options_of = [&options](const char* rpc) {\n"
    "    auto found = options.find(rpc);\n"
    "    return found == options.end() ? ::micro::endpoint_options{} : found->second;\n"
    "  };\n"
    "  (void)options_of;  // unused without unary rpcs, like srv and impl without rpcs\n"
    "  (void)srv;\n"
    "  (void)impl;\n",
    v);
  for (const auto& r : svc.rpcs)
    out += registration(svc, r);
  out += "}\n";
  return out;
}

}  // namespace

std::string source_text(const file_model& file) {
  vars v{{"proto", file.proto}, {"base", file.base}};
  std::string out = fill(
    "// Generated by protoc-gen-micro from $proto$. DO NOT EDIT.\n"
    "#include \"$base$.micro.h\"\n"
    "\n"
    "#include <set>\n"
    "#include <utility>\n"
    "\n",
    v);
  std::string services;
  for (const auto& svc : file.services)
    services += "\n" + service_text(svc);
  return out + in_namespace(file, std::move(services));
}

}  // namespace micro::codegen
