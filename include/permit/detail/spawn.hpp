// Runs one of the engine's coroutines on the client's executor to a caller's type-erased handler,
// keeping the handler's associated executor, allocator and cancellation slot (or only its slot,
// when it is plain: see `engine_completion::plain`).
#pragma once

#include <permit/detail/client_impl.hpp>
#include <permit/detail/engine.hpp>

#include <boost/asio/associator.hpp>
#include <boost/asio/co_spawn.hpp>

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
