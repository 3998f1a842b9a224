#pragma once

#include <permit/models/detail/json_fields.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <optional>
#include <string>
#include <vector>

namespace permit {

/// UserRole: a tenant-level role in UserRead.roles (deprecated by the API, still returned).
struct user_role {
    std::string role;
    std::string tenant;

    friend bool operator==(const user_role&, const user_role&) = default;
};

/// UserRoleCreate: body of POST /users/{id}/roles and items of UserCreate.role_assignments.
struct user_role_create {
    std::string role;
    std::optional<std::string> tenant;
    std::optional<std::string> resource_instance;

    friend bool operator==(const user_role_create&, const user_role_create&) = default;
};

/// UserRoleRemove: body of DELETE /users/{id}/roles.
struct user_role_remove {
    std::string role;
    std::string tenant;
    std::optional<std::string> resource_instance;

    friend bool operator==(const user_role_remove&, const user_role_remove&) = default;
};

/// UserCreate: body of POST /users and PUT /users/{id}.
struct user_create {
    std::string key;
    std::optional<std::string> email;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    boost::json::object attributes;
    std::vector<user_role_create> role_assignments;

    friend bool operator==(const user_create&, const user_create&) = default;
};

/// UserUpdate: body of PATCH /users/{id}; a present field overwrites the stored one.
struct user_update {
    std::optional<std::string> email;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<boost::json::object> attributes;

    friend bool operator==(const user_update&, const user_update&) = default;
};

/// UserResourceInstanceRole: a role the user holds on one resource instance.
struct user_resource_instance_role {
    std::string resource_instance;
    std::string resource;
    std::string role;

    friend bool operator==(const user_resource_instance_role&,
                           const user_resource_instance_role&) = default;
};

/// UserInTenant: one entry of UserRead.associated_tenants.
struct user_in_tenant {
    std::string tenant;
    std::vector<std::string> roles;
    std::string status;  // "active" | "pending"; kept a string so new values still parse
    std::vector<user_resource_instance_role> resource_instance_roles;

    friend bool operator==(const user_in_tenant&, const user_in_tenant&) = default;
};

/// UserRead: a user as returned by the users endpoints.
struct user {
    std::string key;
    std::string id;
    std::string organization_id;
    std::string project_id;
    std::string environment_id;
    std::vector<user_in_tenant> associated_tenants;
    std::vector<user_role> roles;
    std::string created_at;
    std::string updated_at;
    std::optional<std::string> email;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    boost::json::object attributes;

    friend bool operator==(const user&, const user&) = default;
};

// --- user_role ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const user_role& v) {
    detail::field_writer(jv).field("role", v.role).field("tenant", v.tenant);
}

inline user_role tag_invoke(boost::json::value_to_tag<user_role>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_role");
    return {.role = in.required<std::string>("role"), .tenant = in.required<std::string>("tenant")};
}

// --- user_role_create ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_role_create& v) {
    detail::field_writer(jv)
        .field("role", v.role)
        .field("tenant", v.tenant)
        .field("resource_instance", v.resource_instance);
}

inline user_role_create tag_invoke(boost::json::value_to_tag<user_role_create>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_role_create");
    return {.role = in.required<std::string>("role"),
            .tenant = in.optional<std::string>("tenant"),
            .resource_instance = in.optional<std::string>("resource_instance")};
}

// --- user_role_remove ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_role_remove& v) {
    detail::field_writer(jv)
        .field("role", v.role)
        .field("tenant", v.tenant)
        .field("resource_instance", v.resource_instance);
}

inline user_role_remove tag_invoke(boost::json::value_to_tag<user_role_remove>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_role_remove");
    return {.role = in.required<std::string>("role"),
            .tenant = in.required<std::string>("tenant"),
            .resource_instance = in.optional<std::string>("resource_instance")};
}

// --- user_create ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const user_create& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("email", v.email)
        .field("first_name", v.first_name)
        .field("last_name", v.last_name)
        .non_empty("attributes", v.attributes)
        .non_empty("role_assignments", v.role_assignments);
}

inline user_create tag_invoke(boost::json::value_to_tag<user_create>,
                              const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_create");
    return {.key = in.required<std::string>("key"),
            .email = in.optional<std::string>("email"),
            .first_name = in.optional<std::string>("first_name"),
            .last_name = in.optional<std::string>("last_name"),
            .attributes = in.or_default<boost::json::object>("attributes"),
            .role_assignments = in.or_default<std::vector<user_role_create>>("role_assignments")};
}

// --- user_update ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const user_update& v) {
    detail::field_writer(jv)
        .field("email", v.email)
        .field("first_name", v.first_name)
        .field("last_name", v.last_name)
        .field("attributes", v.attributes);
}

inline user_update tag_invoke(boost::json::value_to_tag<user_update>,
                              const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_update");
    return {.email = in.optional<std::string>("email"),
            .first_name = in.optional<std::string>("first_name"),
            .last_name = in.optional<std::string>("last_name"),
            .attributes = in.optional<boost::json::object>("attributes")};
}

// --- user_resource_instance_role ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_resource_instance_role& v) {
    detail::field_writer(jv)
        .field("resource_instance", v.resource_instance)
        .field("resource", v.resource)
        .field("role", v.role);
}

inline user_resource_instance_role tag_invoke(
    boost::json::value_to_tag<user_resource_instance_role>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_resource_instance_role");
    return {.resource_instance = in.required<std::string>("resource_instance"),
            .resource = in.required<std::string>("resource"),
            .role = in.required<std::string>("role")};
}

// --- user_in_tenant ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_in_tenant& v) {
    detail::field_writer(jv)
        .field("tenant", v.tenant)
        .field("roles", v.roles)
        .field("status", v.status)
        .field("resource_instance_roles", v.resource_instance_roles);
}

inline user_in_tenant tag_invoke(boost::json::value_to_tag<user_in_tenant>,
                                 const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_in_tenant");
    return {.tenant = in.required<std::string>("tenant"),
            .roles = in.required<std::vector<std::string>>("roles"),
            .status = in.required<std::string>("status"),
            .resource_instance_roles =
                in.or_default<std::vector<user_resource_instance_role>>("resource_instance_roles")};
}

// --- user ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const user& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("id", v.id)
        .field("organization_id", v.organization_id)
        .field("project_id", v.project_id)
        .field("environment_id", v.environment_id)
        .field("associated_tenants", v.associated_tenants)
        .field("roles", v.roles)
        .field("created_at", v.created_at)
        .field("updated_at", v.updated_at)
        .field("email", v.email)
        .field("first_name", v.first_name)
        .field("last_name", v.last_name)
        .field("attributes", v.attributes);
}

inline user tag_invoke(boost::json::value_to_tag<user>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "user");
    return {.key = in.required<std::string>("key"),
            .id = in.required<std::string>("id"),
            .organization_id = in.required<std::string>("organization_id"),
            .project_id = in.required<std::string>("project_id"),
            .environment_id = in.required<std::string>("environment_id"),
            .associated_tenants = in.or_default<std::vector<user_in_tenant>>("associated_tenants"),
            .roles = in.or_default<std::vector<user_role>>("roles"),
            .created_at = in.required<std::string>("created_at"),
            .updated_at = in.required<std::string>("updated_at"),
            .email = in.optional<std::string>("email"),
            .first_name = in.optional<std::string>("first_name"),
            .last_name = in.optional<std::string>("last_name"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

}  // namespace permit
