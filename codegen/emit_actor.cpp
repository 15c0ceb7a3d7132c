// <base>.micro.actor.h: the actor API of the services (micro/actor_api.hpp): typed clients that
// never block their actor, and actors as handlers with typed messages. Header-only: only TUs that
// include it compile CAF.
#include "codegen/emit.hpp"

namespace micro::codegen {

namespace {

// A macro name unique per C++ type: letters and digits as they are, "_" as "_u", "::" as "_n",
// "<" as "_l", ">" as "_r", anything else as "_x" (so two types never share a name).
std::string guard_for(const std::string& type) {
  std::string out = "MICRO_CODEGEN_LOCAL_TYPE_";
  for (std::size_t i = 0; i < type.size(); ++i) {
    char c = type[i];
    if (type.compare(i, 2, "::") == 0) {
      out += "_n";
      ++i;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += c;
    } else {
      out += c == '_' ? "_u" : c == '<' ? "_l" : c == '>' ? "_r" : "_x";
    }
  }
  return out;
}

// Once per TU, whichever generated header comes first: CAF 0.17 accepts a type in a local
// message only when it is inspectable or declared safe to pass by copy in-process.
std::string local_type(const std::string& type) {
  auto guard = guard_for(type);
  return "#ifndef " + guard + "\n#define " + guard + "\nCAF_ALLOW_UNSAFE_MESSAGE_TYPE(" + type + ")\n#endif\n";
}

// Adapts an actor answering (Tag, context, Req) with micro::result<Rsp> to the endpoint actor
// protocol (actors::request -> actors::response). Emitted once per TU under a guard.
const char* const adapter =
  "#ifndef MICRO_CODEGEN_ACTOR_ADAPTER\n"
  "#define MICRO_CODEGEN_ACTOR_ADAPTER\n"
  "namespace micro::generated {\n"
  "\n"
  "/// Serves `endpoint` with `impl`, whose behaviour answers (Tag, const micro::context&, const Req&)\n"
  "/// with micro::result<Rsp>: an adapter actor decodes each request, asks `impl` within the call's\n"
  "/// time left, and encodes the answer in the content type the caller accepts. The adapter ends\n"
  "/// when `impl` does (calls then get 500).\n"
  "template <class Tag, class Req, class Rsp>\n"
  "void serve_with_actor(::micro::server& srv, const ::std::string& endpoint, ::caf::actor impl) {\n"
  "  auto adapter = impl.home_system().spawn([impl](::caf::event_based_actor* self) -> ::caf::behavior {\n"
  "    self->monitor(impl);\n"
  "    self->set_down_handler([self](::caf::down_msg&) { self->quit(); });\n"
  "    return {[self, impl](::micro::actors::request& in) -> ::caf::result<::micro::actors::response> {\n"
  "      auto req = ::micro::decode_request<Req>(in);\n"
  "      if (!req)\n"
  "        return ::micro::actors::make_error_response(req.error().code, req.error().id, req.error().detail);\n"
  "      auto left = ::std::chrono::nanoseconds{in.timeout_ns > 0 ? in.timeout_ns : 0};\n"
  "      auto deadline = in.timeout_ns > 0 ? ::micro::context::clock::now() + left\n"
  "                                        : ::micro::context::clock::time_point::max();\n"
  "      ::micro::context ctx{in.service, in.endpoint, in.metadata, deadline};\n"
  "      auto promise = self->make_response_promise<::micro::actors::response>();\n"
  "      auto wait = in.timeout_ns > 0 ? ::caf::duration{left} : ::caf::duration{::std::chrono::seconds{30}};\n"
  "      self->request(impl, wait, Tag{}, ctx, ::std::move(*req))\n"
  "        .then(\n"
  "          [promise, in](::micro::result<Rsp>& out) mutable {\n"
  "            if (out)\n"
  "              promise.deliver(::micro::make_response(in, *out));\n"
  "            else\n"
  "              promise.deliver(::micro::actors::make_error_response(out.error().code, out.error().id,\n"
  "                                                                   out.error().detail));\n"
  "          },\n"
  "          [promise, self, endpoint = in.endpoint](::caf::error& err) mutable {\n"
  "            auto code = err == ::caf::sec::request_timeout ? 408 : 500;\n"
  "            promise.deliver(::micro::actors::make_error_response(code, \"micro.server\",\n"
  "                \"actor handler of \" + endpoint + \" failed: \" + self->system().render(err)));\n"
  "          });\n"
  "      return promise;\n"
  "    }};\n"
  "  });\n"
  "  ::micro::handle_with_actor(srv, ::micro::detail::typed_endpoint<Req, Rsp>(endpoint), adapter);\n"
  "}\n"
  "\n"
  "/// Stream options with Req's and Rsp's codecs where `opts` names none (as micro::client::stream).\n"
  "template <class Req, class Rsp>\n"
  "::micro::stream_options typed_stream_options(const ::micro::client& client, ::micro::stream_options opts) {\n"
  "  if (opts.content_type.empty())\n"
  "    opts.content_type = !client.opts().content_type.empty()\n"
  "                            ? client.opts().content_type\n"
  "                            : ::std::string{::micro::codecs::default_content_type<Req>()};\n"
  "  if (opts.accept.empty())\n"
  "    opts.accept = ::std::string{::micro::codecs::default_content_type<Rsp>()};\n"
  "  return opts;\n"
  "}\n"
  "\n"
  "}  // namespace micro::generated\n"
  "#endif\n";

std::string async_method(const service& svc, const rpc& r) {
  auto v = rpc_vars(svc, r);
  std::string out = comment_block(r.comments, "  ");
  if (r.kind == rpc_kind::unary)
    return out + fill(
      "  /// $E$ without blocking the actor: `on_result(micro::result<$Rsp$>)` runs inside it later.\n"
      "  template <class F>\n"
      "  void $M$(const $Req$& req, F on_result, const ::micro::call_options& opts = {}) {\n"
      "    $M$(::micro::context{}, req, ::std::move(on_result), opts);\n"
      "  }\n"
      "  template <class F>\n"
      "  void $M$(const ::micro::context& parent, const $Req$& req, F on_result,\n"
      "      const ::micro::call_options& opts = {}) {\n"
      "    ::micro::call_async<$Rsp$>(micro_self_, *micro_client_, parent, micro_service_, \"$E$\", req,\n"
      "                               ::std::move(on_result), opts);\n"
      "  }\n",
      v);
  return out + fill(
    "  /// Opens $E$ (a stream) for the actor: its events arrive as micro::stream_event messages;\n"
    "  /// send $Req$ with try_send_message, decode $Rsp$ with micro::decode_stream_message.\n"
    "  ::micro::async_stream $M$(const ::micro::stream_options& opts = {}) {\n"
    "    return $M$(::micro::context{}, opts);\n"
    "  }\n"
    "  ::micro::async_stream $M$(const ::micro::context& parent, const ::micro::stream_options& opts = {}) {\n"
    "    return ::micro::open_stream_async(micro_self_, *micro_client_, parent, micro_service_, \"$E$\",\n"
    "        ::micro::generated::typed_stream_options<$Req$, $Rsp$>(*micro_client_, opts));\n"
    "  }\n",
    v);
}

std::string service_text(const service& svc) {
  vars v{{"S", svc.name}};
  std::string out = comment_block(svc.comments, "");
  out += fill(
    "/// The client of service $S$ for code inside a CAF actor: nothing here blocks `self`.\n"
    "class $S$AsyncClient {\n"
    " public:\n"
    "  $S$AsyncClient(::caf::event_based_actor* self, ::micro::client& client, ::std::string service)\n"
    "      : micro_self_(self), micro_client_(&client), micro_service_(::std::move(service)) {}\n",
    v);
  for (const auto& r : svc.rpcs)
    out += "\n" + async_method(svc, r);
  out += fill(
    "\n"
    " private:\n"
    "  ::caf::event_based_actor* micro_self_;\n"
    "  ::micro::client* micro_client_;\n"
    "  ::std::string micro_service_;\n"
    "};\n"
    "\n"
    "/// Message tags of $S$'s unary rpcs, for an actor that serves them (Register$S$ActorHandler).\n"
    "struct $S$Rpc {\n",
    v);
  std::string handles;
  std::string registrations;
  for (const auto& r : svc.rpcs) {
    if (r.kind != rpc_kind::unary)
      continue;
    auto w = rpc_vars(svc, r);
    out += fill(
      "  struct $M$ {\n"
      "    template <class MicroInspector>\n"
      "    friend typename MicroInspector::result_type inspect(MicroInspector& micro_f, $M$&) {\n"
      "      return micro_f(::caf::meta::type_name(\"$E$\"));\n"
      "    }\n"
      "  };\n",
      w);
    handles += fill("///   []($S$Rpc::$M$, const micro::context&, const $Req$&) -> micro::result<$Rsp$>\n", w);
    registrations += fill("  ::micro::generated::serve_with_actor<$S$Rpc::$M$, $Req$, $Rsp$>(srv, \"$E$\", impl);\n", w);
  }
  out += "};\n\n";
  out += fill(
    "/// Serves the unary rpcs of $S$ with the actor `impl`: its behaviour handles, per rpc,\n", v);
  out += handles.empty() ? fill("///   (none: $S$ has no unary rpcs)\n", v) : handles;
  out += fill(
    "/// answering at once or later through a response promise; a micro::error in the result is the\n"
    "/// caller's answer. It runs on the actor, never on a worker thread. Streaming rpcs are not served\n"
    "/// this way: register them with Register$S$Handler or micro::server::handle_stream_async.\n"
    "inline void Register$S$ActorHandler(::micro::server& srv, const ::caf::actor& impl) {\n",
    v);
  out += registrations.empty() ? "  (void)srv;\n  (void)impl;\n" : registrations;
  out += "}\n";
  return out;
}

}  // namespace

std::string actor_header_text(const file_model& file) {
  vars v{{"proto", file.proto}, {"base", file.base}};
  std::string out = fill(
    "// Generated by protoc-gen-micro from $proto$. DO NOT EDIT.\n"
    "// The actor API of its services (micro/actor_api.hpp, which includes CAF): asynchronous typed\n"
    "// clients for code inside actors, and actors as handlers with typed messages.\n"
    "#pragma once\n"
    "\n"
    "#include <chrono>\n"
    "#include <string>\n"
    "#include <utility>\n"
    "\n"
    "#include \"$base$.micro.h\"\n"
    "#include \"micro/actor_api.hpp\"\n"
    "\n"
    "// In-process messages between the adapter and a handler actor (never serialized).\n",
    v);
  out += local_type("::micro::context");
  for (const auto& t : file.message_types) {
    out += local_type(t);
    out += local_type("::micro::result<" + t + ">");
  }
  out += "\n";
  out += adapter;
  out += "\n";
  std::string services;
  for (const auto& svc : file.services)
    services += "\n" + service_text(svc);
  return out + in_namespace(file, std::move(services));
}

}  // namespace micro::codegen
