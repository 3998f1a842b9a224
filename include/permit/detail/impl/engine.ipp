// The engine's entry points (see <permit/detail/engine.hpp>): compiled in every translation unit
// that includes <permit/permit.hpp> by default, or once, in the one that includes
// <permit/src.hpp>, under PERMIT_SEPARATE_COMPILATION.
#pragma once

#include <permit/bulk/detail/batcher.hpp>
#include <permit/detail/client_impl.hpp>
#include <permit/detail/engine.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace permit::detail {

/// What `co_spawn` completes when an engine coroutine ends: the caller's type-erased handler.
/// `Plain`: the handler runs on the client's executor with the default allocator
/// (`engine_completion::plain`), and `co_spawn` is given only its cancellation slot; otherwise it
/// is given the handler's executor and allocator as well.
template <bool Plain>
struct spawned_completion {
    completion_handler handler;

    void operator()(std::exception_ptr ep, boost::system::error_code ec) {
        // The coroutines catch everything they can fail with; an exception here is a bug, and is
        // not turned into an error code.
        if (ep) std::rethrow_exception(ep);
        std::move(handler)(ec);
    }
    void operator()(std::exception_ptr ep, outcome<void> result) { (*this)(ep, result.ec); }
};

/// Spawns `op` on the client's executor, to complete `completion`.
template <class Operation>
void spawn(client_impl& client, Operation op, engine_completion completion) {
    if (completion.plain)
        boost::asio::co_spawn(client.executor(), std::move(op),
                              spawned_completion<true>{std::move(completion.handler)});
    else
        boost::asio::co_spawn(client.executor(), std::move(op),
                              spawned_completion<false>{std::move(completion.handler)});
}

}  // namespace permit::detail

// The caller's handler's associated executor, allocator and cancellation slot reach `co_spawn`;
// only its cancellation slot when it is plain (see `spawned_completion`).
/// \cond
template <template <class, class> class Associator, bool Plain, class Default>
struct boost::asio::associator<Associator, permit::detail::spawned_completion<Plain>, Default>
    : Associator<permit::detail::completion_handler, Default> {
    using base = Associator<permit::detail::completion_handler, Default>;
    static typename base::type get(const permit::detail::spawned_completion<Plain>& h) noexcept {
        return base::get(h.handler);
    }
    static auto get(const permit::detail::spawned_completion<Plain>& h, const Default& d) noexcept
        -> decltype(base::get(h.handler, d)) {
        return base::get(h.handler, d);
    }
};
template <class Executor>
struct boost::asio::associated_executor<permit::detail::spawned_completion<true>, Executor> {
    using type = Executor;
    static type get(const permit::detail::spawned_completion<true>&,
                    const Executor& ex = Executor()) noexcept {
        return ex;
    }
};
template <class Allocator>
struct boost::asio::associated_allocator<permit::detail::spawned_completion<true>, Allocator> {
    using type = Allocator;
    static type get(const permit::detail::spawned_completion<true>&,
                    const Allocator& a = Allocator()) noexcept {
        return a;
    }
};
/// \endcond

namespace permit::detail {

PERMIT_DECL std::shared_ptr<client_impl> make_client_impl(boost::asio::any_io_executor ex,
                                                          config cfg) {
    auto impl = std::make_shared<client_impl>(std::move(ex), std::move(cfg));
    set_up_bulk_pipeline(*impl);
    return impl;
}

PERMIT_DECL const boost::asio::any_io_executor& executor_of(const client_impl& client) noexcept {
    return client.executor();
}

PERMIT_DECL const config& config_of(const client_impl& client) noexcept {
    return client.cfg();
}

PERMIT_DECL client_stats stats_of(const client_impl& client) noexcept {
    return client.stats();
}

PERMIT_DECL void cancel_calls(const std::shared_ptr<client_impl>& client) {
    boost::asio::dispatch(client->executor(), [impl = client] { impl->cancel(); });
}

PERMIT_DECL void shut_down(const std::shared_ptr<client_impl>& client) noexcept {
    if (!client) return;
    try {
        boost::asio::dispatch(client->executor(), [impl = client] { impl->shutdown(); });
    } catch (...) {
        // The executor refused the work (its context is gone): nothing is in flight.
    }
}

/// Starts `*start` with the awaiting coroutine's handler.
template <class Start>
struct started_initiation {
    Start* start;
    diagnostics* diag;

