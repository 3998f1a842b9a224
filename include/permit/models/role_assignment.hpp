#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace permit {

/// RoleAssignmentCreate: body of POST /role_assignments (items of the bulk array too).
struct role_assignment_create {
    /// The user's key.
    std::string user;
    /// The role's key.
    std::string role;
    /// The key of the tenant the role is given in (optional in the API's schema).
    std::optional<std::string> tenant;
    /// The resource instance (`"<type>:<key>"`) the role is given on, for a resource-instance role.
    std::optional<std::string> resource_instance;

    /// Field-by-field equality.
    friend bool operator==(const role_assignment_create&, const role_assignment_create&) = default;
};

/// RoleAssignmentRemove: body of DELETE /role_assignments (items of the bulk array too).
struct role_assignment_remove {
    /// The user's key.
    std::string user;
    /// The role's key.
    std::string role;
    /// The key of the tenant the role is held in.
    std::string tenant;
    /// The resource instance (`"<type>:<key>"`), for a resource-instance role.
    std::optional<std::string> resource_instance;

    /// Field-by-field equality.
    friend bool operator==(const role_assignment_remove&, const role_assignment_remove&) = default;
};

/// RoleAssignmentRead: one role assignment as returned by the API.
struct role_assignment {
    /// The id the API gave the assignment.
    std::string id;
    std::string user;  ///< the user key (the live API may echo the email, see permitio/
                       ///< permit-python `tests/endpoints/test_users_tenants.py`)
    /// The role's key.
    std::string role;
    /// The tenant's key, when the API sends it.
    std::optional<std::string> tenant;
    /// The resource instance, for a resource-instance role.
    std::optional<std::string> resource_instance;
    /// The id of the resource instance, for a resource-instance role.
    std::optional<std::string> resource_instance_id;
    /// The user's id.
    std::string user_id;
    /// The role's id.
    std::string role_id;
    std::string tenant_id;  ///< required in the spec even though `tenant` is optional
    /// The id of the organization it belongs to.
    std::string organization_id;
    /// The id of the project it belongs to.
    std::string project_id;
    /// The id of the environment it belongs to.
    std::string environment_id;
    /// When it was made: a date-time string, as the API sent it.
    std::string created_at;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const role_assignment&, const role_assignment&) = default;
};

/// RoleAssignmentRole: the role of a `role_assignment_detailed`.
struct role_assignment_role {
    /// The role's id.
    std::string id;
    /// The role's key.
    std::string key;
    /// The role's display name.
    std::string name;
    /// The permissions the role grants, when the API lists them.
    std::optional<std::vector<std::string>> permissions;

    /// Field-by-field equality.
    friend bool operator==(const role_assignment_role&, const role_assignment_role&) = default;
};

/// RoleAssignmentUser: the user of a `role_assignment_detailed`.
struct role_assignment_user {
    /// The user's id.
    std::string id;
    /// The user's key.
    std::string key;
    /// The user's email address, if it has one.
    std::optional<std::string> email;
    /// The user's first name, if it has one.
    std::optional<std::string> first_name;
    /// The user's last name, if it has one.
    std::optional<std::string> last_name;
    /// The user's attributes.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const role_assignment_user&, const role_assignment_user&) = default;
};

/// RoleAssignmentTenant: the tenant of a `role_assignment_detailed`.
struct role_assignment_tenant {
    /// The tenant's id.
    std::string id;
    /// The tenant's key.
    std::string key;
    /// The tenant's display name.
    std::string name;
    /// The tenant's attributes.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const role_assignment_tenant&, const role_assignment_tenant&) = default;
};

/// RoleAssignmentResourceInstance: the resource instance of a `role_assignment_detailed`.
struct role_assignment_resource_instance {
    /// The instance's id.
    std::string id;
    /// The instance's key (`"report"` of `"file:report"`).
    std::string key;
    /// The key of its resource type (`"file"`).
    std::string resource;
    /// The instance's attributes.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const role_assignment_resource_instance&,
                           const role_assignment_resource_instance&) = default;
};

