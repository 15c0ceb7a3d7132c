#pragma once
// What protoc-gen-micro generates from, read off protoc's descriptors once: the services of one
// .proto file with their rpcs, C++ names and comments, checked so that the output compiles.

#include <string>
#include <vector>

namespace google::protobuf {
class FileDescriptor;
}

namespace micro::codegen {

enum class rpc_kind { unary, server_streaming, client_streaming, bidi_streaming };

struct rpc {
  std::string name;      // "Hello": the C++ method name, as in the .proto
  std::string endpoint;  // "Greeter.Hello": go-micro's endpoint name
  std::string request;   // "::greeter::Request": the protobuf C++ class
  std::string response;
  rpc_kind kind = rpc_kind::unary;
  std::vector<std::string> comments;  // the .proto's comment lines, without "//"
};

struct service {
  std::string name;  // "Greeter"
  std::vector<std::string> comments;
  std::vector<rpc> rpcs;
};

struct file_model {
  std::string proto;       // "greeter/greeter.proto", as protoc names it
  std::string base;        // "greeter/greeter": generated files are base + ".micro.h" ...
  std::string package;     // "greeter" ("" without a package)
  std::string cpp_namespace;  // "greeter", "a::b" ("" without a package)
  std::vector<service> services;
  std::vector<std::string> message_types;  // C++ classes of every request and response, once each
};

/// The model of `file`, or false with `error` saying what cannot be generated (file, service and
/// rpc named): a C++ keyword as a name, a generated name that some message already takes.
bool build_model(const google::protobuf::FileDescriptor& file, file_model& out, std::string& error);

}  // namespace micro::codegen
