// The default completion token: `co_await` gives the value, or throws permit::api_error.
#pragma once

#include <permit/diagnostics.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <tuple>
#include <utility>

namespace permit {

/// Completion token type of `permit::use_awaitable`.
struct use_awaitable_t {
    /// A token; `permit::use_awaitable` is one.
    constexpr use_awaitable_t() noexcept = default;
};

/// The default completion token of every operation. Like `boost::asio::use_awaitable`, it makes
/// the operation return an `asio::awaitable<T>`; on failure the `co_await` throws
/// `permit::api_error`, which carries the call's `permit::diagnostics`.
inline constexpr use_awaitable_t use_awaitable{};

namespace detail {

// Every permit initiation takes a `diagnostics*` right after the handler, so that a completion
// token adapter can collect the details of a failure (Boost.MySQL does the same).
template <class T>
struct awaitable_adapter {
    template <class Initiation, class... Args>
    static boost::asio::awaitable<T> run(Initiation init, diagnostics* user_diag, Args... args) {
        diagnostics diag;
        auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
        auto result = co_await boost::asio::async_initiate<decltype(token),
                                                           void(boost::system::error_code, T)>(
            std::move(init), token, &diag, std::move(args)...);
        if (user_diag) *user_diag = diag;
        if (std::get<0>(result)) throw api_error(std::get<0>(result), std::move(diag));
        co_return std::move(std::get<1>(result));
    }
};

template <>
struct awaitable_adapter<void> {
    template <class Initiation, class... Args>
    static boost::asio::awaitable<void> run(Initiation init, diagnostics* user_diag, Args... args) {
        diagnostics diag;
        auto token = boost::asio::as_tuple(boost::asio::use_awaitable);
        auto [ec] =
            co_await boost::asio::async_initiate<decltype(token), void(boost::system::error_code)>(
                std::move(init), token, &diag, std::move(args)...);
        if (user_diag) *user_diag = diag;
        if (ec) throw api_error(ec, std::move(diag));
    }
};

}  // namespace detail
}  // namespace permit

// Boost.Asio's customisation for the token: the operation runs in a coroutine that throws
// permit::api_error on failure (see detail::awaitable_adapter). Left out of the reference.
/// \cond
template <class T>
class boost::asio::async_result<permit::use_awaitable_t, void(boost::system::error_code, T)> {
  public:
    using return_type = boost::asio::awaitable<T>;

    template <class Initiation, class... Args>
    static return_type initiate(Initiation init, permit::use_awaitable_t, permit::diagnostics* diag,
                                Args... args) {
        // The library's own initiations have an awaitable of their own, compiled once.
        if constexpr (requires { init.await(diag, std::move(args)...); })
            return init.await(diag, std::move(args)...);
        else
            return permit::detail::awaitable_adapter<T>::run(std::move(init), diag,
                                                             std::move(args)...);
    }
};

template <>
class boost::asio::async_result<permit::use_awaitable_t, void(boost::system::error_code)> {
  public:
    using return_type = boost::asio::awaitable<void>;

    template <class Initiation, class... Args>
    static return_type initiate(Initiation init, permit::use_awaitable_t, permit::diagnostics* diag,
                                Args... args) {
        if constexpr (requires { init.await(diag, std::move(args)...); })
            return init.await(diag, std::move(args)...);
        else
            return permit::detail::awaitable_adapter<void>::run(std::move(init), diag,
                                                                std::move(args)...);
    }
};
/// \endcond
