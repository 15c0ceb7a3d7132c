#include "actors/runtime.hpp"

#include <algorithm>
#include <thread>

#include "actors/actor_backend.hpp"
#include "actors/broker_actor.hpp"
#include "actors/caf_carrier.hpp"
#include "actors/client_actor.hpp"
#include "actors/direct_calls.hpp"
#include "actors/wire.hpp"
#include "caf/all.hpp"
#include "caf/io/all.hpp"

namespace micro::actors {

namespace {

std::mutex instance_mutex;
std::weak_ptr<runtime> instance;

}  // namespace

struct runtime::impl {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  std::mutex client_mutex;
  std::shared_ptr<shared_selector> selector;  // of both the client actor and the direct path
  caf::actor client;
  std::shared_ptr<direct_calls> direct;
  caf::actor broker;
  std::unique_ptr<basp_guard> guard;  // before any node is published or dialled

  explicit impl(const runtime_config& rc) {
    add_wire_types(cfg);
    cfg.load<caf::io::middleman>();
    cfg.set("scheduler.policy", caf::atom_from_string(rc.scheduler_policy));
    // Handlers run on their own threads, so CAF's workers only route messages: few are best.
    // Measured on 2 cores: 1 worker gave 126 us p50 and 37k calls/s (64 in flight), 2 workers
    // 182 us and 23k, work stealing with 4 workers 530 us (bench/, scripts/bench).
    auto threads = rc.scheduler_threads;
    if (threads == 0)
      threads = std::max<std::size_t>(1, std::thread::hardware_concurrency() / 2);
    cfg.set("scheduler.max-threads", threads);
    cfg.set("middleman.heartbeat-interval", caf::timespan{rc.heartbeat_interval});
    cfg.set("middleman.connection-timeout", caf::timespan{rc.connection_timeout});
    cfg.set("middleman.app-identifiers", std::vector<std::string>{"micro"});
    // Only our own default handlers apply; CAF's printing of unexpected messages would be noise.
    cfg.set("logger.console", caf::atom("none"));
    system = std::make_unique<caf::actor_system>(cfg);
    guard = std::make_unique<basp_guard>(*system, rc.guard, rc.byte_transports.tls);
  }
};

std::shared_ptr<runtime> runtime::acquire(const runtime_config& cfg) {
  std::lock_guard<std::mutex> guard{instance_mutex};
  if (auto existing = instance.lock())
    return existing;
  auto created = std::make_shared<runtime>(cfg);
  instance = created;
  install_actor_backend(created);  // MICRO_BROKER=actor (broker/factory.hpp)
  return created;
}

runtime::runtime(const runtime_config& cfg) : config_(cfg), impl_(std::make_unique<impl>(cfg)) {
  impl_->selector = std::make_shared<shared_selector>(cfg.selector);
}

runtime::~runtime() {
  // First: it completes what is still under way, which may be answers to actors of this system.
  impl_->direct.reset();
  if (impl_->broker)
    caf::anon_send_exit(impl_->broker, caf::exit_reason::user_shutdown);
  impl_->broker = nullptr;
  if (impl_->client)
    caf::anon_send_exit(impl_->client, caf::exit_reason::user_shutdown);
  impl_->client = nullptr;
  impl_->guard.reset();
  impl_->system.reset();  // waits for every actor to finish
}

caf::actor_system& runtime::system() noexcept { return *impl_->system; }

caf::actor runtime::client_actor() {
  std::lock_guard<std::mutex> guard{impl_->client_mutex};
  if (!impl_->client)
    impl_->client = spawn_client_actor(*impl_->system, impl_->selector, config_.byte_transports);
  return impl_->client;
}

std::shared_ptr<direct_calls> runtime::direct() {
  auto client = client_actor();  // the caf carrier asks it for node actors (it owns the connections)
  std::lock_guard<std::mutex> guard{impl_->client_mutex};
  if (!impl_->direct) {
    auto& sys = *impl_->system;
    impl_->direct = std::make_shared<direct_calls>(
      impl_->selector, config_.byte_transports,
      [&sys, client](outcome_handler on_outcome) { return make_caf_carrier(sys, client, std::move(on_outcome)); });
  }
  return impl_->direct;
}

caf::actor runtime::broker_actor() {
  auto client = client_actor();
  auto connections = direct()->transports();  // publications ride the connections calls use
  std::lock_guard<std::mutex> guard{impl_->client_mutex};
  if (!impl_->broker)
    impl_->broker = spawn_broker_actor(*impl_->system, std::move(client), config_.broker, std::move(connections));
  return impl_->broker;
}

}  // namespace micro::actors
