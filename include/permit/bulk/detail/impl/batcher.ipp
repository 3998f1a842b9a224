// The non-template parts of permit::bulk::detail::batcher, the bulk pipeline's I/O: compiled in
// every translation unit that includes <permit/permit.hpp> by default, or once, in the one that
// includes <permit/src.hpp>, under PERMIT_SEPARATE_COMPILATION.
#pragma once

#include <permit/bulk/detail/batcher.hpp>
#include <permit/detail/spawn.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <span>

namespace permit::bulk::detail {

batcher::batcher(client_impl& client)
    : client_(client)
    , options_(client.cfg().bulk)
    , state_(options_, client.cfg().default_tenant)
    , wake_(client.executor())
    , retry_(std::make_shared<const call_options>(call_options{.retry = options_.retry})) {}

batcher& batcher::of(client_impl& client) {
    auto& slot = client.bulk_service();
    if (!slot) slot = std::make_shared<batcher>(client);
    return static_cast<batcher&>(*slot);
}

void batcher::start(const std::shared_ptr<client_impl>& client, bulk_item&& item, diagnostics* diag,
                    permit::detail::engine_completion handler) {
    if (!client->cfg().thread_safe)
        return of(*client).call(std::move(item), diag, std::move(handler));
    boost::asio::dispatch(client->executor(), [client, item = std::move(item), diag,
                                               handler = std::move(handler)]() mutable {
        of(*client).call(std::move(item), diag, std::move(handler));
    });
}

batcher::awaitable<permit::detail::outcome<void>> batcher::flush(
    std::shared_ptr<client_impl> client) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    co_await boost::asio::this_coro::reset_cancellation_state(
        boost::asio::enable_total_cancellation());
    batcher& self = of(*client);
    co_return permit::detail::outcome<void>{co_await self.run_flush()};
}

void batcher::cancel(bool shutdown) {
    ++epoch_;
    state_.fail_all(boost::asio::error::operation_aborted,
                    shutdown ? "the client was shut down before the bulk request went out"
                             : "cancelled by client::cancel()");
    deliver();
    for (auto& [id, item] : std::exchange(room_queue_, {})) {
        diagnostics diag;
        diag.client_message = "the bulk pipeline was cancelled";
        finish(id, boost::asio::error::operation_aborted, &diag);
    }
    for (auto* f : flush_waiters_) {
        f->aborted = true;
        f->timer.cancel();
    }
    wake_.cancel();
    publish();
}

void batcher::call(bulk_item&& item, diagnostics* diag, permit::detail::engine_completion handler) {
    const auto id = state_.arrive();
    // Constructed in place: Boost 1.81's move assignment of `any_completion_handler` recurses.
    // (`c` is good until another caller comes or goes: it is not used past `admit`.)
    caller& c = *callers_.try_emplace(id, std::move(handler.handler), diag, handler.plain).first;
    if (!c.plain) {
        c.foreign_work = std::make_unique<boost::asio::any_completion_executor>(
            boost::asio::prefer(boost::asio::get_associated_executor(c.handler, client_.executor()),
                                boost::asio::execution::outstanding_work.tracked));
    }
    if (!work_)
        work_.emplace(boost::asio::prefer(client_.executor(),
                                          boost::asio::execution::outstanding_work.tracked));
    if (client_.stopped()) {
        diagnostics why;
        why.client_message = "the client is shut down";
        return finish(id, boost::asio::error::operation_aborted, &why);
    }
    if (options_.confirm_with_pdp)
        if (auto probe = visibility_of(item))
            c.probe = std::make_unique<visibility_probe>(std::move(*probe));
    c.slot = boost::asio::get_associated_cancellation_slot(c.handler);
    if (c.slot.is_connected())
        c.slot.template emplace<caller_canceller>(client_.weak_from_this(), id);
    // Callers are admitted in arrival order: a newcomer waits behind those already waiting.
    if (!room_queue_.empty() || state_.room() == 0) {
        room_queue_.emplace_back(id, std::move(item));
        state_.set_backlog(true);
        return;
    }
    admit(id, std::move(item));
    after_change();
}

void batcher::admit(ticket_id id, bulk_item&& item) {
    const auto now = clock::now();
    std::visit(
        [&](auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, user_create>)
                state_.sync_user(id, std::move(value), now);
            else if constexpr (std::is_same_v<T, role_assignment_create>)
                state_.assign_role(id, std::move(value), now);
            else if constexpr (std::is_same_v<T, tenant_create>)
                state_.ensure_tenant(id, std::move(value), now);
            else if constexpr (std::is_same_v<T, resource_instance_create>)
                state_.ensure_instance(id, std::move(value), now);
            else if constexpr (std::is_same_v<T, relationship_tuple_create>)
                state_.write_tuple(id, std::move(value), now);
            else
                state_.remove_tuple(id, std::move(value), now);
        },
        item);
}

