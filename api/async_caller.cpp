#include "api/async_caller.hpp"

#include "micro/actor_api.hpp"

namespace micro::api::detail {

struct call_job {
  std::string service;
  std::string endpoint;
  micro::raw_message req;
  micro::call_options opts;
  std::function<void(micro::result<micro::raw_message>)> done;
};
using call_job_ptr = std::shared_ptr<call_job>;

}  // namespace micro::api::detail

// Only ever sent to a local actor of this process, never across nodes.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(micro::api::detail::call_job_ptr)

namespace micro::api {

struct async_caller::impl {
  micro::client& client;
  caf::actor actor;
};

namespace {

caf::behavior caller(caf::event_based_actor* self, micro::client* c) {
  return {[self, c](detail::call_job_ptr& job) {
    auto call = micro::detail::prepare_call(*c, micro::context{}, job->service, job->endpoint, job->req, job->opts);
    if (!call)
      return job->done(call.error());
    micro::detail::resolve_async(
      self, *c, job->service, job->endpoint, std::move(*call), job->opts,
      [self, to = micro::detail::targets_of(*c), job](micro::detail::prepared_call&& ready) {
        micro::detail::send_call(self, to, std::move(ready),
                                 [job](micro::result<micro::raw_message>&& out) { job->done(std::move(out)); });
      },
      [job](micro::error e) { job->done(std::move(e)); });
  }};
}

}  // namespace

async_caller::async_caller(micro::client& client) : impl_(new impl{client, {}}) {
  if (client.configured())
    impl_->actor = client.internals().rt->system().spawn(caller, &client);
}

async_caller::~async_caller() {
  if (!impl_->actor)
    return;
  caf::scoped_actor self{impl_->client.internals().rt->system()};
  self->send_exit(impl_->actor, caf::exit_reason::user_shutdown);
  self->wait_for(impl_->actor);
}

void async_caller::call(std::string service, std::string endpoint, micro::raw_message req, micro::call_options opts,
                        std::function<void(micro::result<micro::raw_message>)> done) {
  if (!impl_->actor) {
    auto st = impl_->client.configured();
    return done(st ? micro::error{errors::service_unavailable("micro.api", "no actor to call with")} : st.error());
  }
  caf::anon_send(impl_->actor, std::make_shared<detail::call_job>(
                                 detail::call_job{std::move(service), std::move(endpoint), std::move(req),
                                                  std::move(opts), std::move(done)}));
}

}  // namespace micro::api
