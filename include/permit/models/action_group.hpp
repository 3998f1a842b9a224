// The action group models (https://api.permit.io/v2/redoc#tag/Resource-Action-Groups): named
// sets of a resource type's actions.
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace permit {

/// ResourceActionGroupCreate: body of POST /resources/{resource}/action_groups.
struct action_group_create {
    /// The group's key (`^[A-Za-z0-9\-_]+$`).
    std::string key;
    /// The display name.
    std::string name;
    /// What the group is for, if set.
    std::optional<std::string> description;
    /// Custom attributes of the group. Left out of the JSON when empty.
    boost::json::object attributes;
    /// The keys of the actions in the group. Left out of the JSON when empty.
    std::vector<std::string> actions;

    /// Field-by-field equality.
    friend bool operator==(const action_group_create&, const action_group_create&) = default;
};

/// ResourceActionGroupUpdate: body of PATCH; a field given replaces the stored one.
struct action_group_update {
    /// The new display name, if set.
    std::optional<std::string> name;
    /// The new description, if set.
    std::optional<std::string> description;
    /// The new attributes, if set.
    std::optional<boost::json::object> attributes;
    /// The new actions, if set.
    std::optional<std::vector<std::string>> actions;

    /// Field-by-field equality.
    friend bool operator==(const action_group_update&, const action_group_update&) = default;
};

/// ResourceActionGroupRead: an action group as the API returns it.
struct action_group {
    /// The group's key.
    std::string key;
    /// The display name.
    std::string name;
    /// The id the API gave it.
    std::string id;
    /// The id of the organization it belongs to.
    std::string organization_id;
    /// The id of the project it belongs to.
    std::string project_id;
    /// The id of the environment it belongs to.
    std::string environment_id;
    /// The id of its resource type.
    std::string resource_id;
    /// When it was created: a date-time string, as the API sent it.
    std::string created_at;
    /// When it was last changed: a date-time string, as the API sent it.
    std::string updated_at;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// Custom attributes of the group.
    boost::json::object attributes;
    /// The keys of the actions in the group.
    std::vector<std::string> actions;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const action_group&, const action_group&) = default;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(action_group_create,
                      ({.name = "action_group_create", .kind = detail::model_kind::request}),
                      (key, name, description, attributes, actions))
PERMIT_DESCRIBE_MODEL(action_group_update,
                      ({.name = "action_group_update", .kind = detail::model_kind::request}),
                      (name, description, attributes, actions))
PERMIT_DESCRIBE_MODEL(action_group, ({.name = "action_group", .kind = detail::model_kind::reply}),
                      (key, name, id, organization_id, project_id, environment_id, resource_id,
                       created_at, updated_at, description, attributes, actions))

}  // namespace permit
