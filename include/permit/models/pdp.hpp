#pragma once

#include <permit/models/detail/json_fields.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace permit {

/// AuthorizationQuery.user: the subject of a PDP check.
struct check_user {
    /// The user's key.
    std::string key;
    /// The user's first name, if the policy needs it.
    std::optional<std::string> first_name;
    /// The user's last name, if the policy needs it.
    std::optional<std::string> last_name;
    /// The user's email address, if the policy needs it.
    std::optional<std::string> email;
    /// The user's attributes, for attribute-based policies (what conditions read as `user.age`
    /// and the like). For this check only, each one overrides the stored attribute of the same
    /// key (the user's `attributes` in the API, and `key`, `email`); stored attributes not given
    /// here still count. Left out of the JSON when empty.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const check_user&, const check_user&) = default;
};

/// AuthorizationQuery.resource: the object of a PDP check.
struct check_resource {
    /// The resource type (`"document"`).
    std::string type;
    /// The instance's key, for a check on one resource instance (`"42"` of `"document:42"`).
    std::optional<std::string> key;
    /// The tenant the resource belongs to. `client::check` and `client::bulk_check` use
    /// `config::default_tenant` when it is unset or empty.
    std::optional<std::string> tenant;
    /// The resource's attributes, for attribute-based policies (what conditions read as
    /// `resource.private` and the like). For this check only, each one overrides the stored
    /// attribute of the same key (the instance's `attributes`, when `key` names a stored instance);
    /// stored attributes not given here still count. Left out of the JSON when empty.
    boost::json::object attributes;
    /// Extra data for the policy about the resource. `client::check` and `client::bulk_check` set
    /// its `tenant` to the tenant checked, unless given. Left out of the JSON when empty.
    boost::json::object context;

    /// Field-by-field equality.
    friend bool operator==(const check_resource&, const check_resource&) = default;
};

/// AuthorizationQuery: body of POST /allowed (and items of the POST /allowed/bulk array).
struct check_query {
    /// Who acts.
    check_user user;
    /// What the user wants to do (`"read"`).
    std::string action;
    /// What the user acts on.
    check_resource resource;
    /// Extra data for the policy about the request, which conditions read as `context.network`
    /// and the like (e.g. the time of the request); always sent, as `{}` when empty.
    boost::json::object context;

    /// Field-by-field equality.
    friend bool operator==(const check_query&, const check_query&) = default;
};

/// AuthorizationResult: reply of POST /allowed.
struct check_result {
    /// Whether the action is allowed.
    bool allow = false;

    /// Field-by-field equality.
    friend bool operator==(const check_result&, const check_result&) = default;
};

/// BulkAuthorizationResult: reply of POST /allowed/bulk, in request order.
struct bulk_check_result {
    /// One answer per query, in the order of the queries.
    std::vector<check_result> allow;

    /// Field-by-field equality.
    friend bool operator==(const bulk_check_result&, const bulk_check_result&) = default;
};

/// UserPermissionsQuery: body of POST /user-permissions. Unset filters mean "no filter".
struct user_permissions_query {
    /// The user whose permissions are asked for.
    check_user user;
    /// Only these tenants (keys).
    std::optional<std::vector<std::string>> tenants;
    std::optional<std::vector<std::string>> resources;  ///< "type:key"
    /// Only resources of these types.
    std::optional<std::vector<std::string>> resource_types;
    /// Extra data for the policy.
    boost::json::object context;

    /// Field-by-field equality.
    friend bool operator==(const user_permissions_query&, const user_permissions_query&) = default;
};

/// TenantDetails: a tenant as the PDP names it, in a /user-permissions entry and in the reply of
/// /allowed/all-tenants.
struct tenant_details {
    /// The tenant's key.
    std::string key;
    /// The tenant's attributes.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const tenant_details&, const tenant_details&) = default;
};

/// The `tenant` part of one /user-permissions entry.
using permission_tenant = tenant_details;

/// The `resource` part of one /user-permissions entry.
struct permission_resource {
    /// The resource instance's key.
    std::string key;
    /// The resource type.
    std::string type;
    /// The resource instance's attributes.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const permission_resource&, const permission_resource&) = default;
};

/// One value of the /user-permissions reply: what the user may do on one resource or tenant.
struct resource_permissions {
    /// The entry's tenant, when the reply names one.
    std::optional<permission_tenant> tenant;
    /// The entry's resource instance, when the reply names one.
    std::optional<permission_resource> resource;
    std::vector<std::string> permissions;  ///< "type:action"
    /// The roles behind the permissions, when the reply lists them.
    std::optional<std::vector<std::string>> roles;

