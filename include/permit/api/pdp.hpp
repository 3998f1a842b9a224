// The PDP's decisions: `check`, `bulk_check`, `check_all_tenants`, `authorized_users`,
// `filter_objects` and `get_user_permissions`, members of every `permit::client`.
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/check.hpp>
#include <permit/detail/decision.hpp>
#include <permit/models/model_error.hpp>
#include <permit/models/pdp.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace permit {

namespace detail {

struct check_decoder {
    bool operator()(const http::response& r) const {
        // The plain reply without a JSON document; any other form, or an error, in full.
        if (const auto allow = plain_decision(r.body)) return *allow;
        return json_decoder<check_result>{}(r).allow;
    }
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

struct all_tenants_decoder {
    std::vector<tenant_details> operator()(const http::response& r) const {
        return decode_allowed_tenants(parse_body(r.body));
    }
};

/// A completion token rather than a tenant key: keeps `filter_objects(user, action, ids,
/// "acme")` from taking `"acme"` for its token.
template <class T>
concept not_diagnostics_or_text = not_diagnostics<T> && !std::is_convertible_v<T, std::string_view>;

/// What `filter_objects` keeps between its request and its handler: the instances asked about,
/// then those allowed.
struct filter_slot {
    std::vector<std::string> instances;
    std::vector<std::string> value;

    static void fill(void* self, const http::response& r) {
        auto& slot = *static_cast<filter_slot*>(self);
        const auto allowed = bulk_check_decoder{}(r);
        if (allowed.size() != slot.instances.size())
            throw model_error("bulk_check_result", "allow", model_error::kind::wrong_type,
                              "an array of " + std::to_string(slot.instances.size()) +
                                  " answers, one per check (it has " +
                                  std::to_string(allowed.size()) + ")");
        for (std::size_t i = 0; i < allowed.size(); ++i)
            if (allowed[i]) slot.value.push_back(std::move(slot.instances[i]));
    }
};

/// The initiation of `filter_objects`: one `/allowed/bulk` request, or none for no instances.
struct filter_initiation {
    client_handle client;

