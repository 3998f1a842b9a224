// The compile firewall between the operations a user calls and the machinery that carries them out.
//
// Every operation ends in one of the few non-template functions below (`start_call` for a request,
// `start_bulk_call` for the bulk pipeline); they take a type-erased completion handler and are
// compiled once by <permit/src.hpp> under PERMIT_SEPARATE_COMPILATION (Boost.MySQL's scheme). What
// an operation instantiates in the caller's translation unit is its decoder and its completion
// token's glue. This header declares the client's state (`client_impl`) without defining it, and
// includes no Beast and no OpenSSL header.
#pragma once

#include <permit/bulk/stats.hpp>
#include <permit/call_options.hpp>
#include <permit/client_stats.hpp>
#include <permit/config.hpp>
#include <permit/detail/call.hpp>
#include <permit/detail/decl.hpp>
#include <permit/detail/http/response.hpp>
#include <permit/diagnostics.hpp>
#include <permit/models/relationship_tuple.hpp>
#include <permit/models/resource_instance.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace permit::detail {

class client_impl;

/// What an API group or a view of the client calls through: the client, and the options of the
/// view (null: the client's configuration).
struct client_handle {
    std::shared_ptr<client_impl> impl;
    std::shared_ptr<const call_options> options;
};

/// Where the engine hands a successful response for decoding: `decode(target, response)`, on the
/// client's executor, before the call completes. `decode` may throw `model_error` or any
/// `std::exception` (the call then fails with `error::invalid_response`). Empty: the body is not
/// read (operations that yield nothing).
struct result_sink {
    void* target = nullptr;
    void (*decode)(void* target, const http::response& resp) = nullptr;
};

/// The handler every operation completes through the engine.
using completion_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

/// A caller's handler on its way into the engine, with what the engine must know of it.
struct engine_completion {
    completion_handler handler;
    /// The handler's associated executor is the client's own executor and its associated
    /// allocator is `std::allocator<void>` (the common case: a coroutine on the client's
    /// `io_context`). The engine then completes it through the client's executor, as it would
    /// through the handler's, and lets Asio recycle the memory of that completion, as it does for
    /// the default allocator. Asked of the type-erased handler instead, the executor comes back
    /// as an `any_completion_executor` around an `any_io_executor` (a heap allocation per copy,
    /// and `co_spawn` makes several), and the allocator as a type-erased one that Asio cannot
    /// recycle for: together a tenth of a bulk call's cost.
    bool plain = false;
};

/// Whether `handler` completes on `client_executor` with the default allocator (see
/// `engine_completion::plain`).
template <class Handler>
bool is_plain_for(const Handler& handler, const boost::asio::any_io_executor& client_executor) {
    if constexpr (!std::is_same_v<boost::asio::associated_allocator_t<Handler>,
                                  std::allocator<void>>) {
        return false;
    } else {
        using handler_executor =
            boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>;
        const auto ex = boost::asio::get_associated_executor(handler, client_executor);
        if constexpr (std::is_same_v<handler_executor, boost::asio::any_io_executor>) {
            return ex == client_executor;
        } else {
            const auto* target = client_executor.target<handler_executor>();
            return target && *target == ex;
        }
    }
}

/// Makes the state of a `permit::client` (see `client::client` for what it throws).
PERMIT_DECL std::shared_ptr<client_impl> make_client_impl(boost::asio::any_io_executor ex,
                                                          config cfg);
/// The executor the client's calls run on (a strand in thread-safe mode).
PERMIT_DECL const boost::asio::any_io_executor& executor_of(const client_impl& client) noexcept;

/// The caller's `handler`, type-erased, for a call of `client`.
template <class Handler>
engine_completion erase_completion(const client_handle& client, Handler&& handler) {
    const bool plain = is_plain_for(handler, executor_of(*client.impl));
    return {completion_handler(std::forward<Handler>(handler)), plain};
}
/// The configuration the client was made with.
PERMIT_DECL const config& config_of(const client_impl& client) noexcept;
/// The client's counters; callable from any thread.
PERMIT_DECL client_stats stats_of(const client_impl& client) noexcept;
/// Completes every call of the client with `operation_aborted` (posted to its executor).
PERMIT_DECL void cancel_calls(const std::shared_ptr<client_impl>& client);
/// As `cancel_calls`, and later calls fail at once: the client's owner is gone.
PERMIT_DECL void shut_down(const std::shared_ptr<client_impl>& client) noexcept;