    /// Field-by-field equality.
    friend bool operator==(const resource_permissions&, const resource_permissions&) = default;
};

/// Reply of POST /user-permissions: keyed "<type>:<key>", tenants keyed "__tenant:<key>".
using user_permissions = std::map<std::string, resource_permissions>;

/// AuthorizedUsersAuthorizationQuery: body of POST /authorized_users.
struct authorized_users_query {
    /// The action (`"read"`).
    std::string action;
    /// The resource type, or one instance of it (with `key`), in a tenant.
    /// `client::authorized_users` uses `config::default_tenant` when the tenant is unset or empty.
    check_resource resource;
    /// Extra data for the policy about the request; always sent, as `{}` when empty.
    boost::json::object context;

    /// Field-by-field equality.
    friend bool operator==(const authorized_users_query&, const authorized_users_query&) = default;
};

/// AuthorizedUserAssignment: one role assignment through which a user may do the action.
struct authorized_user_assignment {
    /// The user's key.
    std::string user;
    /// The tenant of the query.
    std::string tenant;
    /// Where the role is held: `"__tenant:<tenant>"` for a tenant-level role, or the resource
    /// instance (`"type:key"`) the role is assigned on, for a role on an instance (the root
    /// assignment when the role on the queried instance is derived from it).
    std::string resource;
    /// The role: its key for a tenant-level role; `"<type>#<role>"` for a role on an instance, as
    /// the PDP names resource roles (the docs also show the bare key).
    std::string role;

    /// Field-by-field equality.
    friend bool operator==(const authorized_user_assignment&,
                           const authorized_user_assignment&) = default;
};

/// AuthorizedUsersResult: reply of POST /authorized_users.
struct authorized_users_result {
    /// The resource asked about: `"type:key"`, or `"type:*"` for a resource type.
    std::string resource;
    /// The tenant asked about.
    std::string tenant;
    /// Each user who may do the action, by key, with the assignments that allow it.
    std::map<std::string, std::vector<authorized_user_assignment>> users;

    /// Field-by-field equality.
    friend bool operator==(const authorized_users_result&,
                           const authorized_users_result&) = default;
};

