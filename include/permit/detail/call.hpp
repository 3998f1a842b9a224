// What one API operation asks of the client, and how its result travels to the caller's handler.
#pragma once

#include <permit/diagnostics.hpp>
#include <permit/http_method.hpp>

#include <boost/asio/associator.hpp>
#include <boost/system/error_code.hpp>

#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace permit::detail {

/// Which server a call goes to.
enum class service { api, pdp };

/// The prefix of an API path: none, `/v2/facts/{proj}/{env}` or `/v2/schema/{proj}/{env}`.
enum class path_base { none, facts, schema };

/// One request, before the project and environment are known.
struct call_spec {
    http_method method = http_method::get;
    service target = service::api;
    path_base base = path_base::none;
    std::string path;   ///< after the base; starts with '/'; segments already percent-encoded
    std::string query;  ///< without the '?'
    std::optional<std::string> body;  ///< JSON text
    /// Whether the request may be sent twice; unset: by its verb (`retry::is_idempotent`).
    std::optional<bool> idempotent;
    /// The caller holds the client-side rate-limit token for the first attempt (the bulk pipeline
    /// waits for a token before it forms a batch). Ignored when the client does not pace.
    bool rate_token_held = false;
};

/// The completion signature of an operation that yields `T` (nothing for `void`).
template <class T>
struct signature {
    using type = void(boost::system::error_code, T);
};
template <>
struct signature<void> {
    using type = void(boost::system::error_code);
};
template <class T>
using signature_t = typename signature<T>::type;

/// An operation's result inside the library.
template <class T>
struct outcome {
    boost::system::error_code ec;
    T value{};
};
template <>
struct outcome<void> {
    boost::system::error_code ec;
};

/// Adapts the caller's handler to what `co_spawn` delivers. Keeps the handler's associated
/// executor, allocator and cancellation slot (see the associator below).
template <class Handler, class T>
struct outcome_handler {
    Handler handler;

    void operator()(std::exception_ptr ep, outcome<T> result) {
        // The operation catches everything it can fail with; an exception here is a bug, and is
        // not turned into an error code.
        if (ep) std::rethrow_exception(ep);
        if constexpr (std::is_void_v<T>)
            std::move(handler)(result.ec);
        else
            std::move(handler)(result.ec, std::move(result.value));
    }
};

/// Lets `co_spawn` accept the caller's handler while the value is converted.
template <class T>
concept not_diagnostics = !std::is_same_v<std::remove_cvref_t<T>, diagnostics>;

}  // namespace permit::detail

template <template <class, class> class Associator, class Handler, class T, class Default>
struct boost::asio::associator<Associator, permit::detail::outcome_handler<Handler, T>, Default>
    : Associator<Handler, Default> {
    static typename Associator<Handler, Default>::type get(
        const permit::detail::outcome_handler<Handler, T>& h) noexcept {
        return Associator<Handler, Default>::get(h.handler);
    }
    static auto get(const permit::detail::outcome_handler<Handler, T>& h, const Default& d) noexcept
        -> decltype(Associator<Handler, Default>::get(h.handler, d)) {
        return Associator<Handler, Default>::get(h.handler, d);
    }
};
