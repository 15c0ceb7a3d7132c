#pragma once
// Private: the bridge between the facade's options and the actor layer.

#include <memory>

#include "actors/runtime.hpp"
#include "actors/wire.hpp"
#include "micro/error.hpp"
#include "micro/options.hpp"

namespace micro::detail {

std::shared_ptr<actors::runtime> acquire_runtime(const options& opts);

/// A wire response as a facade error (only for code != 0).
error to_error(const actors::response& rsp);

}  // namespace micro::detail