void batcher::caller_canceller::operator()(boost::asio::cancellation_type_t type) const {
    if (type == boost::asio::cancellation_type::none) return;
    auto impl = client.lock();
    if (!impl) return;
    boost::asio::dispatch(impl->executor(), [impl, id = id] { of(*impl).cancel_call(id); });
}

void batcher::cancel_call(ticket_id id) {
    if (!callers_.contains(id)) return;  // completed meanwhile
    diagnostics diag;
    auto waiting = std::find_if(room_queue_.begin(), room_queue_.end(),
                                [id](const auto& entry) { return entry.first == id; });
    if (waiting != room_queue_.end()) {
        room_queue_.erase(waiting);
        diag.client_message = "cancelled while waiting for room in the bulk pipeline";
    } else {
        state_.abandon(id);
        diag.client_message = "cancelled while the bulk pipeline had the call";
    }
    finish(id, boost::asio::error::operation_aborted, &diag);
    after_change();
}

void batcher::finish(ticket_id id, boost::system::error_code ec, diagnostics* diag) {
    auto taken = callers_.extract(id);
    if (!taken) return;  // the caller is gone (cancelled)
    caller& c = *taken;
    if (!ec && c.probe && !c.probe->roles.empty() && !client_.stopped()) {
        // The handler's cancellation slot goes over to the confirming coroutine.
        if (c.slot.is_connected()) c.slot.clear();
        permit::detail::spawn(client_,
                              confirm_for(client_.shared_from_this(), std::move(*c.probe), c.diag),
                              {std::move(c.handler), c.plain});
    } else {
        complete(c, ec, diag);
    }
    if (callers_.empty()) work_.reset();
}

// Whether `d` says nothing, as a successful bulk call's diagnostics (every field of `diagnostics`).
inline bool says_nothing(const diagnostics& d) noexcept {
    return d.status == 0 && !d.details && d.validation_errors.empty() && d.detail.empty() &&
           d.raw_body.empty() && d.request_id.empty() && d.client_message.empty() &&
           d.request.empty() && d.attempts == 0 && d.retry_delays.empty() &&
           d.stop_reason == retry_stop::none && !d.replayed && d.rate_limit_wait.count() == 0;
}

void batcher::complete(caller& c, boost::system::error_code ec, diagnostics* diag) {
    if (c.slot.is_connected()) c.slot.clear();
    // (Assigning an empty record over an empty one is a tenth of a successful call's cost.)
    if (c.diag) {
        if (diag && !(says_nothing(*diag) && says_nothing(*c.diag)))
            *c.diag = std::move(*diag);
        else if (!diag && !says_nothing(*c.diag))
            *c.diag = diagnostics{};
    }
    if (c.plain) {
        // A handler of the client's executor with the default allocator: queued, and the callers
        // a batch's answer finishes are resumed one after the other by one posted function (see
        // `resume_callers`) rather than by a post each.
        resumable_.emplace_back(std::move(c.handler), ec);
        post_resume();
    } else {
        // Through the client's executor to the handler's own, with the handler's allocator.
        boost::asio::post(client_.executor(), boost::asio::append(std::move(c.handler), ec));
    }
}

void batcher::resume_callers() {
    resume_posted_ = false;
    // Only those queued before this round: a caller resumed here that makes a call finishing at
    // once (a known tenant) waits for the next round, as a posted handler would. (The elements
    // are only ever move-constructed: Boost 1.81's move assignment of `any_completion_handler`
    // recurses.)
    resumable_list round = std::move(spare_resumable_);
    round.swap(resumable_);
    std::size_t next = 0;
    try {
        for (; next < round.size(); ++next) {
            auto& [handler, ec] = round[next];
            std::move(handler)(ec);
        }
    } catch (...) {
        // The others are still resumed, in a later round, ahead of those queued meanwhile.
        resumable_list rest;
        rest.reserve(round.size() - next - 1 + resumable_.size());
        for (auto& entry : std::span(round).subspan(next + 1))
            rest.emplace_back(std::move(entry.first), entry.second);
        for (auto& entry : resumable_) rest.emplace_back(std::move(entry.first), entry.second);
        resumable_.swap(rest);
        post_resume();
        throw;
    }
    round.clear();
    spare_resumable_ = std::move(round);
    post_resume();
}

