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

// --- role_create ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `RoleCreate` JSON object;
/// unset optional fields, and empty `permissions`, `attributes` and `extends`, are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const role_create& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("name", v.name)
        .field("description", v.description)
        .non_empty("permissions", v.permissions)
        .non_empty("attributes", v.attributes)
        .non_empty("extends", v.extends);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `RoleCreate` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline role_create tag_invoke(boost::json::value_to_tag<role_create>,
                              const boost::json::value& jv) {
    const detail::field_reader in(jv, "role_create");
    return {.key = in.required<std::string>("key"),
            .name = in.required<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .permissions = in.or_default<std::vector<std::string>>("permissions"),
            .attributes = in.or_default<boost::json::object>("attributes"),
            .extends = in.or_default<std::vector<std::string>>("extends")};
}

// --- role_update ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `RoleUpdate` JSON object;
/// unset fields are left out, and a set empty list is written.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const role_update& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("description", v.description)
        .field("permissions", v.permissions)
        .field("attributes", v.attributes)
        .field("extends", v.extends);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `RoleUpdate` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline role_update tag_invoke(boost::json::value_to_tag<role_update>,
                              const boost::json::value& jv) {
    const detail::field_reader in(jv, "role_update");
    return {.name = in.optional<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .permissions = in.optional<std::vector<std::string>>("permissions"),
            .attributes = in.optional<boost::json::object>("attributes"),
            .extends = in.optional<std::vector<std::string>>("extends")};
}

// --- role ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `RoleRead` JSON object; an
/// unset `description` is left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const role& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("name", v.name)
        .field("id", v.id)
        .field("organization_id", v.organization_id)
        .field("project_id", v.project_id)
        .field("environment_id", v.environment_id)
        .field("created_at", v.created_at)
        .field("updated_at", v.updated_at)
        .field("description", v.description)
        .field("permissions", v.permissions)
        .field("attributes", v.attributes)
        .field("extends", v.extends)
        .field("granted_to", v.granted_to);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `RoleRead` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline role tag_invoke(boost::json::value_to_tag<role>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "role");
    return {.key = in.required<std::string>("key"),
            .name = in.required<std::string>("name"),
            .id = in.required<std::string>("id"),
            .organization_id = in.required<std::string>("organization_id"),
            .project_id = in.required<std::string>("project_id"),
            .environment_id = in.required<std::string>("environment_id"),
            .created_at = in.required<std::string>("created_at"),
            .updated_at = in.required<std::string>("updated_at"),
            .description = in.optional<std::string>("description"),
            .permissions = in.or_default<std::vector<std::string>>("permissions"),
            .attributes = in.or_default<boost::json::object>("attributes"),
            .extends = in.or_default<std::vector<std::string>>("extends"),
            .granted_to = in.or_default<boost::json::object>("granted_to")};
}

// --- role_permissions ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `AddRolePermissions` JSON
/// object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const role_permissions& v) {
    detail::field_writer(jv).field("permissions", v.permissions);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `AddRolePermissions` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline role_permissions tag_invoke(boost::json::value_to_tag<role_permissions>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "role_permissions");
    return {.permissions = in.required<std::vector<std::string>>("permissions")};
}

}  // namespace permit
