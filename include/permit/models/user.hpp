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
    /// The role's key.
    std::string role;
    /// The key of the tenant it is held in.
    std::string tenant;

    /// Field-by-field equality.
    friend bool operator==(const user_role&, const user_role&) = default;
};

/// UserRoleCreate: body of POST /users/{id}/roles and items of UserCreate.role_assignments.
struct user_role_create {
    /// The key of the role to give.
    std::string role;
    /// The key of the tenant the role is held in (optional in the API's schema).
    std::optional<std::string> tenant;
    /// The resource instance (`"<type>:<key>"`) the role is held on, for a resource-instance
    /// role.
    std::optional<std::string> resource_instance;

    /// Field-by-field equality.
    friend bool operator==(const user_role_create&, const user_role_create&) = default;
};

/// UserRoleRemove: body of DELETE /users/{id}/roles.
struct user_role_remove {
    /// The key of the role to take away.
    std::string role;
    /// The key of the tenant it is held in.
    std::string tenant;
    /// The resource instance (`"<type>:<key>"`), for a resource-instance role.
    std::optional<std::string> resource_instance;

    /// Field-by-field equality.
    friend bool operator==(const user_role_remove&, const user_role_remove&) = default;
};

/// UserCreate: body of POST /users and PUT /users/{id}.
struct user_create {
    /// The key that identifies the user in checks (your application's user id).
    std::string key;
    /// The user's email address.
    std::optional<std::string> email;
    /// The user's first name.
    std::optional<std::string> first_name;
    /// The user's last name.
    std::optional<std::string> last_name;
    /// Custom attributes, for attribute-based policies. Left out of the JSON when empty.
    boost::json::object attributes;
    /// Roles to give the user along with its creation. Left out of the JSON when empty.
    std::vector<user_role_create> role_assignments;

    /// Field-by-field equality.
    friend bool operator==(const user_create&, const user_create&) = default;
};

/// UserUpdate: body of PATCH /users/{id}; a present field overwrites the stored one.
struct user_update {
    /// The new email address, if set.
    std::optional<std::string> email;
    /// The new first name, if set.
    std::optional<std::string> first_name;
    /// The new last name, if set.
    std::optional<std::string> last_name;
    /// The new attributes, if set.
    std::optional<boost::json::object> attributes;

    /// Field-by-field equality.
    friend bool operator==(const user_update&, const user_update&) = default;
};

/// UserResourceInstanceRole: a role the user holds on one resource instance.
struct user_resource_instance_role {
    /// The resource instance the role is held on.
    std::string resource_instance;
    /// The instance's resource type.
    std::string resource;
    /// The role's key.
    std::string role;

    /// Field-by-field equality.
    friend bool operator==(const user_resource_instance_role&,
                           const user_resource_instance_role&) = default;
};

/// UserInTenant: one entry of UserRead.associated_tenants.
struct user_in_tenant {
    /// The tenant's key.
    std::string tenant;
    /// The keys of the roles the user holds in the tenant.
    std::vector<std::string> roles;
    std::string status;  ///< "active" | "pending"; kept a string so new values still parse
    /// The roles the user holds on resource instances of the tenant.
    std::vector<user_resource_instance_role> resource_instance_roles;

    /// Field-by-field equality.
    friend bool operator==(const user_in_tenant&, const user_in_tenant&) = default;
};

/// UserRead: a user as returned by the users endpoints.
struct user {
    /// The key that identifies the user in checks.
    std::string key;
    /// The id the API gave the user.
    std::string id;
    /// The id of the organization the user belongs to.
    std::string organization_id;
    /// The id of the project the user belongs to.
    std::string project_id;
    /// The id of the environment the user belongs to.
    std::string environment_id;
    /// The tenants the user has roles in, with those roles.
    std::vector<user_in_tenant> associated_tenants;
    /// The user's tenant-level roles (deprecated by the API: see `associated_tenants`).
    std::vector<user_role> roles;
    /// When the user was created: a date-time string, as the API sent it.
    std::string created_at;
    /// When the user was last changed: a date-time string, as the API sent it.
    std::string updated_at;
    /// The user's email address, if it has one.
    std::optional<std::string> email;
    /// The user's first name, if it has one.
    std::optional<std::string> first_name;
    /// The user's last name, if it has one.
    std::optional<std::string> last_name;
    /// Custom attributes, for attribute-based policies.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const user&, const user&) = default;
};

