// permit.api_keys: the API keys of the organization (`/v2/api-key`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/models/api_key.hpp>
#include <permit/models/page.hpp>

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace permit {

namespace detail {

/// Reads a reply that holds API keys without ever letting its text reach the diagnostics: a body
/// that does not decode fails as a `model_error`, which says what was wrong but quotes nothing of
/// the body (a body that is not JSON would otherwise be kept as `diagnostics::raw_body`, with the
/// secrets in it).
template <class T, class Decode>
T decode_keeping_secrets(const http::response& r, Decode decode) {
    boost::system::error_code ec;
    const auto jv = boost::json::parse(r.body, ec);
    if (ec)
        throw model_error("api_key", {}, model_error::kind::wrong_type,
                          "JSON (the body is not JSON: " + why_not_json(r.body, ec) +
                              "; it is not kept, since it may hold a key's secret)");
    try {
        return decode(jv);
    } catch (const model_error&) {
        throw;
    } catch (const std::exception&) {
        // A value out of range, say; its message could quote the body.
        throw model_error("api_key", {}, model_error::kind::wrong_type,
                          "an APIKeyRead (a value is out of range)");
    }
}

/// Decodes an `APIKeyRead` (see `decode_keeping_secrets`).
struct api_key_decoder {
    api_key operator()(const http::response& r) const {
        return decode_keeping_secrets<api_key>(
            r, [](const boost::json::value& jv) { return boost::json::value_to<api_key>(jv); });
    }
};

/// Decodes a `PaginatedResult_APIKeyRead_` (see `decode_keeping_secrets`).
struct api_key_list_decoder {
    page<api_key> operator()(const http::response& r) const {
        return decode_keeping_secrets<page<api_key>>(
            r, [](const boost::json::value& jv) { return decode_list<api_key>(jv); });
    }
};

}  // namespace detail

/// The API keys of the organization of the client's API key. Reached as `client.api_keys`.
///
/// A key reaches the whole organization (`object_type` `"org"`), one project (`"project"`) or
/// one environment (`"env"`), with an access level (`"admin"`, `"write"`, `"read"`,
/// `"no_access"`). Every call here needs the key's `secret` kept secret: the library never puts
/// it in a log line, an error or a `permit::diagnostics` (a reply that does not decode fails with
/// `error::invalid_response` and no trace of its body). The environment's own key is
/// `environments.api_key(project, environment)`.
///
/// Every function starts one request and completes with the signature it names; the last
/// argument is any Asio completion token (default `permit::use_awaitable`, which throws
/// `permit::api_error`), and each has an overload taking a `permit::diagnostics&` before the
/// token. Errors: `permit::error` codes for HTTP statuses (an unknown key: `error::not_found`; a
/// key the caller's key does not reach: `error::forbidden`), network and TLS errors, the client's
/// timeouts, `error::invalid_response`. Cancellation: any per-operation cancellation type aborts
/// the call with `operation_aborted`. Thread safety: as the `permit::client` it belongs to.
class api_keys_api : protected detail::api_base {
  private:
    friend class permit::client_view;
    explicit api_keys_api(detail::client_handle impl) : api_base(std::move(impl)) {}
    using verb = http_method;

  public:
    /// Reads one page of the keys matching `q` (`GET /v2/api-key`). Signature:
    /// `void(error_code, permit::page<permit::api_key>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const api_key_list_query& q = {}, CompletionToken&& token = {}) const {
        return call<page<api_key>>(list_spec(q), detail::api_key_list_decoder{}, nullptr,
                                   std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list(const api_key_list_query& q, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<page<api_key>>(list_spec(q), detail::api_key_list_decoder{}, &diag,
                                   std::forward<CompletionToken>(token));
    }

    /// Creates a key (`POST /v2/api-key`); the reply holds its secret. Signature:
    /// `void(error_code, permit::api_key)`. An unknown project or environment:
    /// `error::not_found`; a scope the caller's key does not reach: `error::forbidden`. Not
    /// retried (POST).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(const api_key_create& key, CompletionToken&& token = {}) const {
        return call<api_key>(spec(verb::post, "", to_json(key)), detail::api_key_decoder{}, nullptr,
                             std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto create(const api_key_create& key, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<api_key>(spec(verb::post, "", to_json(key)), detail::api_key_decoder{}, &diag,
                             std::forward<CompletionToken>(token));
    }

    /// Reads a key by id (`GET /v2/api-key/{id}`). Signature: `void(error_code,
    /// permit::api_key)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get(std::string_view id, CompletionToken&& token = {}) const {
        return call<api_key>(spec(verb::get, path("", id)), detail::api_key_decoder{}, nullptr,
                             std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto get(std::string_view id, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<api_key>(spec(verb::get, path("", id)), detail::api_key_decoder{}, &diag,
                             std::forward<CompletionToken>(token));
    }

    /// Deletes a key (`DELETE /v2/api-key/{id}`): it authenticates nothing any more. Signature:
    /// `void(error_code)`. Missing: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove(std::string_view id, CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, path("", id)), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove(std::string_view id, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, path("", id)), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Gives a key a new secret (`POST /v2/api-key/{id}/rotate-secret`); the old one stops
    /// working. Signature: `void(error_code, permit::api_key)`, with the new secret. Missing:
    /// `error::not_found`. Not retried (POST): a second rotation would revoke the first one's
    /// secret.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto rotate_secret(std::string_view id, CompletionToken&& token = {}) const {
        return call<api_key>(spec(verb::post, path("", id) + "/rotate-secret"),
                             detail::api_key_decoder{}, nullptr,
                             std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto rotate_secret(std::string_view id, diagnostics& diag, CompletionToken&& token = {}) const {
        return call<api_key>(spec(verb::post, path("", id) + "/rotate-secret"),
                             detail::api_key_decoder{}, &diag,
                             std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec spec(verb method, std::string suffix,
                                  std::optional<std::string> body = {}) {
        return {.method = method,
                .base = detail::path_base::none,
                .path = "/v2/api-key" + suffix,
                .body = std::move(body)};
    }
    static detail::call_spec list_spec(const api_key_list_query& q) {
        detail::query_builder query;
        query.add_optional("object_type", q.object_type)
            .add_optional("proj_id", q.project)
            .add_number("page", q.page)
            .add_number("per_page", q.per_page);
        auto out = spec(verb::get, "");
        out.query = std::move(query).str();
        return out;
    }
};

}  // namespace permit