/// Carries `spec` to its response through the client's pools, rate limiter and retries, decodes a
/// successful response into `sink`, fills `*diag` (when not null) and completes `handler`.
PERMIT_DECL void start_call(const client_handle& client, call_spec spec, result_sink sink,
                            diagnostics* diag, engine_completion handler);

/// As `start_call`, for a coroutine running on `caller` that awaits the call at once: the awaitable
/// of its error code. On the client's executor (and not in thread-safe mode), the call runs in the
/// awaiting coroutine itself, with no coroutine of its own, no type-erased handler and no hop
/// through the executor; what the awaiting coroutine lets through its cancellation filter cancels
/// it. Elsewhere it is started as with any completion token. Compiled once.
PERMIT_DECL boost::asio::awaitable<boost::system::error_code> await_call_code(
    client_handle client, call_spec spec, result_sink sink, diagnostics* diag,
    const boost::asio::any_io_executor& caller);

/// As `await_call_code`, for `permit::use_awaitable`: completes in the awaiting coroutine, or
/// throws `permit::api_error`. Compiled once, so that awaiting a call instantiates no completion
/// machinery in the caller's translation unit.
PERMIT_DECL boost::asio::awaitable<void> await_call(client_handle client, call_spec spec,
                                                    result_sink sink, diagnostics* diag);

/// One item for the bulk pipeline: a user to sync, a role to assign, a tenant or a resource
/// instance to make sure of, a relationship tuple to write or to remove.
using bulk_item =
    std::variant<user_create, role_assignment_create, tenant_create, resource_instance_create,
                 relationship_tuple_create, relationship_tuple_delete>;

/// Frees a boxed bulk item into the thread's recycling cache, which it came from.
struct bulk_box_deleter {
    void operator()(bulk_item* item) const noexcept {
        item->~bulk_item();
        boost::asio::recycling_allocator<bulk_item>().deallocate(item, 1);
    }
};

/// A bulk item on its way through an initiation that starts later (an awaitable token, a deferred
/// one): such an initiation keeps its arguments by value and moves them several times before it
/// starts, and keeps them while the call waits; a box is moved for the price of a pointer. The
/// box is freed as the call starts, mostly on the thread that made it, so Asio's per-thread
/// recycling cache serves it without a trip to malloc.
using boxed_bulk_item = std::unique_ptr<bulk_item, bulk_box_deleter>;

/// `item` in a box (see `boxed_bulk_item`).
template <class Item>
boxed_bulk_item box_bulk_item(Item&& item) {
    boost::asio::recycling_allocator<bulk_item> allocator;
    bulk_item* place = allocator.allocate(1);
    try {
        return boxed_bulk_item(new (place) bulk_item(std::in_place_type<std::remove_cvref_t<Item>>,
                                                     std::forward<Item>(item)));
    } catch (...) {
        allocator.deallocate(place, 1);
        throw;
    }
}

/// Whether `async_initiate` with `Token` runs the initiation before it returns (a completion
/// handler), so that its arguments can be passed by reference.
template <class Token>
inline constexpr bool initiates_at_once_v = [] {
    using result = boost::asio::async_result<std::decay_t<Token>, void(boost::system::error_code)>;
    if constexpr (requires { typename result::return_type; })
        return std::is_void_v<typename result::return_type>;
    else
        return false;
}();

/// Hands `item` to the client's bulk pipeline; completes when the API acknowledged it.
PERMIT_DECL void start_bulk_call(const client_handle& client, bulk_item&& item, diagnostics* diag,
                                 engine_completion handler);
/// Completes when every bulk call made before it is finished.
PERMIT_DECL void start_bulk_flush(const client_handle& client, engine_completion handler);
/// `start_bulk_call` for `permit::use_awaitable` (see `await_call`).
PERMIT_DECL boost::asio::awaitable<void> await_bulk_call(client_handle client, boxed_bulk_item item,
                                                         diagnostics* diag);