// --- user_role ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserRole` JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const user_role& v) {
    detail::field_writer(jv).field("role", v.role).field("tenant", v.tenant);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserRole` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline user_role tag_invoke(boost::json::value_to_tag<user_role>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_role");
    return {.role = in.required<std::string>("role"), .tenant = in.required<std::string>("tenant")};
}

// --- user_role_create ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserRoleCreate` JSON object;
/// unset optional fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_role_create& v) {
    detail::field_writer(jv)
        .field("role", v.role)
        .field("tenant", v.tenant)
        .field("resource_instance", v.resource_instance);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserRoleCreate` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline user_role_create tag_invoke(boost::json::value_to_tag<user_role_create>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_role_create");
    return {.role = in.required<std::string>("role"),
            .tenant = in.optional<std::string>("tenant"),
            .resource_instance = in.optional<std::string>("resource_instance")};
}

// --- user_role_remove ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserRoleRemove` JSON object;
/// an unset `resource_instance` is left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_role_remove& v) {
    detail::field_writer(jv)
        .field("role", v.role)
        .field("tenant", v.tenant)
        .field("resource_instance", v.resource_instance);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserRoleRemove` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline user_role_remove tag_invoke(boost::json::value_to_tag<user_role_remove>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_role_remove");
    return {.role = in.required<std::string>("role"),
            .tenant = in.required<std::string>("tenant"),
            .resource_instance = in.optional<std::string>("resource_instance")};
}

// --- user_create ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserCreate` JSON object;
/// unset optional fields, and empty `attributes` and `role_assignments`, are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const user_create& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("email", v.email)
        .field("first_name", v.first_name)
        .field("last_name", v.last_name)
        .non_empty("attributes", v.attributes)
        .non_empty("role_assignments", v.role_assignments);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserCreate` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
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

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserUpdate` JSON object;
/// unset fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const user_update& v) {
    detail::field_writer(jv)
        .field("email", v.email)
        .field("first_name", v.first_name)
        .field("last_name", v.last_name)
        .field("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserUpdate` JSON object; absent fields
/// stay unset. Throws `permit::model_error` when `jv` is not an object, a required field is
/// missing, or a field has the wrong type.
inline user_update tag_invoke(boost::json::value_to_tag<user_update>,
                              const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_update");
    return {.email = in.optional<std::string>("email"),
            .first_name = in.optional<std::string>("first_name"),
            .last_name = in.optional<std::string>("last_name"),
            .attributes = in.optional<boost::json::object>("attributes")};
}

// --- user_resource_instance_role ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserResourceInstanceRole`
/// JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_resource_instance_role& v) {
    detail::field_writer(jv)
        .field("resource_instance", v.resource_instance)
        .field("resource", v.resource)
        .field("role", v.role);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserResourceInstanceRole` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline user_resource_instance_role tag_invoke(
    boost::json::value_to_tag<user_resource_instance_role>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_resource_instance_role");
    return {.resource_instance = in.required<std::string>("resource_instance"),
            .resource = in.required<std::string>("resource"),
            .role = in.required<std::string>("role")};
}

// --- user_in_tenant ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserInTenant` JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_in_tenant& v) {
    detail::field_writer(jv)
        .field("tenant", v.tenant)
        .field("roles", v.roles)
        .field("status", v.status)
        .field("resource_instance_roles", v.resource_instance_roles);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserInTenant` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
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

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserRead` JSON object; unset
/// optional fields are left out.
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

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserRead` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
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
