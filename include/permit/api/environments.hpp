// permit.environments: the environments of a project (`/v2/projects/{proj}/envs`), their copies,
// and their API keys (`/v2/api-key/{proj}/{env}`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/api_keys.hpp>
#include <permit/api/list_queries.hpp>
#include <permit/models/api_key.hpp>
#include <permit/models/environment.hpp>
#include <permit/models/page.hpp>
#include <permit/pager.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace permit {

/// The environments of the organization's projects. Reached as `client.environments`.
///
/// Every call takes the project first and the environment second, each by key or id; none needs
/// the project and environment of the key's scope. Every function starts one request and
/// completes with the signature it names; the last argument is any Asio completion token (default
/// `permit::use_awaitable`, which throws `permit::api_error`), and each has an overload taking a
/// `permit::diagnostics&` before the token. Errors: `permit::error` codes for HTTP statuses (an
/// unknown project or environment: `error::not_found`; a key the environment's is taken:
/// `error::conflict`; a key whose level or access does not reach it: `error::forbidden`), network
/// and TLS errors, the client's timeouts, `error::invalid_response`. Cancellation: any
/// per-operation cancellation type aborts the call with `operation_aborted`. Thread safety: as
/// the `permit::client` it belongs to.
class environments_api : protected detail::api_base {
  private:
    friend class permit::client_view;
    explicit environments_api(detail::client_handle impl) : api_base(std::move(impl)) {}
    using verb = http_method;

