// The engine's entry points (see <permit/detail/engine.hpp>): compiled in every translation unit
// that includes <permit/permit.hpp> by default, or once, in the one that includes
// <permit/src.hpp>, under PERMIT_SEPARATE_COMPILATION.
#pragma once

#include <permit/bulk/detail/batcher.hpp>
#include <permit/detail/client_impl.hpp>
#include <permit/detail/engine.hpp>
#include <permit/detail/spawn.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

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

PERMIT_DECL void start_bulk_call(const client_handle& client, bulk_item&& item, diagnostics* diag,
                                 engine_completion handler) {
    bulk::detail::batcher::start(client.impl, std::move(item), diag, std::move(handler));
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
    boxed_bulk_item item;
    void operator()(diagnostics* diag, engine_completion handler) {
        // Freed as the call starts (see `bulk_initiation`).
        const boxed_bulk_item box = std::move(item);
        start_bulk_call(client, std::move(*box), diag, std::move(handler));
    }
};

/// `await_bulk_flush`'s start.
struct start_flush_request {
    client_handle client;
    void operator()(diagnostics*, engine_completion handler) {
        start_bulk_flush(client, std::move(handler));
    }
};

/// Whether a call awaited on `ex` may run in the awaiting coroutine: `ex` is the client's
/// executor, and the client is not in thread-safe mode (its calls then run on a strand of their
/// own).
inline bool runs_in_caller(const client_impl& client, const boost::asio::any_io_executor& ex) {
    return !client.cfg().thread_safe && ex == client.executor();
}

/// `await_call_code` for a caller elsewhere: the call is started, and its completion awaited.
inline boost::asio::awaitable<boost::system::error_code> await_started_call(start_request start,
                                                                            diagnostics* diag) {
    auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
    const started_initiation<start_request> initiation{&start, diag};
    auto [ec] =
        co_await boost::asio::async_initiate<decltype(token), void(boost::system::error_code)>(
            initiation, token);
    co_return ec;
}

PERMIT_DECL boost::asio::awaitable<boost::system::error_code> await_call_code(
    client_handle client, call_spec spec, result_sink sink, diagnostics* diag,
    const boost::asio::any_io_executor& caller) {
    // No coroutine of its own, no type-erased handler, no hop through the executor.
    if (runs_in_caller(*client.impl, caller))
        return client_impl::run(client.impl, std::move(spec), sink, diag, client.options, true);
    return await_started_call(start_request{std::move(client), std::move(spec), sink}, diag);
}

PERMIT_DECL boost::asio::awaitable<void> await_call(client_handle client, call_spec spec,
                                                    result_sink sink, diagnostics* user_diag) {
    // The details go to the caller's diagnostics when it asked for them, else to the error.
    diagnostics own_diag;
    diagnostics* diag = user_diag ? user_diag : &own_diag;
    const auto caller = co_await boost::asio::this_coro::executor;
    const auto ec =
        co_await await_call_code(std::move(client), std::move(spec), sink, diag, caller);
    if (ec) throw api_error(ec, user_diag ? *user_diag : std::move(own_diag));
}

PERMIT_DECL boost::asio::awaitable<void> await_bulk_call(client_handle client, boxed_bulk_item item,
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