// --- check_user ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `AuthorizationQuery.user`
/// JSON object; unset optional fields and empty `attributes` are left out, and the names are
/// snake_case.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const check_user& v) {
    // snake_case names: the Rust PDP front end knows only these (permitio/PDP
    // `pdp-server/src/opa_client/allowed.rs`).
    detail::field_writer(jv)
        .field("key", v.key)
        .field("first_name", v.first_name)
        .field("last_name", v.last_name)
        .field("email", v.email)
        .non_empty("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `AuthorizationQuery.user` JSON object;
/// `firstName` and `lastName` (the Java and Node SDKs' spelling) are accepted when the snake_case
/// name is absent. Throws `permit::model_error` when `jv` is not an object, a required field is
/// missing, or a field has the wrong type.
inline check_user tag_invoke(boost::json::value_to_tag<check_user>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "check_user");
    // Java/Node SDKs send camelCase; the snake_case spelling wins when both are present.
    auto first = in.optional<std::string>("first_name");
    if (!first) first = in.optional<std::string>("firstName");
    auto last = in.optional<std::string>("last_name");
    if (!last) last = in.optional<std::string>("lastName");
    return {.key = in.required<std::string>("key"),
            .first_name = std::move(first),
            .last_name = std::move(last),
            .email = in.optional<std::string>("email"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

// --- check_resource ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an
/// `AuthorizationQuery.resource` JSON object; unset optional fields, and empty `attributes` and
/// `context`, are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const check_resource& v) {
    detail::field_writer(jv)
        .field("type", v.type)
        .field("key", v.key)
        .field("tenant", v.tenant)
        .non_empty("attributes", v.attributes)
        .non_empty("context", v.context);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `AuthorizationQuery.resource` JSON
/// object. Throws `permit::model_error` when `jv` is not an object, a required field is missing, or
/// a field has the wrong type.
inline check_resource tag_invoke(boost::json::value_to_tag<check_resource>,
                                 const boost::json::value& jv) {
    const detail::field_reader in(jv, "check_resource");
    return {.type = in.required<std::string>("type"),
            .key = in.optional<std::string>("key"),
            .tenant = in.optional<std::string>("tenant"),
            .attributes = in.or_default<boost::json::object>("attributes"),
            .context = in.or_default<boost::json::object>("context")};
}

// --- check_query ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `AuthorizationQuery` JSON
/// object; `context` is always written.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const check_query& v) {
    // `context` is always sent (as `{}` when empty), as the Python SDK does.
    detail::field_writer(jv)
        .field("user", v.user)
        .field("action", v.action)
        .field("resource", v.resource)
        .field("context", v.context);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `AuthorizationQuery` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline check_query tag_invoke(boost::json::value_to_tag<check_query>,
                              const boost::json::value& jv) {
    const detail::field_reader in(jv, "check_query");
    return {.user = in.required<check_user>("user"),
            .action = in.required<std::string>("action"),
            .resource = in.required<check_resource>("resource"),
            .context = in.or_default<boost::json::object>("context")};
}

// --- check_result ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `AuthorizationResult` JSON
/// object, with `result` repeating `allow` as the PDP sends it.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const check_result& v) {
    // `result` duplicates `allow` for older SDKs, as the PDP does.
    detail::field_writer(jv).field("allow", v.allow).field("result", v.allow);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `AuthorizationResult` JSON object:
/// `{"allow":b}`, the raw OPA form `{"result":{"allow":b}}`, or the PDP's legacy `{"result":b}`.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline check_result tag_invoke(boost::json::value_to_tag<check_result>,
                               const boost::json::value& jv) {
    const detail::field_reader in(jv, "check_result");
    if (in.find("allow")) return {.allow = in.required<bool>("allow")};
    // Raw OPA form {"result":{"allow":b}}; the PDP's legacy {"result":b} is accepted too.
    if (const auto* result = in.find("result")) {
        if (result->is_bool()) return {.allow = result->get_bool()};
        return {.allow = in.child("result").required<bool>("allow")};
    }
    return {.allow = in.required<bool>("allow")};  // reports the missing field
}

// --- bulk_check_result ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `BulkAuthorizationResult`
/// JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const bulk_check_result& v) {
    detail::field_writer(jv).field("allow", v.allow);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `BulkAuthorizationResult` JSON object,
/// or the raw OPA form `{"result":{"allow":[...]}}`. Throws `permit::model_error` when `jv` is not
/// an object, a required field is missing, or a field has the wrong type.
inline bulk_check_result tag_invoke(boost::json::value_to_tag<bulk_check_result>,
                                    const boost::json::value& jv) {
    const detail::field_reader in(jv, "bulk_check_result");
    if (!in.find("allow") && in.find("result"))  // raw OPA form {"result":{"allow":[...]}}
        return {.allow = in.child("result").required<std::vector<check_result>>("allow")};
    return {.allow = in.required<std::vector<check_result>>("allow")};
}

// --- user_permissions_query ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserPermissionsQuery` JSON
/// object; unset filters are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_permissions_query& v) {
    detail::field_writer(jv)
        .field("user", v.user)
        .field("tenants", v.tenants)
        .field("resources", v.resources)
        .field("resource_types", v.resource_types)
        .field("context", v.context);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserPermissionsQuery` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline user_permissions_query tag_invoke(boost::json::value_to_tag<user_permissions_query>,
                                         const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_permissions_query");
    return {.user = in.required<check_user>("user"),
            .tenants = in.optional<std::vector<std::string>>("tenants"),
            .resources = in.optional<std::vector<std::string>>("resources"),
            .resource_types = in.optional<std::vector<std::string>>("resource_types"),
            .context = in.or_default<boost::json::object>("context")};
}

// --- tenant_details / permission_resource ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `TenantDetails` JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const tenant_details& v) {
    detail::field_writer(jv).field("key", v.key).field("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `TenantDetails` JSON object (the
/// `tenant` of a `/user-permissions` entry or of an `/allowed/all-tenants` item); absent or null
/// `attributes` read as empty. Throws `permit::model_error` when `jv` is not an object, a required
/// field is missing, or a field has the wrong type.
inline tenant_details tag_invoke(boost::json::value_to_tag<tenant_details>,
                                 const boost::json::value& jv) {
    const detail::field_reader in(jv, "tenant_details");
    return {.key = in.required<std::string>("key"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as JSON, as the `resource` of a
/// `/user-permissions` entry.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const permission_resource& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("type", v.type)
        .field("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads the `resource` of a `/user-permissions`
/// entry. Throws `permit::model_error` when `jv` is not an object, a required field is missing, or
/// a field has the wrong type.
inline permission_resource tag_invoke(boost::json::value_to_tag<permission_resource>,
                                      const boost::json::value& jv) {
    const detail::field_reader in(jv, "permission_resource");
    return {.key = in.required<std::string>("key"),
            .type = in.required<std::string>("type"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

// --- resource_permissions ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as JSON, as one value of the
/// `/user-permissions` reply; unset optional fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const resource_permissions& v) {
    detail::field_writer(jv)
        .field("tenant", v.tenant)
        .field("resource", v.resource)
        .field("permissions", v.permissions)
        .field("roles", v.roles);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads one value of the `/user-permissions`
/// reply. Throws `permit::model_error` when `jv` is not an object, a required field is missing, or
/// a field has the wrong type.
inline resource_permissions tag_invoke(boost::json::value_to_tag<resource_permissions>,
                                       const boost::json::value& jv) {
    const detail::field_reader in(jv, "resource_permissions");
    return {.tenant = in.optional<permission_tenant>("tenant"),
            .resource = in.optional<permission_resource>("resource"),
            .permissions = in.or_default<std::vector<std::string>>("permissions"),
            .roles = in.optional<std::vector<std::string>>("roles")};
}

// --- authorized_users_query / authorized_user_assignment / authorized_users_result ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an
/// `AuthorizedUsersAuthorizationQuery` JSON object; `context` is always written.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const authorized_users_query& v) {
    detail::field_writer(jv)
        .field("action", v.action)
        .field("resource", v.resource)
        .field("context", v.context);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `AuthorizedUsersAuthorizationQuery`
/// JSON object. Throws `permit::model_error` when `jv` is not an object, a required field is
/// missing, or a field has the wrong type.
inline authorized_users_query tag_invoke(boost::json::value_to_tag<authorized_users_query>,
                                         const boost::json::value& jv) {
    const detail::field_reader in(jv, "authorized_users_query");
    return {.action = in.required<std::string>("action"),
            .resource = in.required<check_resource>("resource"),
            .context = in.or_default<boost::json::object>("context")};
}

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `AuthorizedUserAssignment`
/// JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const authorized_user_assignment& v) {
    detail::field_writer(jv)
        .field("user", v.user)
        .field("tenant", v.tenant)
        .field("resource", v.resource)
        .field("role", v.role);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `AuthorizedUserAssignment` JSON
/// object. Throws `permit::model_error` when `jv` is not an object, a required field is missing, or
/// a field has the wrong type.
inline authorized_user_assignment tag_invoke(boost::json::value_to_tag<authorized_user_assignment>,
                                             const boost::json::value& jv) {
    const detail::field_reader in(jv, "authorized_user_assignment");
    return {.user = in.required<std::string>("user"),
            .tenant = in.required<std::string>("tenant"),
            .resource = in.required<std::string>("resource"),
            .role = in.required<std::string>("role")};
}

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `AuthorizedUsersResult`
/// JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const authorized_users_result& v) {
    detail::field_writer(jv)
        .field("resource", v.resource)
        .field("tenant", v.tenant)
        .field("users", v.users);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `AuthorizedUsersResult` JSON object;
/// absent or null `users` read as none. Throws `permit::model_error` when `jv` is not an object, a
/// required field is missing, or a field has the wrong type.
inline authorized_users_result tag_invoke(boost::json::value_to_tag<authorized_users_result>,
                                          const boost::json::value& jv) {
    const detail::field_reader in(jv, "authorized_users_result");
    return {.resource = in.required<std::string>("resource"),
            .tenant = in.required<std::string>("tenant"),
            .users = in.or_default<std::map<std::string, std::vector<authorized_user_assignment>>>(
                "users")};
}

/// Reads an /allowed/all-tenants reply, `{"allowed_tenants": [{"allow": b, "result": b,
/// "tenant": {...}}, ...]}`: the tenants of its items that allow, in order (the PDP lists only
/// those). Throws `permit::model_error` when the reply does not have that shape.
inline std::vector<tenant_details> decode_allowed_tenants(const boost::json::value& jv) {
    const detail::field_reader in(jv, "all_tenants_result");
    const auto items = in.required<boost::json::array>("allowed_tenants");
    std::vector<tenant_details> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const detail::field_reader item(items[i], "all_tenants_result",
                                        "allowed_tenants[" + std::to_string(i) + "]");
        if (item.required<bool>("allow")) out.push_back(item.required<tenant_details>("tenant"));
    }
    return out;
}

/// Reads a /user-permissions reply: the plain map, or the raw OPA form
/// {"result":{"permissions":{...}}}. The OPA form is recognised by `result.permissions` being an
/// object (in the plain form an entry's `permissions` is an array).
inline user_permissions decode_user_permissions(const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_permissions");
    if (const auto* result = in.find("result")) {
        const auto* inner = result->if_object();
        const auto* perms = inner ? inner->if_contains("permissions") : nullptr;
        if (perms && perms->is_object())
            return in.child("result").required<user_permissions>("permissions");
    }
    return detail::decode_field<user_permissions>(jv, "user_permissions");
}

}  // namespace permit