  public:
    /// Creates an environment in `project` (`POST /v2/projects/{proj}/envs`), with a tenant
    /// `default` and no policy. Signature: `void(error_code, permit::environment)`. Not retried
    /// (POST).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(std::string_view project, const environment_create& env,
                CompletionToken&& token = {}) const {
        return call<environment>(collection_spec(verb::post, project, to_json(env)),
                                 detail::json_decoder<environment>{}, nullptr,
                                 std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto create(std::string_view project, const environment_create& env, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<environment>(collection_spec(verb::post, project, to_json(env)),
                                 detail::json_decoder<environment>{}, &diag,
                                 std::forward<CompletionToken>(token));
    }

    /// Reads an environment (`GET /v2/projects/{proj}/envs/{env}`), with its
    /// `email_configuration`. Signature: `void(error_code, permit::environment)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get(std::string_view project, std::string_view env, CompletionToken&& token = {}) const {
        return call<environment>(spec(verb::get, project, env), detail::json_decoder<environment>{},
                                 nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto get(std::string_view project, std::string_view env, diagnostics& diag,
             CompletionToken&& token = {}) const {
        return call<environment>(spec(verb::get, project, env), detail::json_decoder<environment>{},
                                 &diag, std::forward<CompletionToken>(token));
    }

    /// Reads one page of the project's environments (`GET /v2/projects/{proj}/envs`): a bare
    /// array, so `total_count` is the page's size. Signature: `void(error_code,
    /// permit::page<permit::environment>)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(std::string_view project, const page_query& q = {},
              CompletionToken&& token = {}) const {
        return call<page<environment>>(list_spec(std::string(project), q.page, q.per_page),
                                       detail::list_decoder<environment>{}, nullptr,
                                       std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list(std::string_view project, const page_query& q, diagnostics& diag,
              CompletionToken&& token = {}) const {
        return call<page<environment>>(list_spec(std::string(project), q.page, q.per_page),
                                       detail::list_decoder<environment>{}, &diag,
                                       std::forward<CompletionToken>(token));
    }

    /// Every environment of `project`, page by page from `q.page`, `q.per_page` at a time.
    pager<environment> list_all(std::string_view project, page_query q = {}) const {
        return detail::pager_access::make<environment>(
            impl_, q.per_page, [project = std::string(project)](int page, int per_page) {
                return list_spec(project, page, per_page);
            });
    }

    /// Overwrites the fields set in `changes` (`PATCH /v2/projects/{proj}/envs/{env}`).
    /// Signature: `void(error_code, permit::environment)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto update(std::string_view project, std::string_view env, const environment_update& changes,
                CompletionToken&& token = {}) const {
        return call<environment>(spec(verb::patch, project, env, "", to_json(changes)),
                                 detail::json_decoder<environment>{}, nullptr,
                                 std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto update(std::string_view project, std::string_view env, const environment_update& changes,
                diagnostics& diag, CompletionToken&& token = {}) const {
        return call<environment>(spec(verb::patch, project, env, "", to_json(changes)),
                                 detail::json_decoder<environment>{}, &diag,
                                 std::forward<CompletionToken>(token));
    }

    /// Deletes an environment and all its data (`DELETE /v2/projects/{proj}/envs/{env}`), its
    /// API keys included. Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove(std::string_view project, std::string_view env,
                CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, project, env), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove(std::string_view project, std::string_view env, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, project, env), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Copies the policy of an environment (`POST /v2/projects/{proj}/envs/{env}/copy`) into a
    /// new environment of the same project or an existing one (`environment_copy`): resource
    /// types, roles, condition sets and their rules, never users, tenants, instances, tuples or
    /// role assignments. Signature: `void(error_code, permit::environment)`, the target. An
    /// object the existing target has, with `conflict_strategy` `"fail"` (the default):
    /// `error::conflict`, and nothing is copied. Not retried (POST).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto copy(std::string_view project, std::string_view env, const environment_copy& request,
              CompletionToken&& token = {}) const {
        return call<environment>(spec(verb::post, project, env, "/copy", to_json(request)),
                                 detail::json_decoder<environment>{}, nullptr,
                                 std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto copy(std::string_view project, std::string_view env, const environment_copy& request,
              diagnostics& diag, CompletionToken&& token = {}) const {
        return call<environment>(spec(verb::post, project, env, "/copy", to_json(request)),
                                 detail::json_decoder<environment>{}, &diag,
                                 std::forward<CompletionToken>(token));
    }

    /// Reads the environment's API key, with its secret (`GET /v2/api-key/{proj}/{env}`): the
    /// key that the environment's SDKs and PDP use. Signature: `void(error_code,
    /// permit::api_key)`. The secret is never logged nor put in an error (see `api_keys_api`).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto api_key(std::string_view project, std::string_view env,
                 CompletionToken&& token = {}) const {
        return call<permit::api_key>(api_key_spec(project, env), detail::api_key_decoder{}, nullptr,
                                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto api_key(std::string_view project, std::string_view env, diagnostics& diag,
                 CompletionToken&& token = {}) const {
        return call<permit::api_key>(api_key_spec(project, env), detail::api_key_decoder{}, &diag,
                                     std::forward<CompletionToken>(token));
    }

  private:
    // `/v2/projects/{project}/envs`, the key percent-encoded.
    static detail::call_spec collection_spec(verb method, std::string_view project,
                                             std::optional<std::string> body = {}) {
        return {.method = method,
                .base = detail::path_base::none,
                .path = api_base::path("/v2/projects", project) + "/envs",
                .body = std::move(body)};
    }
    // `/v2/projects/{project}/envs/{env}<suffix>`, the keys percent-encoded.
    static detail::call_spec spec(verb method, std::string_view project, std::string_view env,
                                  std::string_view suffix = {},
                                  std::optional<std::string> body = {}) {
        auto out = collection_spec(method, project, std::move(body));
        out.path = api_base::path(out.path, env) + std::string(suffix);
        return out;
    }
    static detail::call_spec list_spec(const std::string& project, int page, int per_page) {
        detail::query_builder query;
        query.add_number("page", page).add_number("per_page", per_page);
        auto out = collection_spec(verb::get, project);
        out.query = std::move(query).str();
        return out;
    }
    static detail::call_spec api_key_spec(std::string_view project, std::string_view env) {
        return {.method = verb::get,
                .base = detail::path_base::none,
                .path = api_base::path(api_base::path("/v2/api-key", project), env)};
    }
};

}  // namespace permit