/// RoleAssignmentDetailedRead: one role assignment with its role, user, tenant and resource
/// instance as objects (`GET /role_assignments/detailed`).
struct role_assignment_detailed {
    /// The id the API gave the assignment.
    std::string id;
    /// The role.
    role_assignment_role role;
    /// The user who holds it.
    role_assignment_user user;
    /// The tenant it is held in (for a role on an instance, the instance's).
    role_assignment_tenant tenant;
    /// The resource instance, for a resource-instance role.
    std::optional<role_assignment_resource_instance> resource_instance;
    /// The id of the organization it belongs to.
    std::string organization_id;
    /// The id of the project it belongs to.
    std::string project_id;
    /// The id of the environment it belongs to.
    std::string environment_id;
    /// When it was made: a date-time string, as the API sent it.
    std::string created_at;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const role_assignment_detailed&,
                           const role_assignment_detailed&) = default;
};

/// BulkRoleAssignmentReport: reply of POST /role_assignments/bulk.
struct bulk_role_assignment_report {
    /// How many assignments were made (0 when the reply leaves it out).
    std::int64_t assignments_created = 0;

    /// Field-by-field equality.
    friend bool operator==(const bulk_role_assignment_report&,
                           const bulk_role_assignment_report&) = default;
};

/// BulkRoleUnAssignmentReport: reply of DELETE /role_assignments/bulk.
struct bulk_role_unassignment_report {
    /// How many assignments were removed (0 when the reply leaves it out).
    std::int64_t assignments_removed = 0;

    /// Field-by-field equality.
    friend bool operator==(const bulk_role_unassignment_report&,
                           const bulk_role_unassignment_report&) = default;
};

// The JSON conversions of the role assignment models come from these descriptions (see
// <permit/models/detail/described.hpp>); the bulk reports' counters default to 0, as in the API's
// schemas.
PERMIT_DESCRIBE_MODEL(role_assignment_create,
                      ({.name = "role_assignment_create", .kind = detail::model_kind::request}),
                      (user, role, tenant, resource_instance))
PERMIT_DESCRIBE_MODEL(role_assignment_remove,
                      ({.name = "role_assignment_remove", .kind = detail::model_kind::request}),
                      (user, role, tenant, resource_instance))
PERMIT_DESCRIBE_MODEL(role_assignment,
                      ({.name = "role_assignment", .kind = detail::model_kind::reply}),
                      (id, user, role, tenant, resource_instance, resource_instance_id, user_id,
                       role_id, tenant_id, organization_id, project_id, environment_id, created_at))
PERMIT_DESCRIBE_MODEL(role_assignment_role,
                      ({.name = "role_assignment_role", .kind = detail::model_kind::reply}),
                      (id, key, name, permissions))
PERMIT_DESCRIBE_MODEL(role_assignment_user,
                      ({.name = "role_assignment_user", .kind = detail::model_kind::reply}),
                      (id, key, email, first_name, last_name, attributes))
PERMIT_DESCRIBE_MODEL(role_assignment_tenant,
                      ({.name = "role_assignment_tenant", .kind = detail::model_kind::reply}),
                      (id, key, name, attributes))
PERMIT_DESCRIBE_MODEL(role_assignment_resource_instance,
                      ({.name = "role_assignment_resource_instance",
                        .kind = detail::model_kind::reply}),
                      (id, key, resource, attributes))
PERMIT_DESCRIBE_MODEL(role_assignment_detailed,
                      ({.name = "role_assignment_detailed", .kind = detail::model_kind::reply}),
                      (id, role, user, tenant, resource_instance, organization_id, project_id,
                       environment_id, created_at))
PERMIT_DESCRIBE_MODEL(bulk_role_assignment_report,
                      ({.name = "bulk_role_assignment_report",
                        .kind = detail::model_kind::reply,
                        .defaulted = "assignments_created"}),
                      (assignments_created))
PERMIT_DESCRIBE_MODEL(bulk_role_unassignment_report,
                      ({.name = "bulk_role_unassignment_report",
                        .kind = detail::model_kind::reply,
                        .defaulted = "assignments_removed"}),
                      (assignments_removed))

}  // namespace permit