    template <class Handler>
    void operator()(Handler&& handler) const {
        (*start)(diag, erase_completion(start->client, std::forward<Handler>(handler)));
    }
};

/// Awaits what `start(diag, handler)` starts, then throws `api_error` on failure with its
/// diagnostics.
template <class Start>
boost::asio::awaitable<void> await_started(Start start, diagnostics* user_diag) {
    diagnostics diag;
    auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
    const started_initiation<Start> initiation{&start, &diag};
    auto [ec] =
        co_await boost::asio::async_initiate<decltype(token), void(boost::system::error_code)>(
            initiation, token);
    if (user_diag) *user_diag = diag;
    if (ec) throw api_error(ec, std::move(diag));
}

PERMIT_DECL void start_call(const client_handle& client, call_spec spec, result_sink sink,
                            diagnostics* diag, engine_completion handler) {
    spawn(*client.impl, client_impl::run(client.impl, std::move(spec), sink, diag, client.options),
          std::move(handler));
}

/// Hands an item of the bulk pipeline to its state, once there is room.
struct bulk_admission {
    bulk_item item;

    void operator()(bulk::detail::pipeline_state<>& state,
                    bulk::detail::pipeline_state<>::ticket_id id,
                    std::chrono::steady_clock::time_point now) {
        std::visit(
            [&](auto& value) {
                using T = std::decay_t<decltype(value)>;
                if constexpr (std::is_same_v<T, user_create>)
                    state.sync_user(id, std::move(value), now);
                else if constexpr (std::is_same_v<T, role_assignment_create>)
                    state.assign_role(id, std::move(value), now);
                else if constexpr (std::is_same_v<T, tenant_create>)
                    state.ensure_tenant(id, std::move(value), now);
                else if constexpr (std::is_same_v<T, resource_instance_create>)
                    state.ensure_instance(id, std::move(value), now);
                else if constexpr (std::is_same_v<T, relationship_tuple_create>)
                    state.write_tuple(id, std::move(value), now);
                else
                    state.remove_tuple(id, std::move(value), now);
            },
            item);
    }
};

/// What `bulk_options::confirm_with_pdp` confirms for an item: the tenant-level roles a user is
/// given (a missing tenant is the default one, as for `check()`). Nothing for a tenant.
inline std::optional<bulk::detail::visibility_probe> visibility_of(
    const bulk_item& item, const std::string& default_tenant) {
    if (const auto* user = std::get_if<user_create>(&item)) {
        bulk::detail::visibility_probe out{.user = user->key};
        for (const auto& r : user->role_assignments)
            if (!r.resource_instance)
                out.roles.emplace_back(r.role, r.tenant.value_or(default_tenant));
        return out;
    }
    if (const auto* a = std::get_if<role_assignment_create>(&item)) {
        bulk::detail::visibility_probe out{.user = a->user};
        if (!a->resource_instance)
            out.roles.emplace_back(a->role, a->tenant.value_or(default_tenant));
        return out;
    }
    return std::nullopt;
}

PERMIT_DECL void start_bulk_call(const client_handle& client, bulk_item item, diagnostics* diag,
                                 engine_completion handler) {
    const config& cfg = client.impl->cfg();
    std::optional<bulk::detail::visibility_probe> probe;
    if (cfg.bulk.confirm_with_pdp) probe = visibility_of(item, cfg.default_tenant);
    spawn(*client.impl,
          bulk::detail::batcher::submit(client.impl, bulk_admission{std::move(item)},
                                        std::move(probe), diag),
          std::move(handler));
}

PERMIT_DECL void start_bulk_flush(const client_handle& client, engine_completion handler) {
    spawn(*client.impl, bulk::detail::batcher::flush(client.impl), std::move(handler));
}

/// `await_call`'s start: a call of the engine.
struct start_request {
    client_handle client;
    call_spec spec;
    result_sink sink;
    void operator()(diagnostics* diag, engine_completion handler) {
        start_call(client, std::move(spec), sink, diag, std::move(handler));
    }
};

/// `await_bulk_call`'s start.
struct start_bulk_request {
    client_handle client;
    bulk_item item;
    void operator()(diagnostics* diag, engine_completion handler) {
        start_bulk_call(client, std::move(item), diag, std::move(handler));
    }
};

/// `await_bulk_flush`'s start.
struct start_flush_request {
    client_handle client;
    void operator()(diagnostics*, engine_completion handler) {
        start_bulk_flush(client, std::move(handler));
    }
};

PERMIT_DECL boost::asio::awaitable<void> await_call(client_handle client, call_spec spec,
                                                    result_sink sink, diagnostics* diag) {
    return await_started(start_request{std::move(client), std::move(spec), sink}, diag);
}

PERMIT_DECL boost::asio::awaitable<void> await_bulk_call(client_handle client, bulk_item item,
                                                         diagnostics* diag) {
    return await_started(start_bulk_request{std::move(client), std::move(item)}, diag);
}

PERMIT_DECL boost::asio::awaitable<void> await_bulk_flush(client_handle client) {
    return await_started(start_flush_request{std::move(client)}, nullptr);
}

PERMIT_DECL bulk_stats bulk_stats_of(client_impl& client) {
    return bulk::detail::batcher::of(client).stats();
}

PERMIT_DECL void set_up_bulk_pipeline(client_impl& client) {
    bulk::detail::batcher::of(client);
}

}  // namespace permit::detail