/// `start_bulk_flush` for `permit::use_awaitable` (see `await_call`).
PERMIT_DECL boost::asio::awaitable<void> await_bulk_flush(client_handle client);
/// The bulk pipeline's counters; callable from any thread.
PERMIT_DECL bulk_stats bulk_stats_of(client_impl& client);
/// Sets the bulk pipeline up (on the thread that makes the client).
PERMIT_DECL void set_up_bulk_pipeline(client_impl& client);

/// How an operation reads a successful response into its result.
template <class T>
using decoder_fn = T (*)(const http::response&);

/// The decoder function of a stateless decoder type.
template <class T, class Decoder>
T decode_with(const http::response& resp) {
    return Decoder{}(resp);
}

/// A call's result between its decoding and its handler: allocated with the operation.
template <class T>
struct result_slot {
    T value{};
    decoder_fn<T> decode = nullptr;

    static void fill(void* self, const http::response& resp) {
        auto& slot = *static_cast<result_slot*>(self);
        slot.value = slot.decode(resp);
    }
};

/// Completes `handler` with the value in `slot` (a `result_slot` or any type with a `value`).
template <class Handler, class Slot>
struct deliver_result {
    Handler handler;
    std::unique_ptr<Slot> slot;

    void operator()(boost::system::error_code ec) {
        auto value = std::move(slot->value);
        // Freed before the handler runs, as Asio frees an operation's memory before its upcall.
        slot.reset();
        std::move(handler)(ec, std::move(value));
    }
};

/// Awaits a call yielding `T` (see `await_call`).
template <class T>
boost::asio::awaitable<T> await_value(client_handle client, call_spec spec, decoder_fn<T> decode,
                                      diagnostics* diag) {
    result_slot<T> slot;
    slot.decode = decode;
    // Built before the co_await: g++ 12 destroys aggregate temporaries in a co_await expression
    // twice.
    const result_sink sink{&slot, &result_slot<T>::fill};
    co_await await_call(std::move(client), std::move(spec), sink, diag);
    co_return std::move(slot.value);
}

/// The initiation of every request an API group makes: the result's storage and decoder, then
/// the engine.
template <class T>
struct call_initiation {
    client_handle client;

    template <class Handler>
    void operator()(Handler&& handler, diagnostics* diag, call_spec spec,
                    decoder_fn<T> decode) const {
        if constexpr (std::is_void_v<T>) {
            (void)decode;
            start_call(client, std::move(spec), {}, diag,
                       erase_completion(client, std::forward<Handler>(handler)));
        } else {
            auto slot = std::make_unique<result_slot<T>>();
            slot->decode = decode;
            const result_sink sink{slot.get(), &result_slot<T>::fill};
            const bool plain = is_plain_for(handler, executor_of(*client.impl));
            start_call(client, std::move(spec), sink, diag,
                       {completion_handler(deliver_result<std::decay_t<Handler>, result_slot<T>>{
                            std::forward<Handler>(handler), std::move(slot)}),
                        plain});
        }
    }

    /// What `permit::use_awaitable` returns instead of initiating (see `await_call`).
    boost::asio::awaitable<T> await(diagnostics* diag, call_spec spec, decoder_fn<T> decode) const {
        if constexpr (std::is_void_v<T>)
            return await_call(client, std::move(spec), {}, diag);
        else
            return await_value<T>(client, std::move(spec), decode, diag);
    }
};

/// Whether `Token` is `asio::as_tuple(asio::use_awaitable)`, which `async_call` awaits through
/// `await_call_code`.
template <class Token>
inline constexpr bool is_tuple_awaitable_v = std::is_same_v<
    std::decay_t<Token>,
    boost::asio::as_tuple_t<boost::asio::use_awaitable_t<boost::asio::any_io_executor>>>;

/// What `asio::as_tuple(asio::use_awaitable)` makes of a call yielding `T`: `[ec, value]`, or
/// `[ec]` for nothing.
template <class T>
boost::asio::awaitable<std::tuple<boost::system::error_code, T>> await_tuple(client_handle client,
                                                                             call_spec spec,
                                                                             decoder_fn<T> decode,
                                                                             diagnostics* diag) {
    result_slot<T> slot;
    slot.decode = decode;
    // Built before the co_await: g++ 12 destroys aggregate temporaries in a co_await expression
    // twice.
    const result_sink sink{&slot, &result_slot<T>::fill};
    const auto caller = co_await boost::asio::this_coro::executor;
    const auto ec =
        co_await await_call_code(std::move(client), std::move(spec), sink, diag, caller);
    co_return std::make_tuple(ec, std::move(slot.value));
}

