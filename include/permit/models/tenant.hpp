#pragma once

#include <permit/models/detail/json_fields.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <optional>
#include <string>

namespace permit {

/// TenantCreate: body of POST /tenants.
struct tenant_create {
    /// The key that names the tenant in checks and role assignments (`"marketing"`).
    std::string key;
    /// The display name.
    std::string name;
    /// What the tenant is.
    std::optional<std::string> description;
    /// Custom attributes, for attribute-based policies. Left out of the JSON when empty.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const tenant_create&, const tenant_create&) = default;
};

/// TenantUpdate: body of PATCH /tenants/{id}; a present field overwrites the stored one.
struct tenant_update {
    /// The new display name, if set.
    std::optional<std::string> name;
    /// The new description, if set.
    std::optional<std::string> description;
    /// The new attributes, if set.
    std::optional<boost::json::object> attributes;

    /// Field-by-field equality.
    friend bool operator==(const tenant_update&, const tenant_update&) = default;
};

/// TenantRead: a tenant as returned by the tenants endpoints.
struct tenant {
    /// The key that names the tenant in checks and role assignments.
    std::string key;
    /// The id the API gave the tenant.
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
    std::string last_action_at;  ///< required by the spec, unlike most timestamps one might expect
    /// The display name.
    std::string name;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// Custom attributes, for attribute-based policies.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const tenant&, const tenant&) = default;
};

// --- tenant_create ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `TenantCreate` JSON object;
/// an unset `description` and empty `attributes` are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const tenant_create& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("name", v.name)
        .field("description", v.description)
        .non_empty("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `TenantCreate` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline tenant_create tag_invoke(boost::json::value_to_tag<tenant_create>,
                                const boost::json::value& jv) {
    const detail::field_reader in(jv, "tenant_create");
    return {.key = in.required<std::string>("key"),
            .name = in.required<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

// --- tenant_update ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `TenantUpdate` JSON object;
/// unset fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const tenant_update& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("description", v.description)
        .field("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `TenantUpdate` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline tenant_update tag_invoke(boost::json::value_to_tag<tenant_update>,
                                const boost::json::value& jv) {
    const detail::field_reader in(jv, "tenant_update");
    return {.name = in.optional<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .attributes = in.optional<boost::json::object>("attributes")};
}

// --- tenant ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `TenantRead` JSON object; an
/// unset `description` is left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const tenant& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("id", v.id)
        .field("organization_id", v.organization_id)
        .field("project_id", v.project_id)
        .field("environment_id", v.environment_id)
        .field("created_at", v.created_at)
        .field("updated_at", v.updated_at)
        .field("last_action_at", v.last_action_at)
        .field("name", v.name)
        .field("description", v.description)
        .field("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `TenantRead` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline tenant tag_invoke(boost::json::value_to_tag<tenant>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "tenant");
    return {.key = in.required<std::string>("key"),
            .id = in.required<std::string>("id"),
            .organization_id = in.required<std::string>("organization_id"),
            .project_id = in.required<std::string>("project_id"),
            .environment_id = in.required<std::string>("environment_id"),
            .created_at = in.required<std::string>("created_at"),
            .updated_at = in.required<std::string>("updated_at"),
            .last_action_at = in.required<std::string>("last_action_at"),
            .name = in.required<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

}  // namespace permit
