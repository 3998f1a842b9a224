// What one API operation asks of the client, and how its result travels to the caller's handler.
#pragma once

#include <permit/diagnostics.hpp>
#include <permit/http_method.hpp>

#include <boost/system/error_code.hpp>

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
    /// A `check` (`POST /allowed` with one query as its body): it may go out with others under
    /// `config::coalesce_checks`.
    bool coalescable = false;
    /// When set, the body's string is moved there once the call is over, for its memory to be
    /// used again (the bulk pipeline's bodies are hundreds of kilobytes; allocating and freeing
    /// each one made the allocator sweep every small block freed meanwhile). It must outlive
    /// the call.
    std::string* spent_body = nullptr;
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

/// A completion token that is not a `diagnostics`: keeps the overloads without `diag` from taking
/// a `diagnostics&` argument for their token.
template <class T>
concept not_diagnostics = !std::is_same_v<std::remove_cvref_t<T>, diagnostics>;

}  // namespace permit::detail
