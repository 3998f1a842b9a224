// The request schemas of the REST API (https://api.permit.io/v2/redoc) and the PDP (permitio/PDP
// `horizon/enforcer/schemas.py`), as field lists for the validator.
#pragma once

#include <permit/testing/detail/validation.hpp>

namespace permit::testing::detail::schemas {

using ft = field_type;

// Users (https://api.permit.io/v2/redoc#tag/Users)
inline constexpr field user_role_create_fields[] = {
    {"role", ft::string, true}, {"tenant", ft::string}, {"resource_instance", ft::string}};
inline constexpr object_schema user_role_create{user_role_create_fields};

inline constexpr field user_role_remove_fields[] = {
    {"role", ft::string, true}, {"tenant", ft::string, true}, {"resource_instance", ft::string}};
inline constexpr object_schema user_role_remove{user_role_remove_fields};

inline constexpr field user_create_fields[] = {
    {"key", ft::user_key, true}, {"email", ft::email},
    {"first_name", ft::string},  {"last_name", ft::string},
    {"attributes", ft::object},  {"role_assignments", ft::object_array, false, &user_role_create}};
inline constexpr object_schema user_create{user_create_fields};

inline constexpr field user_update_fields[] = {{"email", ft::email},
                                               {"first_name", ft::string},
                                               {"last_name", ft::string},
                                               {"attributes", ft::object}};
inline constexpr object_schema user_update{user_update_fields};

inline constexpr field user_bulk_fields[] = {{"operations", ft::object_array, true, &user_create}};
inline constexpr object_schema user_bulk{user_bulk_fields};

inline constexpr field bulk_delete_fields[] = {{"idents", ft::string_array, true}};
inline constexpr object_schema bulk_delete{bulk_delete_fields};

// Tenants (https://api.permit.io/v2/redoc#tag/Tenants)
inline constexpr field tenant_create_fields[] = {{"key", ft::slug, true},
                                                 {"name", ft::string, true},
                                                 {"description", ft::string},
                                                 {"attributes", ft::object}};
inline constexpr object_schema tenant_create{tenant_create_fields};

inline constexpr field tenant_update_fields[] = {
    {"name", ft::string}, {"description", ft::string}, {"attributes", ft::object}};
inline constexpr object_schema tenant_update{tenant_update_fields};

inline constexpr field tenant_bulk_fields[] = {
    {"operations", ft::object_array, true, &tenant_create}};
inline constexpr object_schema tenant_bulk{tenant_bulk_fields};

// Role assignments (https://api.permit.io/v2/redoc#tag/Role-Assignments)
inline constexpr field role_assignment_create_fields[] = {{"user", ft::string, true},
                                                          {"role", ft::string, true},
                                                          {"tenant", ft::string},
                                                          {"resource_instance", ft::string}};
inline constexpr object_schema role_assignment_create{role_assignment_create_fields};

inline constexpr field role_assignment_remove_fields[] = {{"user", ft::string, true},
                                                          {"role", ft::string, true},
                                                          {"tenant", ft::string, true},
                                                          {"resource_instance", ft::string}};
inline constexpr object_schema role_assignment_remove{role_assignment_remove_fields};

// Roles and resources (https://api.permit.io/v2/redoc#tag/Roles,
// https://api.permit.io/v2/redoc#tag/Resources)
inline constexpr field role_create_fields[] = {
    {"key", ft::slug, true},     {"name", ft::string, true},
    {"description", ft::string}, {"permissions", ft::permission_array},
    {"attributes", ft::object},  {"extends", ft::slug_array},
    {"granted_to", ft::object}};
inline constexpr object_schema role_create{role_create_fields};

inline constexpr field role_update_fields[] = {
    {"name", ft::string},       {"description", ft::string}, {"permissions", ft::permission_array},
    {"attributes", ft::object}, {"extends", ft::slug_array}, {"granted_to", ft::object}};
inline constexpr object_schema role_update{role_update_fields};

inline constexpr field role_permissions_fields[] = {{"permissions", ft::permission_array, true}};
inline constexpr object_schema role_permissions{role_permissions_fields};

// A resource type's roles, relations, derivations, attributes and action groups
// (https://api.permit.io/v2/redoc#tag/Resource-Roles, #tag/Resource-Relations,
// #tag/Implicit-Grants, #tag/Resource-Attributes, #tag/Resource-Action-Groups)
inline constexpr field derivation_settings_fields[] = {{"no_direct_roles_on_object", ft::boolean}};
inline constexpr object_schema derivation_settings{derivation_settings_fields};

// DerivedRoleRuleCreate, and DerivedRoleRuleDelete, which has the same fields.
inline constexpr field derived_role_rule_fields[] = {
    {"role", ft::string, true},
    {"on_resource", ft::string, true},
    {"linked_by_relation", ft::string, true},
    {"when", ft::nested, false, &derivation_settings}};
inline constexpr object_schema derived_role_rule{derived_role_rule_fields};

inline constexpr field derived_role_block_fields[] = {
    {"when", ft::nested, false, &derivation_settings},
    {"users_with_role", ft::object_array, false, &derived_role_rule}};
inline constexpr object_schema derived_role_block{derived_role_block_fields};

// RoleBlockEditable: a role in ResourceCreate.roles. Its permissions are action keys, bare or
// `<resource>:<action>`.
inline constexpr field role_block_fields[] = {
    {"name", ft::string, true},        {"description", ft::string},
    {"permissions", ft::string_array}, {"attributes", ft::object},
    {"extends", ft::slug_array},       {"granted_to", ft::nested, false, &derived_role_block}};
inline constexpr object_schema role_block{role_block_fields};

inline constexpr field resource_role_create_fields[] = {
    {"key", ft::slug, true},
    {"name", ft::string, true},
    {"description", ft::string},
    {"permissions", ft::string_array},
    {"attributes", ft::object},
    {"extends", ft::slug_array},
    {"granted_to", ft::nested, false, &derived_role_block}};
inline constexpr object_schema resource_role_create{resource_role_create_fields};

inline constexpr field resource_role_update_fields[] = {
    {"name", ft::string},
    {"description", ft::string},
    {"permissions", ft::string_array},
    {"attributes", ft::object},
    {"extends", ft::slug_array},
    {"granted_to", ft::nested, false, &derived_role_block}};
inline constexpr object_schema resource_role_update{resource_role_update_fields};

inline constexpr field resource_role_permissions_fields[] = {
    {"permissions", ft::string_array, true}};
inline constexpr object_schema resource_role_permissions{resource_role_permissions_fields};

inline constexpr field relation_create_fields[] = {{"key", ft::slug, true},
                                                   {"name", ft::string, true},
                                                   {"description", ft::string},
                                                   {"subject_resource", ft::string, true}};
inline constexpr object_schema relation_create{relation_create_fields};

inline constexpr field attribute_create_fields[] = {
    {"key", ft::slug, true}, {"type", ft::string, true}, {"description", ft::string}};
inline constexpr object_schema attribute_create{attribute_create_fields};

inline constexpr field attribute_update_fields[] = {{"type", ft::string},
                                                    {"description", ft::string}};
inline constexpr object_schema attribute_update{attribute_update_fields};

inline constexpr field action_group_create_fields[] = {{"key", ft::slug, true},
                                                       {"name", ft::string, true},
                                                       {"description", ft::string},
                                                       {"attributes", ft::object},
                                                       {"actions", ft::string_array}};
inline constexpr object_schema action_group_create{action_group_create_fields};

inline constexpr field action_group_update_fields[] = {{"name", ft::string},
                                                       {"description", ft::string},
                                                       {"attributes", ft::object},
                                                       {"actions", ft::string_array}};
inline constexpr object_schema action_group_update{action_group_update_fields};

inline constexpr field action_block_fields[] = {
    {"name", ft::string}, {"description", ft::string}, {"attributes", ft::object}};
inline constexpr object_schema action_block{action_block_fields};

inline constexpr field resource_create_fields[] = {{"key", ft::slug, true},
                                                   {"name", ft::string, true},
                                                   {"actions", ft::object_map, true, &action_block},
                                                   {"urn", ft::string},
                                                   {"description", ft::string},
                                                   {"type_attributes", ft::object},
                                                   {"attributes", ft::object},
                                                   {"roles", ft::object_map, false, &role_block},
                                                   {"relations", ft::object}};
inline constexpr object_schema resource_create{resource_create_fields};

inline constexpr field resource_replace_fields[] = {
    {"name", ft::string, true},
    {"actions", ft::object_map, true, &action_block},
    {"urn", ft::string},
    {"description", ft::string},
    {"type_attributes", ft::object},
    {"attributes", ft::object},
    {"roles", ft::object_map, false, &role_block},
    {"relations", ft::object}};
inline constexpr object_schema resource_replace{resource_replace_fields};

inline constexpr field resource_update_fields[] = {
    {"name", ft::string},
    {"actions", ft::object_map, false, &action_block},
    {"urn", ft::string},
    {"description", ft::string},
    {"type_attributes", ft::object},
    {"attributes", ft::object},
    {"roles", ft::object_map, false, &role_block},
    {"relations", ft::object}};
inline constexpr object_schema resource_update{resource_update_fields};

// PDP (permitio/PDP `horizon/enforcer/schemas.py`). The PDP's models do not forbid extra fields.
inline constexpr field check_user_fields[] = {{"key", ft::string, true}, {"first_name", ft::string},
                                              {"firstName", ft::string}, {"last_name", ft::string},
                                              {"lastName", ft::string},  {"email", ft::string},
                                              {"attributes", ft::object}};
inline constexpr object_schema check_user{check_user_fields, false};

inline constexpr field check_resource_fields[] = {{"type", ft::string, true},
                                                  {"key", ft::string},
                                                  {"tenant", ft::string},
                                                  {"attributes", ft::object},
                                                  {"context", ft::object}};
inline constexpr object_schema check_resource{check_resource_fields, false};

inline constexpr field check_query_fields[] = {{"user", ft::nested, true, &check_user},
                                               {"action", ft::string, true},
                                               {"resource", ft::nested, true, &check_resource},
                                               {"context", ft::object},
                                               {"sdk", ft::string}};
inline constexpr object_schema check_query{check_query_fields, false};

// `AuthorizedUsersAuthorizationQuery` (permitio/PDP `horizon/enforcer/schemas.py`).
inline constexpr field authorized_users_query_fields[] = {
    {"action", ft::string, true},
    {"resource", ft::nested, true, &check_resource},
    {"context", ft::object},
    {"sdk", ft::string}};
inline constexpr object_schema authorized_users_query{authorized_users_query_fields, false};

inline constexpr field user_permissions_query_fields[] = {{"user", ft::nested, true, &check_user},
                                                          {"tenants", ft::string_array},
                                                          {"resources", ft::string_array},
                                                          {"resource_types", ft::string_array},
                                                          {"context", ft::object}};
inline constexpr object_schema user_permissions_query{user_permissions_query_fields, false};

inline constexpr field user_tenants_query_fields[] = {{"user", ft::nested, true, &check_user},
                                                      {"context", ft::object}};
inline constexpr object_schema user_tenants_query{user_tenants_query_fields, false};

// Resource instances (https://api.permit.io/v2/redoc#tag/Resource-Instances)
inline constexpr field instance_create_fields[] = {{"key", ft::slug, true},
                                                   {"tenant", ft::string, true},
                                                   {"resource", ft::string, true},
                                                   {"attributes", ft::object}};
inline constexpr object_schema instance_create{instance_create_fields};

inline constexpr field instance_update_fields[] = {{"attributes", ft::object}};
inline constexpr object_schema instance_update{instance_update_fields};

inline constexpr field instance_bulk_fields[] = {
    {"operations", ft::object_array, true, &instance_create}};
inline constexpr object_schema instance_bulk{instance_bulk_fields};

// Relationship tuples (https://api.permit.io/v2/redoc#tag/Relationship-Tuples)
inline constexpr field tuple_create_fields[] = {{"subject", ft::string, true},
                                                {"relation", ft::string, true},
                                                {"object", ft::string, true},
                                                {"tenant", ft::string}};
inline constexpr object_schema tuple_create{tuple_create_fields};

inline constexpr field tuple_delete_fields[] = {
    {"subject", ft::string, true}, {"relation", ft::string, true}, {"object", ft::string, true}};
inline constexpr object_schema tuple_delete{tuple_delete_fields};

inline constexpr field tuple_bulk_fields[] = {
    {"operations", ft::object_array, true, &tuple_create}};
inline constexpr object_schema tuple_bulk{tuple_bulk_fields};

inline constexpr field tuple_bulk_delete_fields[] = {
    {"idents", ft::object_array, true, &tuple_delete}};
inline constexpr object_schema tuple_bulk_delete{tuple_bulk_delete_fields};

// Condition sets and their rules (https://api.permit.io/v2/redoc#tag/Condition-Sets,
// #tag/Condition-Set-Rules)
inline constexpr field condition_set_create_fields[] = {
    {"key", ft::slug, true},     {"type", ft::string},       {"autogenerated", ft::boolean},
    {"resource_id", ft::string}, {"name", ft::string, true}, {"description", ft::string},
    {"conditions", ft::object},  {"parent_id", ft::string}};
inline constexpr object_schema condition_set_create{condition_set_create_fields};

inline constexpr field condition_set_update_fields[] = {{"name", ft::string},
                                                        {"description", ft::string},
                                                        {"conditions", ft::object},
                                                        {"parent_id", ft::string}};
inline constexpr object_schema condition_set_update{condition_set_update_fields};

inline constexpr field set_rule_fields[] = {{"user_set", ft::string, true},
                                            {"permission", ft::string, true},
                                            {"resource_set", ft::string, true},
                                            {"is_role", ft::boolean},
                                            {"is_resource", ft::boolean}};
inline constexpr object_schema set_rule{set_rule_fields};

}  // namespace permit::testing::detail::schemas
