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
    std::string key;
    std::string name;
    std::optional<std::string> description;
    boost::json::object attributes;

    friend bool operator==(const tenant_create&, const tenant_create&) = default;
};

/// TenantUpdate: body of PATCH /tenants/{id}; a present field overwrites the stored one.
struct tenant_update {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<boost::json::object> attributes;

    friend bool operator==(const tenant_update&, const tenant_update&) = default;
};

/// TenantRead: a tenant as returned by the tenants endpoints.
struct tenant {
    std::string key;
    std::string id;
    std::string organization_id;
    std::string project_id;
    std::string environment_id;
    std::string created_at;
    std::string updated_at;
    std::string last_action_at;  // required by the spec, unlike most timestamps one might expect
    std::string name;
    std::optional<std::string> description;
    boost::json::object attributes;

    friend bool operator==(const tenant&, const tenant&) = default;
};

// --- tenant_create ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const tenant_create& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("name", v.name)
        .field("description", v.description)
        .non_empty("attributes", v.attributes);
}

inline tenant_create tag_invoke(boost::json::value_to_tag<tenant_create>,
                                const boost::json::value& jv) {
    const detail::field_reader in(jv, "tenant_create");
    return {.key = in.required<std::string>("key"),
            .name = in.required<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

// --- tenant_update ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const tenant_update& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("description", v.description)
        .field("attributes", v.attributes);
}

inline tenant_update tag_invoke(boost::json::value_to_tag<tenant_update>,
                                const boost::json::value& jv) {
    const detail::field_reader in(jv, "tenant_update");
    return {.name = in.optional<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .attributes = in.optional<boost::json::object>("attributes")};
}

// --- tenant ---

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
