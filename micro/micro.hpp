#pragma once
// Everything a service or client author needs, without CAF. For actors: micro/actor_api.hpp.

#include "micro/client.hpp"    // IWYU pragma: export
#include "micro/context.hpp"   // IWYU pragma: export
#include "micro/error.hpp"     // IWYU pragma: export
#include "micro/options.hpp"   // IWYU pragma: export
#include "micro/result.hpp"    // IWYU pragma: export
#include "micro/server.hpp"    // IWYU pragma: export
#include "micro/service.hpp"   // IWYU pragma: export
#include "micro/stream.hpp"    // IWYU pragma: export
