// The PDP's decisions: `check`, `bulk_check` and `get_user_permissions`, members of every
// `permit::client`.
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/check.hpp>
#include <permit/models/model_error.hpp>
#include <permit/models/pdp.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace permit {

namespace detail {

struct check_decoder {
    bool operator()(const http::response& r) const { return json_decoder<check_result>{}(r).allow; }
};

struct bulk_check_decoder {
    std::vector<bool> operator()(const http::response& r) const {
        const auto jv = parse_body(r.body);
        // The OPA form {"result":{"allow":[...]}} is accepted too, as the official SDKs do.
        const auto* obj = jv.if_object();
        const boost::json::value* list = obj ? obj->if_contains("allow") : nullptr;
        if (!list && obj) {
            if (const auto* result = obj->if_contains("result"); result && result->is_object())
                list = result->get_object().if_contains("allow");
        }
        if (!list || !list->is_array())
            throw model_error("bulk_check_result", "allow", model_error::kind::wrong_type,
                              "an array");
        std::vector<bool> out;
        out.reserve(list->get_array().size());
        for (const auto& item : list->get_array())
            out.push_back(boost::json::value_to<check_result>(item).allow);
        return out;
    }
};

struct user_permissions_decoder {
    user_permissions operator()(const http::response& r) const {
        return decode_user_permissions(parse_body(r.body));
    }
};

}  // namespace detail

/// The calls to the PDP (`config::pdp_url`): whether a user may do an action on a resource, many
/// such questions at once, and everything a user may do. Members of every `permit::client` and
/// of its views (`permit.check(...)`).
///
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client_view`). A decision changes nothing, so it is
/// retried under `config::retry` like a GET.
class pdp_api : protected detail::api_base {
  public:
    /// Asks the PDP whether `user` may do `action` on `resource` (`POST /allowed`).
    /// `resource` is a type (`"document"`) or an instance (`"document:42"`); the tenant is
    /// `config::default_tenant`. Signature: `void(error_code, bool)`. A decision is idempotent, so
    /// it is retried under `config::retry` like a GET; a denial is `false`, not an error.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, std::string_view resource,
               CompletionToken&& token = {}) {
        return check(std::move(user), action, resource_from_string(resource),
                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, std::string_view resource,
               diagnostics& diag, CompletionToken&& token = {}) {
        return check(std::move(user), action, resource_from_string(resource), diag,
                     std::forward<CompletionToken>(token));
    }

    /// As above with a resource object: `{.type = "document", .tenant = "marketing"}`. An empty
    /// tenant becomes `config::default_tenant`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, check_resource resource,
               CompletionToken&& token = {}) {
        return check(make_query(std::move(user), action, std::move(resource)),
                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, check_resource resource,
               diagnostics& diag, CompletionToken&& token = {}) {
        return check(make_query(std::move(user), action, std::move(resource)), diag,
                     std::forward<CompletionToken>(token));
    }

    /// As above with a whole query, `context` included.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check(check_query query, CompletionToken&& token = {}) {
        return call<bool>(check_spec(std::move(query)), detail::check_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check(check_query query, diagnostics& diag, CompletionToken&& token = {}) {
        return call<bool>(check_spec(std::move(query)), detail::check_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Asks the PDP many questions in one request (`POST /allowed/bulk`); answers in order.
    /// Signature: `void(error_code, std::vector<bool>)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_check(std::vector<check_query> queries, CompletionToken&& token = {}) {
        return call<std::vector<bool>>(bulk_check_spec(std::move(queries)),
                                       detail::bulk_check_decoder{}, nullptr,
                                       std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_check(std::vector<check_query> queries, diagnostics& diag,
                    CompletionToken&& token = {}) {
        return call<std::vector<bool>>(bulk_check_spec(std::move(queries)),
                                       detail::bulk_check_decoder{}, &diag,
                                       std::forward<CompletionToken>(token));
    }

    /// What the user may do, per resource and tenant (`POST /user-permissions`).
    /// Signature: `void(error_code, permit::user_permissions)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto get_user_permissions(user_permissions_query query, CompletionToken&& token = {}) {
        return call<user_permissions>(permissions_spec(query), detail::user_permissions_decoder{},
                                      nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto get_user_permissions(user_permissions_query query, diagnostics& diag,
                              CompletionToken&& token = {}) {
        return call<user_permissions>(permissions_spec(query), detail::user_permissions_decoder{},
                                      &diag, std::forward<CompletionToken>(token));
    }

  protected:
    /// The PDP calls of the client that `client` refers to.
    explicit pdp_api(detail::client_handle client) : api_base(std::move(client)) {}

  private:
    check_query make_query(check_subject user, std::string_view action,
                           check_resource resource) const {
        return {.user = std::move(user).get(),
                .action = std::string(action),
                .resource = std::move(resource)};
    }

    // The normalisation of the official SDKs: the default tenant, copied
    // into the resource's context as the Python SDK does.
    check_query normalize(check_query q) const {
        if (!q.resource.tenant || q.resource.tenant->empty())
            q.resource.tenant = detail::config_of(*impl_.impl).default_tenant;
        if (!q.resource.context.contains("tenant"))
            q.resource.context["tenant"] = *q.resource.tenant;
        return q;
    }

    detail::call_spec check_spec(check_query q) const {
        return {.method = http_method::post,
                .target = detail::service::pdp,
                .path = "/allowed",
                .body = detail::json_text(normalize(std::move(q)))};
    }

    detail::call_spec bulk_check_spec(std::vector<check_query> queries) const {
        for (auto& q : queries) q = normalize(std::move(q));
        return {.method = http_method::post,
                .target = detail::service::pdp,
                .path = "/allowed/bulk",
                .body = detail::json_text(queries)};
    }

    static detail::call_spec permissions_spec(const user_permissions_query& q) {
        return {.method = http_method::post,
                .target = detail::service::pdp,
                .path = "/user-permissions",
                .body = detail::json_text(q)};
    }
};

}  // namespace permit
