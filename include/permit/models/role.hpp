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

/// RoleCreate: body of POST /roles. `permissions` are "<resource>:<action>" strings; `extends`
/// names roles whose permissions this one inherits.
struct role_create {
    /// The key that names the role in assignments and checks (`"editor"`).
    std::string key;
    /// The display name.
    std::string name;
    /// What the role is for.
    std::optional<std::string> description;
    /// The permissions granted, as `"<resource>:<action>"`. Left out of the JSON when empty.
    std::vector<std::string> permissions;
    /// Custom attributes of the role. Left out of the JSON when empty.
    boost::json::object attributes;
    /// The keys of the roles whose permissions this one inherits. Left out of the JSON when empty.
    std::vector<std::string> extends;
    /// How the role is derived through relations (`DerivedRoleBlockEdit`, ReBAC). Left out of the
    /// JSON when empty.
    boost::json::object granted_to;

    /// Field-by-field equality.
    friend bool operator==(const role_create&, const role_create&) = default;
};

/// RoleUpdate: body of PATCH /roles/{id}; a present field (even an empty list) overwrites.
struct role_update {
    /// The new display name, if set.
    std::optional<std::string> name;
    /// The new description, if set.
    std::optional<std::string> description;
    /// The new permissions, if set (an empty list removes them all).
    std::optional<std::vector<std::string>> permissions;
    /// The new attributes, if set.
    std::optional<boost::json::object> attributes;
    /// The new list of inherited roles, if set.
    std::optional<std::vector<std::string>> extends;
    /// How the role is derived through relations (`DerivedRoleBlockEdit`), if set: replaces the
    /// whole derivation.
    std::optional<boost::json::object> granted_to;

    /// Field-by-field equality.
    friend bool operator==(const role_update&, const role_update&) = default;
};

/// RoleRead: a role as returned by the roles endpoints.
struct role {
    /// The key that names the role in assignments and checks.
    std::string key;
    /// The display name.
    std::string name;
    /// The id the API gave the role.
    std::string id;
    /// The id of the organization it belongs to.
    std::string organization_id;
    /// The id of the project it belongs to.
    std::string project_id;
    /// The id of the environment it belongs to.
    std::string environment_id;
    /// When it was created: a date-time string, as the API sent it.
    std::string created_at;
    /// When it was last changed: a date-time string, as the API sent it.
    std::string updated_at;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// The permissions granted, as `"<resource>:<action>"`.
    std::vector<std::string> permissions;
    /// Custom attributes of the role.
    boost::json::object attributes;
    /// The keys of the roles whose permissions it inherits.
    std::vector<std::string> extends;
    /// How the role is derived through relations (`DerivedRoleBlockRead`, ReBAC), as the API sent
    /// it; `{}` when it is not derived.
    boost::json::object granted_to;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const role&, const role&) = default;
};

/// AddRolePermissions / RemoveRolePermissions: body of POST and DELETE /roles/{id}/permissions.
struct role_permissions {
    /// The permissions to grant or take away, as `"<resource>:<action>"`.
    std::vector<std::string> permissions;

    /// Field-by-field equality.
    friend bool operator==(const role_permissions&, const role_permissions&) = default;
};

// The JSON conversions of the role models come from these descriptions (see
// <permit/models/detail/described.hpp>): unset optional fields are left out of a request, and so
// are the empty lists and objects of a `role_create`.
PERMIT_DESCRIBE_MODEL(role_create, ({.name = "role_create", .kind = detail::model_kind::request}),
                      (key, name, description, permissions, attributes, extends, granted_to))
PERMIT_DESCRIBE_MODEL(role_update, ({.name = "role_update", .kind = detail::model_kind::request}),
                      (name, description, permissions, attributes, extends, granted_to))
PERMIT_DESCRIBE_MODEL(role, ({.name = "role", .kind = detail::model_kind::reply}),
                      (key, name, id, organization_id, project_id, environment_id, created_at,
                       updated_at, description, permissions, attributes, extends, granted_to))
PERMIT_DESCRIBE_MODEL(
    role_permissions,
    ({.name = "role_permissions", .kind = detail::model_kind::request, .required = "permissions"}),
    (permissions))

}  // namespace permit
