#pragma once

#include <permit/models/detail/described.hpp>

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
    /// Attributes of the type itself, if set.
    std::optional<boost::json::object> type_attributes;
    /// The attributes of its instances, by key (`AttributeBlockEditable`: `type`, `description`),
    /// if set.
    std::optional<boost::json::object> attributes;
    /// Its resource roles, by key (`RoleBlockEditable`), if set.
    std::optional<boost::json::object> roles;
    /// Its relations, relation key to the key of the subject resource type, if set.
    std::optional<boost::json::object> relations;

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
    /// Attributes of the type itself, if set.
    std::optional<boost::json::object> type_attributes;
    /// The attributes of its instances, by key (`AttributeBlockEditable`: `type`, `description`),
    /// if set.
    std::optional<boost::json::object> attributes;
    /// Its resource roles, by key (`RoleBlockEditable`), if set.
    std::optional<boost::json::object> roles;
    /// Its relations, relation key to the key of the subject resource type, if set.
    std::optional<boost::json::object> relations;
    /// Fields of a newer API that this version does not model, written after the others (see
    /// `to_replace`).
    boost::json::object unknown_fields;

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
    /// Attributes of the type itself, if set: replaces the stored ones.
    std::optional<boost::json::object> type_attributes;
    /// The attributes of its instances, by key (`AttributeBlockEditable`: `type`, `description`),
    /// if set: replaces the stored ones.
    std::optional<boost::json::object> attributes;
    /// Its resource roles, by key (`RoleBlockEditable`), if set: replaces the stored ones.
    std::optional<boost::json::object> roles;
    /// Its relations, relation key to the key of the subject resource type, if set: replaces the
    /// stored ones.
    std::optional<boost::json::object> relations;

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
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

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
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const resource&, const resource&) = default;
};

// The JSON conversions of the resource models come from these descriptions (see
// <permit/models/detail/described.hpp>): unset optional fields are left out of a request, and so
// are the empty attributes of an `action_block`; `actions` is required, and written even when
// empty.
PERMIT_DESCRIBE_MODEL(action_block, ({.name = "action_block", .kind = detail::model_kind::request}),
                      (name, description, attributes))
PERMIT_DESCRIBE_MODEL(
    resource_create,
    ({.name = "resource_create", .kind = detail::model_kind::request, .required = "actions"}),
    (key, name, actions, urn, description, type_attributes, attributes, roles, relations))
PERMIT_DESCRIBE_MODEL(
    resource_replace,
    ({.name = "resource_replace", .kind = detail::model_kind::request, .required = "actions"}),
    (name, actions, urn, description, type_attributes, attributes, roles, relations))
PERMIT_DESCRIBE_MODEL(resource_update,
                      ({.name = "resource_update", .kind = detail::model_kind::request}),
                      (name, description, urn, actions, type_attributes, attributes, roles,
                       relations))
PERMIT_DESCRIBE_MODEL(action_block_read,
                      ({.name = "action_block_read", .kind = detail::model_kind::reply}),
                      (id, key, name, description, attributes))
PERMIT_DESCRIBE_MODEL(resource, ({.name = "resource", .kind = detail::model_kind::reply}),
                      (key, id, organization_id, project_id, environment_id, created_at, updated_at,
                       name, urn, description, actions, type_attributes, attributes, roles,
                       relations, action_groups))

namespace detail {

/// `from` with only the members named in `keys` (space-separated) that it has.
inline boost::json::object only(const boost::json::object& from, std::string_view keys) {
    boost::json::object out;
    for (const auto& field : from)
        if (model_rules::lists(keys, field.key())) out.emplace(field.key(), field.value());
    return out;
}

/// A `DerivedRoleBlockRead` as the `DerivedRoleBlockEdit` that gives the same derivation.
inline boost::json::object derivation_to_edit(const boost::json::object& read) {
    auto out = only(read, "when");
    if (const auto* rules = read.if_contains("users_with_role"); rules && rules->is_array()) {
        boost::json::array edited;
        for (const auto& rule : rules->get_array())
            edited.push_back(rule.is_object() ? boost::json::value(only(
                                                    rule.get_object(),
                                                    "role on_resource linked_by_relation when"))
                                              : rule);
        out["users_with_role"] = std::move(edited);
    }
    return out;
}

/// Each value of a map of blocks, through `edit` (values that are not objects stay as they are).
template <class Edit>
boost::json::object edit_each(const boost::json::object& blocks, Edit edit) {
    boost::json::object out;
    for (const auto& [key, block] : blocks)
        out.emplace(key, block.is_object() ? boost::json::value(edit(block.get_object())) : block);
    return out;
}

}  // namespace detail

/// The `resources.replace` body that leaves `r` as it is: its editable fields in the shapes a
/// replace takes (actions, attribute blocks and resource roles without the ids the API gave them,
/// a derivation without its rules' ids, each relation as the key of its subject resource type),
/// and the fields this version does not model (`unknown_fields`), written back as they came.
/// Read, change what you need, replace: nothing else changes.
inline resource_replace to_replace(const resource& r) {
    resource_replace out{.name = r.name, .urn = r.urn, .description = r.description};
    for (const auto& [key, action] : r.actions)
        out.actions.emplace(key, action_block{.name = action.name,
                                              .description = action.description,
                                              .attributes = action.attributes});
    out.type_attributes = r.type_attributes;
    if (r.attributes)
        out.attributes = detail::edit_each(*r.attributes, [](const boost::json::object& a) {
            return detail::only(a, "type description");
        });
    if (r.roles)
        out.roles = detail::edit_each(*r.roles, [](const boost::json::object& role) {
            auto edited = detail::only(role, "name description permissions attributes extends");
            if (const auto* derivation = role.if_contains("granted_to");
                derivation && derivation->is_object())
                edited["granted_to"] = detail::derivation_to_edit(derivation->get_object());
            return edited;
        });
    if (!r.relations.empty()) {
        boost::json::object relations;
        for (const auto& [key, relation] : r.relations) {
            const auto* subject =
                relation.is_object() ? relation.get_object().if_contains("resource") : nullptr;
            relations.emplace(key, subject ? *subject : relation);
        }
        out.relations = std::move(relations);
    }
    out.unknown_fields = r.unknown_fields;
    return out;
}

}  // namespace permit
