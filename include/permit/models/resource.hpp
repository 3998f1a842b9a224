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
    /// The action's display name.
    std::optional<std::string> name;
    /// What the action means.
    std::optional<std::string> description;
    /// Custom attributes of the action. Left out of the JSON when empty.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const action_block&, const action_block&) = default;
};

/// ResourceCreate: body of POST /resources. `actions` maps action key -> block and is required.
struct resource_create {
    /// The key that names the resource type in checks and permissions (`"document"`).
    std::string key;
    /// The display name.
    std::string name;
    /// The actions, by key (`"read"`); written even when empty, since the API requires it.
    std::map<std::string, action_block> actions;
    /// A URN for the resource type, if you use one.
    std::optional<std::string> urn;
    /// What the resource type is.
    std::optional<std::string> description;

    /// Field-by-field equality.
    friend bool operator==(const resource_create&, const resource_create&) = default;
};

/// ResourceReplace: body of PUT /resources/{id}.
struct resource_replace {
    /// The display name.
    std::string name;
    /// The actions, by key; they replace the stored ones.
    std::map<std::string, action_block> actions;
    /// A URN for the resource type, if you use one.
    std::optional<std::string> urn;
    /// What the resource type is.
    std::optional<std::string> description;

    /// Field-by-field equality.
    friend bool operator==(const resource_replace&, const resource_replace&) = default;
};

/// ResourceUpdate: body of PATCH /resources/{id}; a present field overwrites.
struct resource_update {
    /// The new display name, if set.
    std::optional<std::string> name;
    /// The new description, if set.
    std::optional<std::string> description;
    /// The new URN, if set.
    std::optional<std::string> urn;
    /// The new actions, by key, if set.
    std::optional<std::map<std::string, action_block>> actions;

    /// Field-by-field equality.
    friend bool operator==(const resource_update&, const resource_update&) = default;
};

/// ActionBlockRead: one action of a resource as returned in ResourceRead.actions.
struct action_block_read {
    /// The id the API gave the action.
    std::string id;
    /// The action's key, when the API sends it (it is also the key of the entry in
    /// `resource::actions`).
    std::optional<std::string> key;
    /// The action's display name.
    std::optional<std::string> name;
    /// What the action means.
    std::optional<std::string> description;
    /// Custom attributes of the action.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const action_block_read&, const action_block_read&) = default;
};

/// ResourceRead: a resource type as returned by the resources endpoints.
struct resource {
    /// The key that names the resource type in checks and permissions.
    std::string key;
    /// The id the API gave the resource type.
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
    /// The display name.
    std::string name;
    /// Its URN, if it has one.
    std::optional<std::string> urn;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// The actions, by key.
    std::map<std::string, action_block_read> actions;
    /// Attributes of the type itself, as the API sent them, if any.
    std::optional<boost::json::object> type_attributes;
    /// The attributes of its instances (`AttributeBlockRead` by key, ABAC), as the API sent them,
    /// if any.
    std::optional<boost::json::object> attributes;
    /// Its resource roles (`ResourceRoleRead` by key, ReBAC), as the API sent them, if any.
    std::optional<boost::json::object> roles;
    /// Its relations to other resource types (`RelationBlockRead` by key, ReBAC), as the API sent
    /// them; `{}` when it has none.
    boost::json::object relations;
    /// Its action groups (action keys by group key); `{}` when it has none.
    boost::json::object action_groups;

    /// Field-by-field equality.
    friend bool operator==(const resource&, const resource&) = default;
};

// --- action_block ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `ActionBlockEditable` JSON
/// object; unset optional fields and empty `attributes` are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const action_block& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("description", v.description)
        .non_empty("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `ActionBlockEditable` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline action_block tag_invoke(boost::json::value_to_tag<action_block>,
                               const boost::json::value& jv) {
    const detail::field_reader in(jv, "action_block");
    return {.name = in.optional<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .attributes = in.or_default<boost::json::object>("attributes")};
}

// --- resource_create ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `ResourceCreate` JSON object;
/// unset optional fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const resource_create& v) {
    detail::field_writer(jv)
        .field("key", v.key)
        .field("name", v.name)
        .field("actions", v.actions)  // required, so `{}` is still written
        .field("urn", v.urn)
        .field("description", v.description);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `ResourceCreate` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
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

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `ResourceReplace` JSON
/// object; unset optional fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const resource_replace& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("actions", v.actions)
        .field("urn", v.urn)
        .field("description", v.description);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `ResourceReplace` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline resource_replace tag_invoke(boost::json::value_to_tag<resource_replace>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "resource_replace");
    return {.name = in.required<std::string>("name"),
            .actions = in.required<std::map<std::string, action_block>>("actions"),
            .urn = in.optional<std::string>("urn"),
            .description = in.optional<std::string>("description")};
}

// --- resource_update ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `ResourceUpdate` JSON object;
/// unset fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const resource_update& v) {
    detail::field_writer(jv)
        .field("name", v.name)
        .field("description", v.description)
        .field("urn", v.urn)
        .field("actions", v.actions);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `ResourceUpdate` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline resource_update tag_invoke(boost::json::value_to_tag<resource_update>,
                                  const boost::json::value& jv) {
    const detail::field_reader in(jv, "resource_update");
    return {.name = in.optional<std::string>("name"),
            .description = in.optional<std::string>("description"),
            .urn = in.optional<std::string>("urn"),
            .actions = in.optional<std::map<std::string, action_block>>("actions")};
}

// --- action_block_read ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `ActionBlockRead` JSON
/// object; unset optional fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const action_block_read& v) {
    detail::field_writer(jv)
        .field("id", v.id)
        .field("key", v.key)
        .field("name", v.name)
        .field("description", v.description)
        .field("attributes", v.attributes);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `ActionBlockRead` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
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

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `ResourceRead` JSON object;
/// unset optional fields are left out.
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
        .field("actions", v.actions)
        .field("type_attributes", v.type_attributes)
        .field("attributes", v.attributes)
        .field("roles", v.roles)
        .field("relations", v.relations)
        .field("action_groups", v.action_groups);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `ResourceRead` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
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
            .actions = in.or_default<std::map<std::string, action_block_read>>("actions"),
            .type_attributes = in.optional<boost::json::object>("type_attributes"),
            .attributes = in.optional<boost::json::object>("attributes"),
            .roles = in.optional<boost::json::object>("roles"),
            .relations = in.or_default<boost::json::object>("relations"),
            .action_groups = in.or_default<boost::json::object>("action_groups")};
}

}  // namespace permit
