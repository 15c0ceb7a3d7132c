#pragma once
// The gRPC peer's services, in both of gRPC's server APIs: sync (a thread per call in progress)
// and callback (reactors on gRPC's own threads).

#include <memory>

#include "bench.grpc.pb.h"

namespace bench::grpc_peer {

std::unique_ptr<micro_bench::Unary::Service> sync_unary();
std::unique_ptr<micro_bench::Unary::CallbackService> callback_unary();
std::unique_ptr<micro_bench::Streams::Service> sync_streams();
std::unique_ptr<micro_bench::Streams::CallbackService> callback_streams();

}  // namespace bench::grpc_peer