    template <class Handler>
    void operator()(Handler&& handler, diagnostics* diag, call_spec spec,
                    std::vector<std::string> instances) const {
        if (instances.empty()) {
            if (diag) *diag = diagnostics{};
            boost::asio::post(
                executor_of(*client.impl),
                boost::asio::append(std::forward<Handler>(handler), boost::system::error_code{},
                                    std::vector<std::string>{}));
            return;
        }
        auto slot = std::make_unique<filter_slot>();
        slot->instances = std::move(instances);
        const result_sink sink{slot.get(), &filter_slot::fill};
        const bool plain = is_plain_for(handler, executor_of(*client.impl));
        start_call(client, std::move(spec), sink, diag,
                   {completion_handler(deliver_result<std::decay_t<Handler>, filter_slot>{
                        std::forward<Handler>(handler), std::move(slot)}),
                    plain});
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
    /// it is retried under `config::retry` like a GET; a denial is `false`, not an error. With
    /// `config::coalesce_checks`, a check that finds every connection to the PDP busy goes out with
    /// others in one `POST /allowed/bulk` request.
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

    /// As above with the request's `context`, which conditions read as `context.network`
    /// and the like (the official SDKs' fourth argument of `check`): `check(user, "read",
    /// "document:42", ctx)`. The attributes of `user` (a `check_user` or a `permit::user`) and of a
    /// `check_resource` override the stored ones key by key, for this check only.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, std::string_view resource,
               boost::json::object context, CompletionToken&& token = {}) {
        return check(
            with_context(make_query(std::move(user), action, resource_from_string(resource)),
                         std::move(context)),
            std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, std::string_view resource,
               boost::json::object context, diagnostics& diag, CompletionToken&& token = {}) {
        return check(
            with_context(make_query(std::move(user), action, resource_from_string(resource)),
                         std::move(context)),
            diag, std::forward<CompletionToken>(token));
    }

    /// As above with a resource object: `{.type = "document", .key = "42", .attributes = ...}`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, check_resource resource,
               boost::json::object context, CompletionToken&& token = {}) {
        return check(with_context(make_query(std::move(user), action, std::move(resource)),
                                  std::move(context)),
                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check(check_subject user, std::string_view action, check_resource resource,
               boost::json::object context, diagnostics& diag, CompletionToken&& token = {}) {
        return check(with_context(make_query(std::move(user), action, std::move(resource)),
                                  std::move(context)),
                     diag, std::forward<CompletionToken>(token));
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

    /// The tenants in which `user` may do `action` on `resource` (`POST /allowed/all-tenants`,
    /// a container PDP's route: the Cloud PDP does not serve it). `resource` is a type
    /// (`"document"`) or an instance (`"document:42"`). Signature:
    /// `void(error_code, std::vector<permit::tenant_details>)`: each tenant's key and attributes,
    /// in the PDP's order; none is not an error. The PDP tries the tenants in which the user holds
    /// a tenant-level role (every tenant for a user it does not know): a user with roles on
    /// resource instances only gets none, and a ReBAC grant lists at most the instance's tenant.
    /// Retried under `config::retry` like a GET.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check_all_tenants(check_subject user, std::string_view action, std::string_view resource,
                           CompletionToken&& token = {}) {
        return check_all_tenants(std::move(user), action, resource_from_string(resource),
                                 std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check_all_tenants(check_subject user, std::string_view action, std::string_view resource,
                           diagnostics& diag, CompletionToken&& token = {}) {
        return check_all_tenants(std::move(user), action, resource_from_string(resource), diag,
                                 std::forward<CompletionToken>(token));
    }

    /// As above with a resource object. Its tenant is ignored by the PDP, and sent only if set
    /// (`config::default_tenant` is not applied).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check_all_tenants(check_subject user, std::string_view action, check_resource resource,
                           CompletionToken&& token = {}) {
        return check_all_tenants(make_query(std::move(user), action, std::move(resource)),
                                 std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check_all_tenants(check_subject user, std::string_view action, check_resource resource,
                           diagnostics& diag, CompletionToken&& token = {}) {
        return check_all_tenants(make_query(std::move(user), action, std::move(resource)), diag,
                                 std::forward<CompletionToken>(token));
    }

    /// As above with a whole query, `context` included, sent as it is.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto check_all_tenants(check_query query, CompletionToken&& token = {}) {
        return call<std::vector<tenant_details>>(all_tenants_spec(std::move(query)),
                                                 detail::all_tenants_decoder{}, nullptr,
                                                 std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto check_all_tenants(check_query query, diagnostics& diag, CompletionToken&& token = {}) {
        return call<std::vector<tenant_details>>(all_tenants_spec(std::move(query)),
                                                 detail::all_tenants_decoder{}, &diag,
                                                 std::forward<CompletionToken>(token));
    }

    /// The users who may do `action` on `resource`, with the role assignments that allow it
    /// (`POST /authorized_users`). `resource` is a type (`"document"`: tenant-level roles only)
    /// or an instance (`"document:42"`: roles on it, assigned or derived through relationship
    /// tuples, too); the tenant is `config::default_tenant`. Signature:
    /// `void(error_code, permit::authorized_users_result)`. A role on an instance is reported as
    /// `"<type>#<role>"` on the instance it is assigned on (for a derived role, the assignment it
    /// derives from); a tenant-level role by its key on `"__tenant:<tenant>"`. Retried under
    /// `config::retry` like a GET.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto authorized_users(std::string_view action, std::string_view resource,
                          CompletionToken&& token = {}) {
        return authorized_users(action, resource_from_string(resource),
                                std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto authorized_users(std::string_view action, std::string_view resource, diagnostics& diag,
                          CompletionToken&& token = {}) {
        return authorized_users(action, resource_from_string(resource), diag,
                                std::forward<CompletionToken>(token));
    }

    /// As above with a resource object: `{.type = "document", .key = "42", .tenant = "acme"}`. An
    /// empty tenant becomes `config::default_tenant`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto authorized_users(std::string_view action, check_resource resource,
                          CompletionToken&& token = {}) {
        return authorized_users(
            authorized_users_query{.action = std::string(action), .resource = std::move(resource)},
            std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto authorized_users(std::string_view action, check_resource resource, diagnostics& diag,
                          CompletionToken&& token = {}) {
        return authorized_users(
            authorized_users_query{.action = std::string(action), .resource = std::move(resource)},
            diag, std::forward<CompletionToken>(token));
    }

    /// As above with a whole query, `context` included.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto authorized_users(authorized_users_query query, CompletionToken&& token = {}) {
        return call<authorized_users_result>(authorized_users_spec(std::move(query)),
                                             detail::json_decoder<authorized_users_result>{},
                                             nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto authorized_users(authorized_users_query query, diagnostics& diag,
                          CompletionToken&& token = {}) {
        return call<authorized_users_result>(authorized_users_spec(std::move(query)),
                                             detail::json_decoder<authorized_users_result>{}, &diag,
                                             std::forward<CompletionToken>(token));
    }

    /// The resource instances, of `instances` (each `"type:key"`, in `config::default_tenant`),
    /// on which `user` may do `action`: one `POST /allowed/bulk` request with a check per
    /// instance, answered with the allowed ones in their input order. Signature:
    /// `void(error_code, std::vector<std::string>)`. No instances: no request, and an empty
    /// result (completed through the client's executor, never inline). A string without `:` is
    /// checked as a resource type, as `check` reads it. Permit documents no limit on the checks of
    /// one bulk request (only the Cloud PDP's rate of such requests), so the list is not split:
    /// split a very long one yourself. A reply with another number of answers than checks fails
    /// with `error::invalid_response`. Retried under `config::retry` like a GET.
    template <detail::not_diagnostics_or_text CompletionToken = use_awaitable_t>
    auto filter_objects(check_subject user, std::string_view action,
                        std::vector<std::string> instances, CompletionToken&& token = {}) {
        return filter(std::move(user), action, std::move(instances), {}, nullptr,
                      std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto filter_objects(check_subject user, std::string_view action,
                        std::vector<std::string> instances, diagnostics& diag,
                        CompletionToken&& token = {}) {
        return filter(std::move(user), action, std::move(instances), {}, &diag,
                      std::forward<CompletionToken>(token));
    }

    /// As above, the instances being in `tenant` (an empty one: `config::default_tenant`).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto filter_objects(check_subject user, std::string_view action,
                        std::vector<std::string> instances, std::string_view tenant,
                        CompletionToken&& token = {}) {
        return filter(std::move(user), action, std::move(instances), tenant, nullptr,
                      std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto filter_objects(check_subject user, std::string_view action,
                        std::vector<std::string> instances, std::string_view tenant,
                        diagnostics& diag, CompletionToken&& token = {}) {
        return filter(std::move(user), action, std::move(instances), tenant, &diag,
                      std::forward<CompletionToken>(token));
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

    static check_query with_context(check_query q, boost::json::object context) {
        q.context = std::move(context);
        return q;
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

    // The query as `normalize` makes it, written without a JSON document.
    detail::call_spec check_spec(const check_query& q) const {
        return {.method = http_method::post,
                .target = detail::service::pdp,
                .path = "/allowed",
                .body = detail::check_query_text(q, detail::config_of(*impl_.impl).default_tenant),
                .coalescable = true};
    }

    detail::call_spec bulk_check_spec(const std::vector<check_query>& queries) const {
        const std::string& tenant = detail::config_of(*impl_.impl).default_tenant;
        std::string body = "[";
        for (const auto& q : queries) {
            if (body.size() > 1) body += ',';
            detail::append_check_query(body, q, tenant);
        }
        body += ']';
        return {.method = http_method::post,
                .target = detail::service::pdp,
                .path = "/allowed/bulk",
                .body = std::move(body)};
    }

    static detail::call_spec all_tenants_spec(check_query q) {
        // Sent as given: the PDP sets the resource's tenant itself, to each tenant it tries.
        return {.method = http_method::post,
                .target = detail::service::pdp,
                .path = "/allowed/all-tenants",
                .body = detail::json_text(q)};
    }

    detail::call_spec authorized_users_spec(authorized_users_query q) const {
        // The Python SDK's normalisation of the resource (permit-python
        // `permit/enforcement/enforcer.py`, `authorized_users`), as for `check`.
        check_query as_check{.resource = std::move(q.resource)};
        q.resource = normalize(std::move(as_check)).resource;
        return {.method = http_method::post,
                .target = detail::service::pdp,
                .path = "/authorized_users",
                .body = detail::json_text(q)};
    }

    template <class CompletionToken>
    auto filter(check_subject user, std::string_view action, std::vector<std::string> instances,
                std::string_view tenant, diagnostics* diag, CompletionToken&& token) {
        std::vector<check_query> queries;
        queries.reserve(instances.size());
        for (const auto& instance : instances) {
            auto resource = resource_from_string(instance);
            if (!tenant.empty()) resource.tenant = std::string(tenant);
            queries.push_back(make_query(user, action, std::move(resource)));
        }
        return boost::asio::async_initiate<CompletionToken,
                                           detail::signature_t<std::vector<std::string>>>(
            detail::filter_initiation{impl_}, token, diag, bulk_check_spec(std::move(queries)),
            std::move(instances));
    }

    static detail::call_spec permissions_spec(const user_permissions_query& q) {
        return {.method = http_method::post,
                .target = detail::service::pdp,
                .path = "/user-permissions",
                .body = detail::json_text(q)};
    }
};

}  // namespace permit