void batcher::post_resume() {
    if (resumable_.empty() || resume_posted_) return;
    resume_posted_ = true;
    boost::asio::post(client_.executor(),
                      [client = client_.shared_from_this()] { of(*client).resume_callers(); });
}

std::optional<visibility_probe> batcher::visibility_of(const bulk_item& item) const {
    const std::string& default_tenant = client_.cfg().default_tenant;
    if (const auto* user = std::get_if<user_create>(&item)) {
        visibility_probe out{.user = user->key};
        for (const auto& r : user->role_assignments)
            if (!r.resource_instance)
                out.roles.emplace_back(r.role, r.tenant.value_or(default_tenant));
        return out;
    }
    if (const auto* a = std::get_if<role_assignment_create>(&item)) {
        visibility_probe out{.user = a->user};
        if (!a->resource_instance)
            out.roles.emplace_back(a->role, a->tenant.value_or(default_tenant));
        return out;
    }
    return std::nullopt;
}

batcher::awaitable<permit::detail::outcome<void>> batcher::confirm_for(
    std::shared_ptr<client_impl> client, visibility_probe probe, diagnostics* user_diag) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    co_await boost::asio::this_coro::reset_cancellation_state(
        boost::asio::enable_total_cancellation());
    diagnostics diag;
    const auto ec = co_await of(*client).confirm_visible(std::move(probe), diag);
    if (user_diag) *user_diag = std::move(diag);
    co_return permit::detail::outcome<void>{ec};
}

batcher::awaitable<boost::system::error_code> batcher::confirm_visible(visibility_probe probe,
                                                                       diagnostics& diag) {
    const pdp_confirmation& confirm = *options_.confirm_with_pdp;
    const auto deadline = clock::now() + confirm.timeout;
    const auto epoch = epoch_;
    auto pause = confirm.first_interval;
    user_permissions_query query{.user = {.key = probe.user},
                                 .tenants = std::vector<std::string>{}};
    for (const auto& [role, tenant] : probe.roles) {
        if (std::find(query.tenants->begin(), query.tenants->end(), tenant) == query.tenants->end())
            query.tenants->push_back(tenant);
    }
    const std::string body = boost::json::serialize(boost::json::value_from(query));
    for (unsigned looks = 1;; ++looks) {
        permit::detail::call_spec spec{.method = http_method::post,
                                       .target = permit::detail::service::pdp,
                                       .path = "/user-permissions",
                                       .body = body};
        diagnostics look;
        auto result = co_await client_impl::run<user_permissions>(
            client_.shared_from_this(), std::move(spec), permissions_decoder{}, &look);
        if (result.ec) {
            // The writes are stored; the caller learns that confirming them failed, and why.
            diag = std::move(look);
            diag.client_message =
                "the bulk calls succeeded, but asking the PDP whether it sees "
                "them failed" +
                (diag.client_message.empty() ? "" : ": " + diag.client_message);
            co_return result.ec;
        }
        if (sees(result.value, probe)) co_return boost::system::error_code{};
        if (clock::now() + pause > deadline) {
            if (confirm.policy == sync_timeout_policy::ignore)
                co_return boost::system::error_code{};
            diag.client_message =
                "the bulk calls succeeded, but the PDP did not see the user's "
                "roles within " +
                std::to_string(confirm.timeout.count()) + " ms (" + std::to_string(looks) +
                " looks; bulk_options::confirm_with_pdp)";
            co_return permit::error::sync_timeout;
        }
        boost::asio::steady_timer timer(client_.executor(), pause);
        auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec || epoch != epoch_ || client_.stopped()) {
            diag.client_message = "cancelled while confirming with the PDP";
            co_return boost::asio::error::operation_aborted;
        }
        pause = std::min(pause * 2, confirm.max_interval);
    }
}

bool batcher::sees(const user_permissions& permissions, const visibility_probe& probe) {
    for (const auto& [role, tenant] : probe.roles) {
        auto it = permissions.find("__tenant:" + tenant);
        if (it == permissions.end()) return false;
        // [UNCONFIRMED] `roles` is optional in the reply (permitio/PDP
        // `pdp-server/src/opa_client/user_permissions.rs`); without it, an
        // entry for the tenant is taken as the PDP having the user's roles there.
        if (const auto& roles = it->second.roles;
            roles && std::find(roles->begin(), roles->end(), role) == roles->end())
            return false;
    }
    return true;
}

batcher::awaitable<boost::system::error_code> batcher::run_flush() {
    const auto mark = state_.arrive();
    if (drained_before(mark)) co_return boost::system::error_code{};
    flush_waiter f(client_.executor(), mark);
    flush_waiters_.push_back(&f);
    state_.begin_flush();
    poke();
    co_await f.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    state_.end_flush();
    std::erase(flush_waiters_, &f);
    co_return f.done ? boost::system::error_code{} : boost::asio::error::operation_aborted;
}

