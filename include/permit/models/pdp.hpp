#pragma once

#include <permit/models/detail/json_fields.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace permit {

/// AuthorizationQuery.user: the subject of a PDP check.
struct check_user {
    std::string key;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> email;
    boost::json::object attributes;

    friend bool operator==(const check_user&, const check_user&) = default;
};

/// AuthorizationQuery.resource: the object of a PDP check.
struct check_resource {
    std::string type;
    std::optional<std::string> key;
    std::optional<std::string> tenant;
    boost::json::object attributes;
    boost::json::object context;

    friend bool operator==(const check_resource&, const check_resource&) = default;
};

/// AuthorizationQuery: body of POST /allowed (and items of the POST /allowed/bulk array).
struct check_query {
    check_user user;
    std::string action;
    check_resource resource;
    boost::json::object context;

    friend bool operator==(const check_query&, const check_query&) = default;
};

/// AuthorizationResult: reply of POST /allowed.
struct check_result {
    bool allow = false;

    friend bool operator==(const check_result&, const check_result&) = default;
};

/// BulkAuthorizationResult: reply of POST /allowed/bulk, in request order.
struct bulk_check_result {
    std::vector<check_result> allow;

    friend bool operator==(const bulk_check_result&, const bulk_check_result&) = default;
};

/// UserPermissionsQuery: body of POST /user-permissions. Unset filters mean "no filter".
struct user_permissions_query {
    check_user user;
    std::optional<std::vector<std::string>> tenants;
    std::optional<std::vector<std::string>> resources;  // "type:key"
    std::optional<std::vector<std::string>> resource_types;
    boost::json::object context;

    friend bool operator==(const user_permissions_query&, const user_permissions_query&) = default;
};

/// The `tenant` part of one /user-permissions entry.
struct permission_tenant {
    std::string key;
    boost::json::object attributes;

    friend bool operator==(const permission_tenant&, const permission_tenant&) = default;
};

/// The `resource` part of one /user-permissions entry.
struct permission_resource {
    std::string key;
    std::string type;
    boost::json::object attributes;

    friend bool operator==(const permission_resource&, const permission_resource&) = default;
};

/// One value of the /user-permissions reply: what the user may do on one resource or tenant.
struct resource_permissions {
    std::optional<permission_tenant> tenant;
    std::optional<permission_resource> resource;
    std::vector<std::string> permissions;  // "type:action"
    std::optional<std::vector<std::string>> roles;

    friend bool operator==(const resource_permissions&, const resource_permissions&) = default;
};

/// Reply of POST /user-permissions: keyed "<type>:<key>", tenants keyed "__tenant:<key>".
using user_permissions = std::map<std::string, resource_permissions>;

// --- check_user ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const check_user& v) {
    // snake_case names: the Rust PDP front end knows only these (permit-api.md §7.1).
    detail::field_writer(jv)
        .field("key", v.key)
        .field("first_name", v.first_name)
        .field("last_name", v.last_name)
        .field("email", v.email)
        .non_empty("attributes", v.attributes);
}

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

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const check_resource& v) {
    detail::field_writer(jv)
        .field("type", v.type)
        .field("key", v.key)
        .field("tenant", v.tenant)
        .non_empty("attributes", v.attributes)
        .non_empty("context", v.context);
}

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

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const check_query& v) {
    // `context` is always sent (as `{}` when empty), as the Python SDK does.
    detail::field_writer(jv)
        .field("user", v.user)
        .field("action", v.action)
        .field("resource", v.resource)
        .field("context", v.context);
}

inline check_query tag_invoke(boost::json::value_to_tag<check_query>,
                              const boost::json::value& jv) {
    const detail::field_reader in(jv, "check_query");
    return {.user = in.required<check_user>("user"),
            .action = in.required<std::string>("action"),
            .resource = in.required<check_resource>("resource"),
            .context = in.or_default<boost::json::object>("context")};
}

// --- check_result ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const check_result& v) {
    // `result` duplicates `allow` for older SDKs, as the PDP does.
    detail::field_writer(jv).field("allow", v.allow).field("result", v.allow);
}

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

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const bulk_check_result& v) {
    detail::field_writer(jv).field("allow", v.allow);
}

inline bulk_check_result tag_invoke(boost::json::value_to_tag<bulk_check_result>,
                                    const boost::json::value& jv) {
    const detail::field_reader in(jv, "bulk_check_result");
    if (!in.find("allow") && in.find("result"))  // raw OPA form {"result":{"allow":[...]}}
        return {.allow = in.child("result").required<std::vector<check_result>>("allow")};
    return {.allow = in.required<std::vector<check_result>>("allow")};
}

// --- user_permissions_query ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_permissions_query& v) {
    detail::field_writer(jv)
        .field("user", v.user)
        .field("tenants", v.tenants)
        .field("resources", v.resources)
        .field("resource_types", v.resource_types)
        .field("context", v.context);
}

inline user_permissions_query tag_invoke(boost::json::value_to_tag<user_permissions_query>,
                                         const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_permissions_query");
    return {.user = in.required<check_user>("user"),
            .tenants = in.optional<std::vector<std::string>>("tenants"),
            .resources = in.optional<std::vector<std::string>>("resources"),
            .resource_types = in.optional<std::vector<std::string>>("resource_types"),
            .context = in.or_default<boost::json::object>("context")};
}

// --- permission_tenant / permission_resource ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const permission_tenant& v) {
    detail::field_writer(jv).field("key", v.key).field("attributes", v.attributes);
}

inline permission_tenant tag_invoke(boost::json::value_to_tag<permission_tenant>,
                                    const boost::json::value& jv) {
    const detail::field_reader in(jv, "permission_tenant");
    return {.key = in.required<std::string>("key"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const permission_resource& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("type", v.type)
        .field("attributes", v.attributes);
}

inline permission_resource tag_invoke(boost::json::value_to_tag<permission_resource>,
                                      const boost::json::value& jv) {
    const detail::field_reader in(jv, "permission_resource");
    return {.key = in.required<std::string>("key"),
            .type = in.required<std::string>("type"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

// --- resource_permissions ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const resource_permissions& v) {
    detail::field_writer(jv)
        .field("tenant", v.tenant)
        .field("resource", v.resource)
        .field("permissions", v.permissions)
        .field("roles", v.roles);
}

inline resource_permissions tag_invoke(boost::json::value_to_tag<resource_permissions>,
                                       const boost::json::value& jv) {
    const detail::field_reader in(jv, "resource_permissions");
    return {.tenant = in.optional<permission_tenant>("tenant"),
            .resource = in.optional<permission_resource>("resource"),
            .permissions = in.or_default<std::vector<std::string>>("permissions"),
            .roles = in.optional<std::vector<std::string>>("roles")};
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
