// permit.implicit_grants: the derivation rules of a resource role, one at a time
// (`/v2/schema/{proj}/{env}/resources/{resource}/roles/{role}/implicit_grants`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/models/resource_role.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace permit {

/// The derivation rules ("implicit grants") of the environment's resource roles. Reached as
/// `client.implicit_grants`; a group of its own, as the API's "Implicit Grants" tag is.
///
/// A rule on role `document#editor` such as `{.role = "editor", .on_resource = "folder",
/// .linked_by_relation = "parent"}` gives every editor of a folder the editor role on the
/// documents whose parent it is. The rules can also be read and replaced whole through
/// `resource_roles` (`resource_role::granted_to`); there is no call that reads one.
///
/// Every function takes the resource type and the role first, starts one request and completes
/// with the signature it names; the last argument is any Asio completion token (default
/// `permit::use_awaitable`, which throws `permit::api_error`), and each has an overload taking a
/// `permit::diagnostics&` before the token. Errors: `permit::error` codes for HTTP statuses,
/// network and TLS errors, the client's timeouts, `error::invalid_response`. Cancellation: any
/// per-operation cancellation type aborts the call with `operation_aborted`. Thread safety: as
/// the `permit::client` it belongs to.
class implicit_grants_api : protected detail::api_base {
  private:
    friend class permit::client_view;
    explicit implicit_grants_api(detail::client_handle impl) : api_base(std::move(impl)) {}
    using verb = http_method;

  public:
    /// Adds a rule to `role` of `resource` (`POST .../implicit_grants`). Signature:
    /// `void(error_code, permit::derived_role_rule)`, the rule with the ids of what it names.
    /// The role has the rule: `error::conflict`; the relation is not one of `resource` whose
    /// subject is `on_resource`, or `on_resource` has no such role:
    /// `error::validation_failed`; no such role: `error::not_found`. Not retried (POST).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(std::string_view resource, std::string_view role,
                const derived_role_rule_create& rule, CompletionToken&& token = {}) const {
        return call<derived_role_rule>(spec(verb::post, resource, role, "", to_json(rule)),
                                       detail::json_decoder<derived_role_rule>{}, nullptr,
                                       std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto create(std::string_view resource, std::string_view role,
                const derived_role_rule_create& rule, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<derived_role_rule>(spec(verb::post, resource, role, "", to_json(rule)),
                                       detail::json_decoder<derived_role_rule>{}, &diag,
                                       std::forward<CompletionToken>(token));
    }

    /// Removes the rule of `role` of `resource` through the role, resource and relation `rule`
    /// names (`DELETE .../implicit_grants`, the rule in the body). Signature:
    /// `void(error_code)`. No such rule or role: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove(std::string_view resource, std::string_view role,
                const derived_role_rule_delete& rule, CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, resource, role, "", to_json(rule)),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove(std::string_view resource, std::string_view role,
                const derived_role_rule_delete& rule, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, resource, role, "", to_json(rule)),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

    /// Sets when every rule of `role` of `resource` applies (`PUT
    /// .../implicit_grants/conditions`): with `no_direct_roles_on_object`, not to a user with a
    /// role assigned directly on the instance. Signature: `void(error_code,
    /// permit::derivation_settings)`, the settings stored. No such role: `error::not_found`.
    /// Idempotent (PUT).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto set_conditions(std::string_view resource, std::string_view role,
                        const derivation_settings& when, CompletionToken&& token = {}) const {
        return call<derivation_settings>(
            spec(verb::put, resource, role, "/conditions", to_json(when)),
            detail::json_decoder<derivation_settings>{}, nullptr,
            std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto set_conditions(std::string_view resource, std::string_view role,
                        const derivation_settings& when, diagnostics& diag,
                        CompletionToken&& token = {}) const {
        return call<derivation_settings>(
            spec(verb::put, resource, role, "/conditions", to_json(when)),
            detail::json_decoder<derivation_settings>{}, &diag,
            std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec spec(verb method, std::string_view resource, std::string_view role,
                                  std::string_view suffix, std::string body) {
        auto where = path("/resources", resource) + path("/roles", role) + "/implicit_grants";
        where += suffix;
        return {.method = method,
                .base = detail::path_base::schema,
                .path = std::move(where),
                .body = std::move(body)};
    }
};

}  // namespace permit