bool batcher::drained_before(std::uint64_t mark) const {
    return state_.drained_before(mark) &&
           (room_queue_.empty() || room_queue_.front().first >= mark);
}

void batcher::after_change() {
    for (;;) {
        start_lookups();
        deliver();
        if (room_queue_.empty() || state_.room() == 0) break;
        // Admitting a caller may finish it at once (a tenant known to exist): deliver again.
        while (!room_queue_.empty() && state_.room() > 0) {
            auto [id, item] = std::move(room_queue_.front());
            room_queue_.pop_front();
            admit(id, std::move(item));
        }
    }
    state_.set_backlog(!room_queue_.empty());
    for (auto* f : flush_waiters_) {
        if (!f->done && !f->aborted && drained_before(f->mark)) {
            f->done = true;
            f->timer.cancel();
        }
    }
    publish();
    poke();
}

void batcher::start_lookups() {
    if (client_.stopped()) return;
    while (auto next = state_.take_lookup())
        boost::asio::co_spawn(client_.executor(),
                              look_up(client_.shared_from_this(), std::move(*next)),
                              boost::asio::detached);
}

batcher::awaitable<void> batcher::look_up(std::shared_ptr<client_impl> client, lookup what) {
    using permit::detail::percent_encode;
    permit::detail::call_spec spec{.base = permit::detail::path_base::facts};
    switch (what.what) {
        case lookup::kind::role:
            spec.base = permit::detail::path_base::schema;
            spec.path = what.resource.empty() ? "/roles/" + percent_encode(what.key)
                                              : "/resources/" + percent_encode(what.resource) +
                                                    "/roles/" + percent_encode(what.key);
            break;
        case lookup::kind::tenant:
            spec.path = "/tenants/" + percent_encode(what.key);
            break;
        case lookup::kind::tuple:
            spec.path = "/relationship_tuples";
            spec.query = "subject=" + percent_encode(what.tuple.subject) +
                         "&relation=" + percent_encode(what.tuple.relation) +
                         "&object=" + percent_encode(what.tuple.object) + "&per_page=1";
            break;
    }
    diagnostics diag;
    boost::system::error_code ec;
    if (what.what == lookup::kind::tuple) {
        auto result = co_await client_impl::run<bool>(client, std::move(spec),
                                                      tuple_listed_decoder{}, &diag, retry_);
        ec = result.ec;
        // An empty list is the tuple's absence: told as a 404, like a missing tenant.
        if (!ec && !result.value) {
            ec = permit::error::not_found;
            diag.status = 404;
        }
    } else {
        ec = (co_await client_impl::run<void>(client, std::move(spec), permit::detail::no_decoder{},
                                              &diag, retry_))
                 .ec;
    }
    state_.on_looked_up(what, ec, diag, clock::now());
    after_change();
}

void batcher::deliver() {
    // `finish` only posts handlers and spawns confirmations: the state is left alone meanwhile.
    auto& done = state_.completions();
    for (auto& c : done) finish(c.ticket, c.ec, c.diag.get());
    done.clear();
}

void batcher::publish() {
    if (!(state_.counters() == last_published_)) {
        last_published_ = state_.counters();
        published_.store(last_published_);
    }
    published_pending_.store(state_.pending(), std::memory_order_relaxed);
}

void batcher::poke() {
    if (dispatching_) {
        // Woken only when a batch is due sooner than it sleeps for: not once per call admitted
        // while a batch fills up.
        if (!sleeping_ || state_.in_flight() >= options_.max_batches_in_flight) return;
        if (const auto at = state_.next_due(); at && *at < wake_at_) wake_.cancel();
        return;
    }
    if (!state_.has_queued() || client_.stopped()) return;
    dispatching_ = true;
    boost::asio::co_spawn(client_.executor(), dispatch(client_.shared_from_this()),
                          boost::asio::detached);
}

