// The non-template parts of permit::bulk::detail::batcher, the bulk pipeline's I/O: compiled in
// every translation unit that includes <permit/permit.hpp> by default, or once, in the one that
// includes <permit/src.hpp>, under PERMIT_SEPARATE_COMPILATION.
#pragma once

#include <permit/bulk/detail/batcher.hpp>

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

batcher::awaitable<permit::detail::outcome<void>> batcher::submit(
    std::shared_ptr<client_impl> client, admission admit, std::optional<visibility_probe> probe,
    diagnostics* user_diag) {
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    co_await boost::asio::this_coro::reset_cancellation_state(
        boost::asio::enable_total_cancellation());
    batcher& self = of(*client);
    diagnostics diag;
    const auto ec = co_await self.run_call(std::move(admit), std::move(probe), diag);
    if (user_diag) *user_diag = std::move(diag);
    co_return permit::detail::outcome<void>{ec};
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
    for (auto* w : std::exchange(room_waiters_, {})) {
        w->aborted = true;
        w->timer.cancel();
    }
    for (auto* f : flush_waiters_) {
        f->aborted = true;
        f->timer.cancel();
    }
    wake_.cancel();
    publish();
}

batcher::awaitable<boost::system::error_code> batcher::run_call(
    admission admit, std::optional<visibility_probe> probe, diagnostics& diag) {
    if (client_.stopped()) {
        diag.client_message = "the client is shut down";
        co_return boost::asio::error::operation_aborted;
    }
    const auto id = state_.arrive();
    const auto epoch = epoch_;
    // Callers are admitted in arrival order: a newcomer waits behind those already waiting.
    if (!room_waiters_.empty() || state_.room() <= reserved_) {
        room_waiter w(client_.executor(), id);
        auto place = room_waiters_.insert(room_waiters_.end(), &w);
        state_.set_backlog(true);
        co_await w.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (!w.woken && !w.aborted) room_waiters_.erase(place);
        auto cancellation = co_await boost::asio::this_coro::cancellation_state;
        const bool cancelled = cancellation.cancelled() != boost::asio::cancellation_type::none;
        if (w.woken) --reserved_;
        // A caller woken for room just before `client::cancel()` is cancelled too.
        if (epoch != epoch_) w.aborted = true;
        if (w.aborted || cancelled || !w.woken) {
            diag.client_message = w.aborted ? "the bulk pipeline was cancelled"
                                            : "cancelled while waiting for room in the bulk "
                                              "pipeline";
            after_change();
            co_return boost::asio::error::operation_aborted;
        }
    }
    admit(state_, id, clock::now());
    ticket_waiter t(client_.executor());
    waiters_.emplace(id, &t);
    after_change();
    if (!t.done) co_await t.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    waiters_.erase(id);
    if (!t.done) {
        // The caller's cancellation: the items already sent stay sent.
        state_.abandon(id);
        diag.client_message = "cancelled while the bulk pipeline had the call";
        after_change();
        co_return boost::asio::error::operation_aborted;
    }
    diag = std::move(t.diag);
    if (!t.ec && probe && !probe->roles.empty() && options_.confirm_with_pdp)
        co_return co_await confirm_visible(std::move(*probe), diag);
    co_return t.ec;
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
    if (reserved_ > 0 || !state_.drained_before(mark)) return false;
    for (auto* w : room_waiters_)
        if (w->id < mark) return false;
    return true;
}

void batcher::after_change() {
    start_lookups();
    deliver();
    while (!room_waiters_.empty() && state_.room() > reserved_) {
        auto* w = room_waiters_.front();
        room_waiters_.pop_front();
        w->woken = true;
        ++reserved_;
        w->timer.cancel();
    }
    state_.set_backlog(!room_waiters_.empty());
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
    for (auto& c : state_.take_completions()) {
        auto it = waiters_.find(c.ticket);
        if (it == waiters_.end()) continue;  // the caller is gone (cancelled)
        it->second->done = true;
        it->second->ec = c.ec;
        it->second->diag = std::move(c.diag);
        it->second->timer.cancel();
    }
}

void batcher::publish() {
    auto s = state_.stats();
    std::lock_guard lock(stats_mutex_);
    published_ = s;
}

void batcher::poke() {
    if (dispatching_) {
        wake_.cancel();
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
        wake_.expires_at(at ? *at : clock::time_point::max());
        co_await wake_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    dispatching_ = false;
}

batcher::awaitable<void> batcher::send(std::shared_ptr<client_impl> client, outgoing_batch batch,
                                       bool token_held) {
    permit::detail::call_spec spec = spec_for(batch);
    spec.rate_token_held = token_held;
    diagnostics diag;
    auto result = co_await client_impl::run<void>(client, std::move(spec),
                                                  permit::detail::no_decoder{}, &diag, retry_);
    const auto now = clock::now();
    if (!result.ec)
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