/// As above, for a call yielding nothing.
inline boost::asio::awaitable<std::tuple<boost::system::error_code>> await_tuple_void(
    client_handle client, call_spec spec, diagnostics* diag) {
    const result_sink nothing;
    const auto caller = co_await boost::asio::this_coro::executor;
    const auto ec =
        co_await await_call_code(std::move(client), std::move(spec), nothing, diag, caller);
    co_return std::make_tuple(ec);
}

/// Starts a request yielding `T`, read by the stateless `Decoder`, with any completion token.
template <class T, class Decoder, class Token>
auto async_call(const client_handle& client, call_spec spec, Decoder, diagnostics* diag,
                Token&& token) {
    decoder_fn<T> decode = nullptr;
    if constexpr (!std::is_void_v<T>) decode = &decode_with<T, Decoder>;
    if constexpr (is_tuple_awaitable_v<Token>) {
        // Awaited at once: no handler to erase, and on the client's executor no coroutine of
        // its own (see `await_call_code`).
        if constexpr (std::is_void_v<T>)
            return await_tuple_void(client, std::move(spec), diag);
        else
            return await_tuple<T>(client, std::move(spec), decode, diag);
    } else {
        return boost::asio::async_initiate<Token, signature_t<T>>(call_initiation<T>{client}, token,
                                                                  diag, std::move(spec), decode);
    }
}

/// The initiation of the bulk pipeline's calls.
struct bulk_initiation {
    client_handle client;

    template <class Handler>
    // `item` is taken by reference: an item is moved as few times as it can be on its way in.
    void operator()(Handler&& handler, diagnostics* diag, bulk_item&& item) const {
        start_bulk_call(client, std::move(item), diag,
                        erase_completion(client, std::forward<Handler>(handler)));
    }
    template <class Handler>
    void operator()(Handler&& handler, diagnostics* diag, boxed_bulk_item&& item) const {
        // The box is freed here, not with the initiation's frame when the call completes: a
        // waiting call keeps no item, and the next box comes from the recycling cache.
        const boxed_bulk_item box = std::move(item);
        start_bulk_call(client, std::move(*box), diag,
                        erase_completion(client, std::forward<Handler>(handler)));
    }

    /// What `permit::use_awaitable` returns instead of initiating.
    boost::asio::awaitable<void> await(diagnostics* diag, boxed_bulk_item item) const {
        return await_bulk_call(client, std::move(item), diag);
    }
};

/// The initiation of `bulk_api::flush`.
struct flush_initiation {
    client_handle client;

    template <class Handler>
    void operator()(Handler&& handler, diagnostics*) const {
        start_bulk_flush(client, erase_completion(client, std::forward<Handler>(handler)));
    }

    /// What `permit::use_awaitable` returns instead of initiating.
    boost::asio::awaitable<void> await(diagnostics*) const { return await_bulk_flush(client); }
};

}  // namespace permit::detail

// The adapter keeps the caller's handler's associated executor, allocator and cancellation slot.
/// \cond
template <template <class, class> class Associator, class Handler, class Slot, class Default>
struct boost::asio::associator<Associator, permit::detail::deliver_result<Handler, Slot>, Default>
    : Associator<Handler, Default> {
    static typename Associator<Handler, Default>::type get(
        const permit::detail::deliver_result<Handler, Slot>& h) noexcept {
        return Associator<Handler, Default>::get(h.handler);
    }
    static auto get(const permit::detail::deliver_result<Handler, Slot>& h,
                    const Default& d) noexcept
        -> decltype(Associator<Handler, Default>::get(h.handler, d)) {
        return Associator<Handler, Default>::get(h.handler, d);
    }
};
/// \endcond

#ifndef PERMIT_SEPARATE_COMPILATION
#include <permit/detail/impl/engine.ipp>
#endif
