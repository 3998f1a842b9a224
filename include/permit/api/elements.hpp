// permit.elements: logging a user in to the embedded Permit Elements
// (`POST /v2/auth/elements_login_as`, https://docs.permit.io/embeddable-uis/element-login).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/models/elements.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace permit {

/// Permit Elements, the embeddable UIs. Reached as `client.elements`.
///
/// Every function starts one request and completes with the signature it names; the last
/// argument is any Asio completion token (default `permit::use_awaitable`, which throws
/// `permit::api_error`), and each has an overload taking a `permit::diagnostics&` before the
/// token. Errors: `permit::error` codes for HTTP statuses, network and TLS errors, the client's
/// timeouts, `error::invalid_response`. Cancellation: any per-operation cancellation type aborts
/// the call with `operation_aborted`. Thread safety: as the `permit::client` it belongs to.
class elements_api : protected detail::api_base {
  private:
    friend class permit::client_view;
    explicit elements_api(detail::client_handle impl) : api_base(std::move(impl)) {}

  public:
    /// Logs `user` (key or id) in to Elements in `tenant` (key or id), which the user must belong
    /// to (`POST /v2/auth/elements_login_as`, in the environment of the client's API key).
    /// Signature: `void(error_code, permit::elements_login_result)`: the `redirect_url` (and
    /// `token`) that complete the login in the user's browser, and `content`,
    /// `{"url": redirect_url}`, to send the frontend. An unknown user or tenant, or a user
    /// outside the tenant: an error, whose status the API's reference does not give (Permit's
    /// docs name it `USER_NOT_FOUND` / `TENANT_NOT_FOUND`); the emulator answers 404. Not retried
    /// (POST).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto login_as(std::string_view user, std::string_view tenant,
                  CompletionToken&& token = {}) const {
        return call<elements_login_result>(spec(user, tenant),
                                           detail::json_decoder<elements_login_result>{}, nullptr,
                                           std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto login_as(std::string_view user, std::string_view tenant, diagnostics& diag,
                  CompletionToken&& token = {}) const {
        return call<elements_login_result>(spec(user, tenant),
                                           detail::json_decoder<elements_login_result>{}, &diag,
                                           std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec spec(std::string_view user, std::string_view tenant) {
        return {.method = http_method::post,
                .base = detail::path_base::none,
                .path = "/v2/auth/elements_login_as",
                .body = to_json(elements_login_request{.user_id = std::string(user),
                                                       .tenant_id = std::string(tenant)})};
    }
};

}  // namespace permit
