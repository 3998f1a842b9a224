// The condition set rule models (https://api.permit.io/v2/redoc#tag/Condition-Set-Rules): a rule
// grants a permission to the users of a userset on the resources of a resourceset
// (https://docs.permit.io/api/working-with-abac/condition-sets).
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace permit {

/// ConditionSetRuleCreate: body of POST /set_rules.
struct condition_set_rule_create {
    /// The userset's key; with `is_role`, a role's key.
    std::string user_set;
    /// The permission granted: `"<resource>:<action>"`, or an action's id.
    std::string permission;
    /// The resourceset's key; with `is_resource`, a resource type's key.
    std::string resource_set;
    /// `user_set` names a role: the rule is on the role's generated userset (the users holding
    /// the role in the checked tenant). Unset: the API's default, false.
    std::optional<bool> is_role;
    /// `resource_set` names a resource type: the rule is on the type's generated resourceset
    /// (every resource of the type). Unset: the API's default, false.
    std::optional<bool> is_resource;

    /// Field-by-field equality.
    friend bool operator==(const condition_set_rule_create&,
                           const condition_set_rule_create&) = default;
};

/// ConditionSetRuleRemove: body of DELETE /set_rules, the rule to take away; its fields mean
/// what they mean in `condition_set_rule_create`.
struct condition_set_rule_remove {
    /// The userset's key; with `is_role`, a role's key.
    std::string user_set;
    /// The permission: `"<resource>:<action>"`, or an action's id.
    std::string permission;
    /// The resourceset's key; with `is_resource`, a resource type's key.
    std::string resource_set;
    /// `user_set` names a role. Unset: the API's default, false.
    std::optional<bool> is_role;
    /// `resource_set` names a resource type. Unset: the API's default, false.
    std::optional<bool> is_resource;

    /// Field-by-field equality.
    friend bool operator==(const condition_set_rule_remove&,
                           const condition_set_rule_remove&) = default;
};

/// ConditionSetRuleRead: a rule as the API returns it.
struct condition_set_rule {
    /// The id the API gave it.
    std::string id;
    /// Its key, made by the API from the sets and the permission (e.g.
    /// `"us_based_employees_can_repository_clone_private_repos"`).
    std::string key;
    /// The userset's key.
    std::string user_set;
    /// The permission granted, `"<resource>:<action>"`.
    std::string permission;
    /// The resourceset's key.
    std::string resource_set;
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
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const condition_set_rule&, const condition_set_rule&) = default;
};

/// Filters of `condition_set_rules.list`; they combine with AND.
struct condition_set_rule_list_query {
    /// Only the rules of this userset (its key).
    std::optional<std::string> user_set;
    /// Only the rules granting this permission, `"<resource>:<action>"`.
    std::optional<std::string> permission;
    /// Only the rules on this resourceset (its key).
    std::optional<std::string> resource_set;
    /// The page to read, from 1.
    int page = 1;
    /// Items per page, 1 to 100.
    int per_page = 100;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(condition_set_rule_create,
                      ({.name = "condition_set_rule_create", .kind = detail::model_kind::request}),
                      (user_set, permission, resource_set, is_role, is_resource))
PERMIT_DESCRIBE_MODEL(condition_set_rule_remove,
                      ({.name = "condition_set_rule_remove", .kind = detail::model_kind::request}),
                      (user_set, permission, resource_set, is_role, is_resource))
PERMIT_DESCRIBE_MODEL(condition_set_rule,
                      ({.name = "condition_set_rule", .kind = detail::model_kind::reply}),
                      (id, key, user_set, permission, resource_set, organization_id, project_id,
                       environment_id, created_at, updated_at))

}  // namespace permit
