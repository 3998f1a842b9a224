#pragma once

#include <permit/models/detail/described.hpp>

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
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const user&, const user&) = default;
};

// The JSON conversions of the user models come from these descriptions (see
// <permit/models/detail/described.hpp>): unset optional fields are left out of a request, and so
// are the empty `attributes` and `role_assignments` of a `user_create`.
PERMIT_DESCRIBE_MODEL(user_role, ({.name = "user_role", .kind = detail::model_kind::reply}),
                      (role, tenant))
PERMIT_DESCRIBE_MODEL(user_role_create,
                      ({.name = "user_role_create", .kind = detail::model_kind::request}),
                      (role, tenant, resource_instance))
PERMIT_DESCRIBE_MODEL(user_role_remove,
                      ({.name = "user_role_remove", .kind = detail::model_kind::request}),
                      (role, tenant, resource_instance))
PERMIT_DESCRIBE_MODEL(user_create, ({.name = "user_create", .kind = detail::model_kind::request}),
                      (key, email, first_name, last_name, attributes, role_assignments))
PERMIT_DESCRIBE_MODEL(user_update, ({.name = "user_update", .kind = detail::model_kind::request}),
                      (email, first_name, last_name, attributes))
PERMIT_DESCRIBE_MODEL(user_resource_instance_role,
                      ({.name = "user_resource_instance_role", .kind = detail::model_kind::reply}),
                      (resource_instance, resource, role))
PERMIT_DESCRIBE_MODEL(
    user_in_tenant,
    ({.name = "user_in_tenant", .kind = detail::model_kind::reply, .required = "roles"}),
    (tenant, roles, status, resource_instance_roles))
PERMIT_DESCRIBE_MODEL(user, ({.name = "user", .kind = detail::model_kind::reply}),
                      (key, id, organization_id, project_id, environment_id, associated_tenants,
                       roles, created_at, updated_at, email, first_name, last_name, attributes))

}  // namespace permit
