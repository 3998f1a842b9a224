#pragma once

#include <permit/models/detail/json_fields.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <map>
#include <optional>
#include <string>

namespace permit {

/// ActionBlockEditable: one action of a resource in create/replace/update bodies; `{}` is valid.
struct action_block {
    std::optional<std::string> name;
    std::optional<std::string> description;
    boost::json::object attributes;

    friend bool operator==(const action_block&, const action_block&) = default;
};

/// ResourceCreate: body of POST /resources. `actions` maps action key -> block and is required.
struct resource_create {
    std::string key;
    std::string name;
    std::map<std::string, action_block> actions;
    std::optional<std::string> urn;
    std::optional<std::string> description;

    friend bool operator==(const resource_create&, const resource_create&) = default;
};

/// ResourceReplace: body of PUT /resources/{id}.
struct resource_replace {
    std::string name;
    std::map<std::string, action_block> actions;
    std::optional<std::string> urn;
    std::optional<std::string> description;

    friend bool operator==(const resource_replace&, const resource_replace&) = default;
};

/// ResourceUpdate: body of PATCH /resources/{id}; a present field overwrites.
struct resource_update {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> urn;
    std::optional<std::map<std::string, action_block>> actions;

    friend bool operator==(const resource_update&, const resource_update&) = default;
};

/// ActionBlockRead: one action of a resource as returned in ResourceRead.actions.
struct action_block_read {
    std::string id;
    std::optional<std::string> key;
    std::optional<std::string> name;
    std::optional<std::string> description;
    boost::json::object attributes;

    friend bool operator==(const action_block_read&, const action_block_read&) = default;
};

/// ResourceRead: a resource type as returned by the resources endpoints.
struct resource {
    std::string key;
    std::string id;
    std::string organization_id;
    std::string project_id;
    std::string environment_id;
    std::string created_at;
    std::string updated_at;
    std::string name;
    std::optional<std::string> urn;
    std::optional<std::string> description;
    std::map<std::string, action_block_read> actions;

    friend bool operator==(const resource&, const resource&) = default;
};

// --- action_block ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const action_block& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("description", v.description)
        .non_empty("attributes", v.attributes);
}

inline action_block tag_invoke(boost::json::value_to_tag<action_block>,
                               const boost::json::value& jv) {
    const detail::field_reader in(jv, "action_block");
    return {.name = in.optional<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

// --- resource_create ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const resource_create& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("name", v.name)
        .field("actions", v.actions)  // required, so `{}` is still written
        .field("urn", v.urn)
        .field("description", v.description);
}

inline resource_create tag_invoke(boost::json::value_to_tag<resource_create>,
                                  const boost::json::value& jv) {
    const detail::field_reader in(jv, "resource_create");
    return {.key = in.required<std::string>("key"),
            .name = in.required<std::string>("name"),
            .actions = in.required<std::map<std::string, action_block>>("actions"),
            .urn = in.optional<std::string>("urn"),
            .description = in.optional<std::string>("description")};
}

// --- resource_replace ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const resource_replace& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("actions", v.actions)
        .field("urn", v.urn)
        .field("description", v.description);
}

inline resource_replace tag_invoke(boost::json::value_to_tag<resource_replace>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "resource_replace");
    return {.name = in.required<std::string>("name"),
            .actions = in.required<std::map<std::string, action_block>>("actions"),
            .urn = in.optional<std::string>("urn"),
            .description = in.optional<std::string>("description")};
}

// --- resource_update ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const resource_update& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("description", v.description)
        .field("urn", v.urn)
        .field("actions", v.actions);
}

inline resource_update tag_invoke(boost::json::value_to_tag<resource_update>,
                                  const boost::json::value& jv) {
    const detail::field_reader in(jv, "resource_update");
    return {.name = in.optional<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .urn = in.optional<std::string>("urn"),
            .actions = in.optional<std::map<std::string, action_block>>("actions")};
}

// --- action_block_read ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const action_block_read& v) {
    detail::field_writer(jv)
        .field("id", v.id)
        .field("key", v.key)
        .field("name", v.name)
        .field("description", v.description)
        .field("attributes", v.attributes);
}

inline action_block_read tag_invoke(boost::json::value_to_tag<action_block_read>,
                                    const boost::json::value& jv) {
    const detail::field_reader in(jv, "action_block_read");
    return {.id = in.required<std::string>("id"),
            .key = in.optional<std::string>("key"),
            .name = in.optional<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

// --- resource ---

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const resource& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("id", v.id)
        .field("organization_id", v.organization_id)
        .field("project_id", v.project_id)
        .field("environment_id", v.environment_id)
        .field("created_at", v.created_at)
        .field("updated_at", v.updated_at)
        .field("name", v.name)
        .field("urn", v.urn)
        .field("description", v.description)
        .field("actions", v.actions);
}

inline resource tag_invoke(boost::json::value_to_tag<resource>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "resource");
    return {.key = in.required<std::string>("key"),
            .id = in.required<std::string>("id"),
            .organization_id = in.required<std::string>("organization_id"),
            .project_id = in.required<std::string>("project_id"),
            .environment_id = in.required<std::string>("environment_id"),
            .created_at = in.required<std::string>("created_at"),
            .updated_at = in.required<std::string>("updated_at"),
            .name = in.required<std::string>("name"),
            .urn = in.optional<std::string>("urn"),
            .description = in.optional<std::string>("description"),
            .actions = in.or_default<std::map<std::string, action_block_read>>("actions")};
}

}  // namespace permit
