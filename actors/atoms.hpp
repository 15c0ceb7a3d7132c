#pragma once
// Message tags used between our own actors. Names are fixed tags, never user data.

#include "caf/atom.hpp"

namespace micro::actors {

using call_atom = caf::atom_constant<caf::atom("m_call")>;
using done_atom = caf::atom_constant<caf::atom("m_done")>;
using add_atom = caf::atom_constant<caf::atom("m_add")>;
using drain_atom = caf::atom_constant<caf::atom("m_drain")>;
using stats_atom = caf::atom_constant<caf::atom("m_stats")>;
// Streams (actors/stream_endpoint.hpp).
using stream_open_atom = caf::atom_constant<caf::atom("m_sopen")>;
using stream_hello_atom = caf::atom_constant<caf::atom("m_shello")>;
using stream_credit_atom = caf::atom_constant<caf::atom("m_scredit")>;

}  // namespace micro::actors