batcher::awaitable<void> batcher::dispatch(std::shared_ptr<client_impl> client) {
    // All three bulk routes count against the same limits (all, writes, bulk).
    namespace rate = permit::detail::rate;
    static constexpr auto bulk_classes = rate::bit(rate::limit_class::all) |
                                         rate::bit(rate::limit_class::writes) |
                                         rate::bit(rate::limit_class::bulk);
    for (;;) {
        if (client->stopped()) break;
        if (state_.in_flight() < options_.max_batches_in_flight && state_.due(clock::now())) {
            rate::limiter* limiter = client->limiter();
            if (limiter && send_singles(client, *limiter)) continue;
            if (limiter) {
                const auto epoch = epoch_;
                const auto ec = co_await limiter->acquire(bulk_classes);
                if (ec) continue;
                if (epoch != epoch_) {
                    limiter->release(bulk_classes, false);
                    continue;
                }
            }
            // Everything that arrived while the token was awaited goes in this batch.
            auto batch = state_.take(clock::now());
            if (!batch) {
                if (limiter) limiter->release(bulk_classes, false);
                continue;
            }
            publish();
            boost::asio::co_spawn(client_.executor(),
                                  send(client, std::move(*batch), limiter != nullptr),
                                  boost::asio::detached);
            continue;
        }
        if (!state_.has_queued()) break;
        const auto at =
            state_.in_flight() < options_.max_batches_in_flight ? state_.next_due() : std::nullopt;
        wake_at_ = at ? *at : clock::time_point::max();
        wake_.expires_at(wake_at_);
        sleeping_ = true;
        co_await wake_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        sleeping_ = false;
    }
    dispatching_ = false;
}

bool batcher::send_singles(const std::shared_ptr<client_impl>& client,
                           permit::detail::rate::limiter& limiter) {
    namespace rate = permit::detail::rate;
    const auto next = state_.peek(clock::now());
    if (!next || next->reformed || next->size > options_.single_writes) return false;
    if (next->lane != lane::users && next->lane != lane::assignments) return false;
    // Half of the free write budget at most: the bulk requests of a burst need write tokens too.
    const std::size_t free = std::min(limiter.available(rate::limit_class::writes),
                                      limiter.available(rate::limit_class::all));
    if (free < 2 * next->size) return false;
    bool sent = false;
    while (state_.in_flight() < options_.max_batches_in_flight) {
        auto single = state_.take_single(clock::now());
        if (!single) break;
        sent = true;
        // Its tokens are taken by the request itself (`call_spec::rate_token_held` unset).
        boost::asio::co_spawn(client_.executor(), send(client, std::move(*single), false),
                              boost::asio::detached);
    }
    if (sent) publish();
    return sent;
}

batcher::awaitable<void> batcher::send(std::shared_ptr<client_impl> client, outgoing_batch batch,
                                       bool token_held) {
    permit::detail::call_spec spec = spec_for(batch);
    spec.rate_token_held = token_held;
    std::string spent_body;  // the body's memory, back for a later batch
    spec.spent_body = &spent_body;
    diagnostics diag;
    auto result = co_await client_impl::run<void>(client, std::move(spec),
                                                  permit::detail::no_decoder{}, &diag, retry_);
    state_.recycle_body(std::move(spent_body));
    const auto now = clock::now();
    // A role assignment sent alone that exists already (its replay, or made elsewhere) is done.
    if (!result.ec || (batch.single && batch.lane == lane::assignments && diag.status == 409))
        state_.on_success(batch.id, now);
    else
        state_.on_failure(batch.id, result.ec, diag, now);
    after_change();
}

permit::detail::call_spec batcher::spec_for(outgoing_batch& batch) {
    using verb = http_method;
    permit::detail::call_spec spec{.base = permit::detail::path_base::facts,
                                   .body = std::move(batch.body),
                                   // A replayed batch is harmless: users and instances
                                   // are upserted, existing tenants and tuples (and
                                   // tuples removed already) are detected, and existing
                                   // assignments are skipped.
                                   .idempotent = true};
    if (batch.single && batch.lane == lane::users) {
        spec.method = verb::put;
        spec.path = "/users/" + permit::detail::percent_encode(batch.key);
        return spec;
    }
    if (batch.single && batch.lane == lane::assignments) {
        spec.method = verb::post;
        spec.path = "/role_assignments";
        return spec;
    }
    switch (batch.lane) {
        case lane::users:
            spec.method = verb::put;
            spec.path = "/bulk/users";
            break;
        case lane::tenants:
            spec.method = verb::post;
            spec.path = "/bulk/tenants";
            break;
        case lane::assignments:
            spec.method = verb::post;
            spec.path = "/role_assignments/bulk";
            // Explicit: an assignment must never create a user behind the pipeline's back.
            spec.query = "missing_user_policy=fail";
            break;
        case lane::instances:
            spec.method = verb::put;
            spec.path = "/bulk/resource_instances";
            break;
        case lane::tuples:
            spec.method = verb::post;
            spec.path = "/relationship_tuples/bulk";
            break;
        case lane::tuple_removals:
            spec.method = verb::delete_;
            spec.path = "/relationship_tuples/bulk";
            break;
    }
    return spec;
}

}  // namespace permit::bulk::detail
