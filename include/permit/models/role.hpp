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
    std::string key;
    std::string name;
    std::optional<std::string> description;
    std::vector<std::string> permissions;
    boost::json::object attributes;
    std::vector<std::string> extends;

    friend bool operator==(const role_create&, const role_create&) = default;
};

/// RoleUpdate: body of PATCH /roles/{id}; a present field (even an empty list) overwrites.
struct role_update {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::vector<std::string>> permissions;
    std::optional<boost::json::object> attributes;
    std::optional<std::vector<std::string>> extends;

    friend bool operator==(const role_update&, const role_update&) = default;
};

/// RoleRead: a role as returned by the roles endpoints.
struct role {
    std::string key;
    std::string name;
    std::string id;
    std::string organization_id;
    std::string project_id;
    std::string environment_id;
    std::string created_at;
    std::string updated_at;
    std::optional<std::string> description;
    std::vector<std::string> permissions;
    boost::json::object attributes;
    std::vector<std::string> extends;

    friend bool operator==(const role&, const role&) = default;
};

/// AddRolePermissions / RemoveRolePermissions: body of POST and DELETE /roles/{id}/permissions.
struct role_permissions {
    std::vector<std::string> permissions;

    friend bool operator==(const role_permissions&, const role_permissions&) = default;
};

// --- role_create ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const role_create& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("name", v.name)
        .field("description", v.description)
        .non_empty("permissions", v.permissions)
        .non_empty("attributes", v.attributes)
        .non_empty("extends", v.extends);
}

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

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const role_update& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("description", v.description)
        .field("permissions", v.permissions)
        .field("attributes", v.attributes)
        .field("extends", v.extends);
}

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
        .field("extends", v.extends);
}

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
            .extends = in.or_default<std::vector<std::string>>("extends")};
}

// --- role_permissions ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const role_permissions& v) {
    detail::field_writer(jv).field("permissions", v.permissions);
}

inline role_permissions tag_invoke(boost::json::value_to_tag<role_permissions>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "role_permissions");
    return {.permissions = in.required<std::vector<std::string>>("permissions")};
}

}  // namespace permit
