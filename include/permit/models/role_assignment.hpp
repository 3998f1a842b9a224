#pragma once

#include <permit/models/detail/json_fields.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <optional>
#include <string>

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

    /// Field-by-field equality.
    friend bool operator==(const role_assignment&, const role_assignment&) = default;
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

// --- role_assignment_create ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `RoleAssignmentCreate` JSON
/// object; unset optional fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const role_assignment_create& v) {
    detail::field_writer(jv)
        .field("user", v.user)
        .field("role", v.role)
        .field("tenant", v.tenant)
        .field("resource_instance", v.resource_instance);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `RoleAssignmentCreate` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline role_assignment_create tag_invoke(boost::json::value_to_tag<role_assignment_create>,
                                         const boost::json::value& jv) {
    const detail::field_reader in(jv, "role_assignment_create");
    return {.user = in.required<std::string>("user"),
            .role = in.required<std::string>("role"),
            .tenant = in.optional<std::string>("tenant"),
            .resource_instance = in.optional<std::string>("resource_instance")};
}

// --- role_assignment_remove ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `RoleAssignmentRemove` JSON
/// object; an unset `resource_instance` is left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const role_assignment_remove& v) {
    detail::field_writer(jv)
        .field("user", v.user)
        .field("role", v.role)
        .field("tenant", v.tenant)
        .field("resource_instance", v.resource_instance);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `RoleAssignmentRemove` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline role_assignment_remove tag_invoke(boost::json::value_to_tag<role_assignment_remove>,
                                         const boost::json::value& jv) {
    const detail::field_reader in(jv, "role_assignment_remove");
    return {.user = in.required<std::string>("user"),
            .role = in.required<std::string>("role"),
            .tenant = in.required<std::string>("tenant"),
            .resource_instance = in.optional<std::string>("resource_instance")};
}

// --- role_assignment ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `RoleAssignmentRead` JSON
/// object; unset optional fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const role_assignment& v) {
    detail::field_writer(jv)
        .field("id", v.id)
        .field("user", v.user)
        .field("role", v.role)
        .field("tenant", v.tenant)
        .field("resource_instance", v.resource_instance)
        .field("resource_instance_id", v.resource_instance_id)
        .field("user_id", v.user_id)
        .field("role_id", v.role_id)
        .field("tenant_id", v.tenant_id)
        .field("organization_id", v.organization_id)
        .field("project_id", v.project_id)
        .field("environment_id", v.environment_id)
        .field("created_at", v.created_at);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `RoleAssignmentRead` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline role_assignment tag_invoke(boost::json::value_to_tag<role_assignment>,
                                  const boost::json::value& jv) {
    const detail::field_reader in(jv, "role_assignment");
    return {.id = in.required<std::string>("id"),
            .user = in.required<std::string>("user"),
            .role = in.required<std::string>("role"),
            .tenant = in.optional<std::string>("tenant"),
            .resource_instance = in.optional<std::string>("resource_instance"),
            .resource_instance_id = in.optional<std::string>("resource_instance_id"),
            .user_id = in.required<std::string>("user_id"),
            .role_id = in.required<std::string>("role_id"),
            .tenant_id = in.required<std::string>("tenant_id"),
            .organization_id = in.required<std::string>("organization_id"),
            .project_id = in.required<std::string>("project_id"),
            .environment_id = in.required<std::string>("environment_id"),
            .created_at = in.required<std::string>("created_at")};
}

// --- bulk reports (the spec defaults both counters to 0) ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `BulkRoleAssignmentReport`
/// JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const bulk_role_assignment_report& v) {
    detail::field_writer(jv).field("assignments_created", v.assignments_created);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `BulkRoleAssignmentReport` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline bulk_role_assignment_report tag_invoke(
    boost::json::value_to_tag<bulk_role_assignment_report>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "bulk_role_assignment_report");
    return {.assignments_created = in.or_default<std::int64_t>("assignments_created")};
}

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `BulkRoleUnAssignmentReport`
/// JSON object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const bulk_role_unassignment_report& v) {
    detail::field_writer(jv).field("assignments_removed", v.assignments_removed);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `BulkRoleUnAssignmentReport` JSON
/// object. Throws `permit::model_error` when `jv` is not an object, a required field is missing, or
/// a field has the wrong type.
inline bulk_role_unassignment_report tag_invoke(
    boost::json::value_to_tag<bulk_role_unassignment_report>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "bulk_role_unassignment_report");
    return {.assignments_removed = in.or_default<std::int64_t>("assignments_removed")};
}

}  // namespace permit
