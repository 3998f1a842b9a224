// The resource role models (https://api.permit.io/v2/redoc#tag/Resource-Roles,
// #tag/Implicit-Grants): roles defined on a resource type, granted on its instances, with the
// actions of that type they allow, the roles of the type they extend, and the rules that derive
// them through relations ("implicit grants").
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace permit {

/// DerivationSettings: when a derivation applies.
struct derivation_settings {
    /// If true, the derivation (or the rule) does not apply to a user who has a role assigned
    /// directly on the instance.
    bool no_direct_roles_on_object = false;

    /// Field-by-field equality.
    friend bool operator==(const derivation_settings&, const derivation_settings&) = default;
};

/// DerivedRoleRuleCreate: one derivation rule, the body of `implicit_grants.create`. Reads: a
/// user with `role` on an instance of `on_resource` that the instance is linked to by its
/// relation `linked_by_relation` has the derived role on the instance.
struct derived_role_rule_create {
    /// The key of a role of `on_resource`.
    std::string role;
    /// The key of the related resource type: the subject resource of `linked_by_relation`.
    std::string on_resource;
    /// The key of a relation of the derived role's resource type.
    std::string linked_by_relation;
    /// When the rule applies, if set (the API's default: always).
    std::optional<derivation_settings> when;

    /// Field-by-field equality.
    friend bool operator==(const derived_role_rule_create&,
                           const derived_role_rule_create&) = default;
};

/// DerivedRoleRuleDelete: which rule `implicit_grants.remove` removes (its role, resource and
/// relation name it). The same fields as a `derived_role_rule_create`.
using derived_role_rule_delete = derived_role_rule_create;

/// DerivedRoleRuleRead: a derivation rule as the API returns it, with the ids of what it names.
struct derived_role_rule {
    /// The key of a role of `on_resource`.
    std::string role;
    /// The key of the related resource type.
    std::string on_resource;
    /// The key of the relation that links the two.
    std::string linked_by_relation;
    /// The id of the role of `on_resource`.
    std::string role_id;
    /// The id of `on_resource`.
    std::string resource_id;
    /// The id of the relation.
    std::string relation_id;
    /// When the rule applies.
    derivation_settings when;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const derived_role_rule&, const derived_role_rule&) = default;
};

/// DerivedRoleBlockEdit: a role's whole derivation in `resource_role_create` and
/// `resource_role_update` (where it replaces every rule the role had).
struct derived_role_block_edit {
    /// When the derivation applies, for every rule, if set.
    std::optional<derivation_settings> when;
    /// The rules; the role is derived when any of them holds. Always written, so that an empty
    /// list in an update removes every rule.
    std::vector<derived_role_rule_create> users_with_role;

    /// Field-by-field equality.
    friend bool operator==(const derived_role_block_edit&,
                           const derived_role_block_edit&) = default;
};

/// DerivedRoleBlockRead: a role's derivation as the API returns it.
struct derived_role_block {
    /// The id the API gave the derivation; empty when the reply has none (an empty `{}`).
    std::string id;
    /// When the derivation applies, for every rule.
    derivation_settings when;
    /// The rules.
    std::vector<derived_role_rule> users_with_role;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const derived_role_block&, const derived_role_block&) = default;
};

/// ResourceRoleCreate: body of POST /resources/{resource}/roles.
struct resource_role_create {
    /// The role's key within its resource type (`^[A-Za-z0-9\-_]+$`).
    std::string key;
    /// The display name.
    std::string name;
    /// What the role is for, if set.
    std::optional<std::string> description;
    /// The actions of the resource type it allows: action keys (`"read"`), or
    /// `"<resource>:<action>"` of its own type. Left out of the JSON when empty.
    std::vector<std::string> permissions;
    /// Custom attributes of the role. Left out of the JSON when empty.
    boost::json::object attributes;
    /// The keys of the roles of the same resource type whose permissions it inherits. Left out
    /// of the JSON when empty.
    std::vector<std::string> extends;
    /// How the role is derived through relations, if set.
    std::optional<derived_role_block_edit> granted_to;

    /// Field-by-field equality.
    friend bool operator==(const resource_role_create&, const resource_role_create&) = default;
};

/// ResourceRoleUpdate: body of PATCH /resources/{resource}/roles/{role}; a field given (even an
/// empty list) replaces the stored one.
struct resource_role_update {
    /// The new display name, if set.
    std::optional<std::string> name;
    /// The new description, if set.
    std::optional<std::string> description;
    /// The new permissions, if set.
    std::optional<std::vector<std::string>> permissions;
    /// The new attributes, if set.
    std::optional<boost::json::object> attributes;
    /// The new list of roles it extends, if set.
    std::optional<std::vector<std::string>> extends;
    /// The new derivation, if set: it replaces every rule the role had.
    std::optional<derived_role_block_edit> granted_to;

    /// Field-by-field equality.
    friend bool operator==(const resource_role_update&, const resource_role_update&) = default;
};

/// ResourceRoleRead: a resource role as the API returns it.
struct resource_role {
    /// The role's key within its resource type.
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
    /// The id of its resource type.
    std::string resource_id;
    /// The key of its resource type.
    std::string resource;
    /// When it was created: a date-time string, as the API sent it.
    std::string created_at;
    /// When it was last changed: a date-time string, as the API sent it.
    std::string updated_at;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// The action keys of its resource type that it allows.
    std::vector<std::string> permissions;
    /// Custom attributes of the role.
    boost::json::object attributes;
    /// The keys of the roles whose permissions it inherits.
    std::vector<std::string> extends;
    /// How it is derived through relations, if it is.
    std::optional<derived_role_block> granted_to;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const resource_role&, const resource_role&) = default;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(derivation_settings,
                      ({.name = "derivation_settings",
                        .kind = detail::model_kind::request,
                        .defaulted = "no_direct_roles_on_object"}),
                      (no_direct_roles_on_object))
PERMIT_DESCRIBE_MODEL(derived_role_rule_create,
                      ({.name = "derived_role_rule_create", .kind = detail::model_kind::request}),
                      (role, on_resource, linked_by_relation, when))
PERMIT_DESCRIBE_MODEL(
    derived_role_rule,
    ({.name = "derived_role_rule", .kind = detail::model_kind::reply, .defaulted = "when"}),
    (role, on_resource, linked_by_relation, role_id, resource_id, relation_id, when))
PERMIT_DESCRIBE_MODEL(derived_role_block_edit,
                      ({.name = "derived_role_block_edit",
                        .kind = detail::model_kind::request,
                        .required = "users_with_role"}),
                      (when, users_with_role))
PERMIT_DESCRIBE_MODEL(
    derived_role_block,
    ({.name = "derived_role_block", .kind = detail::model_kind::reply, .defaulted = "id when"}),
    (id, when, users_with_role))
PERMIT_DESCRIBE_MODEL(resource_role_create,
                      ({.name = "resource_role_create", .kind = detail::model_kind::request}),
                      (key, name, description, permissions, attributes, extends, granted_to))
PERMIT_DESCRIBE_MODEL(resource_role_update,
                      ({.name = "resource_role_update", .kind = detail::model_kind::request}),
                      (name, description, permissions, attributes, extends, granted_to))
PERMIT_DESCRIBE_MODEL(resource_role, ({.name = "resource_role", .kind = detail::model_kind::reply}),
                      (key, name, id, organization_id, project_id, environment_id, resource_id,
                       resource, created_at, updated_at, description, permissions, attributes,
                       extends, granted_to))

}  // namespace permit
