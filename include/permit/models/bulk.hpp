#pragma once

#include <permit/models/detail/json_fields.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <string>
#include <vector>

namespace permit {

/// UserCreateBulkOperation / UserReplaceBulkOperation: body of POST and PUT /bulk/users.
struct user_bulk_operation {
    /// The users to create or replace.
    std::vector<user_create> operations;

    /// Field-by-field equality.
    friend bool operator==(const user_bulk_operation&, const user_bulk_operation&) = default;
};

/// TenantCreateBulkOperation: body of POST /bulk/tenants.
struct tenant_bulk_operation {
    /// The tenants to create.
    std::vector<tenant_create> operations;

    /// Field-by-field equality.
    friend bool operator==(const tenant_bulk_operation&, const tenant_bulk_operation&) = default;
};

/// UserDeleteBulkOperation / TenantDeleteBulkOperation: body of DELETE /bulk/users and
/// DELETE /bulk/tenants (ids or keys).
struct bulk_delete_operation {
    /// The ids or keys of the users or tenants to delete.
    std::vector<std::string> idents;

    /// Field-by-field equality.
    friend bool operator==(const bulk_delete_operation&, const bulk_delete_operation&) = default;
};

// The lists are required by the spec, so they are written even when empty.

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserCreateBulkOperation`
/// JSON object; `operations` is written even when empty.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const user_bulk_operation& v) {
    detail::field_writer(jv).field("operations", v.operations);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserCreateBulkOperation` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline user_bulk_operation tag_invoke(boost::json::value_to_tag<user_bulk_operation>,
                                      const boost::json::value& jv) {
    const detail::field_reader in(jv, "user_bulk_operation");
    return {.operations = in.required<std::vector<user_create>>("operations")};
}

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `TenantCreateBulkOperation`
/// JSON object; `operations` is written even when empty.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const tenant_bulk_operation& v) {
    detail::field_writer(jv).field("operations", v.operations);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `TenantCreateBulkOperation` JSON
/// object. Throws `permit::model_error` when `jv` is not an object, a required field is missing, or
/// a field has the wrong type.
inline tenant_bulk_operation tag_invoke(boost::json::value_to_tag<tenant_bulk_operation>,
                                        const boost::json::value& jv) {
    const detail::field_reader in(jv, "tenant_bulk_operation");
    return {.operations = in.required<std::vector<tenant_create>>("operations")};
}

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `UserDeleteBulkOperation`
/// JSON object; `idents` is written even when empty.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const bulk_delete_operation& v) {
    detail::field_writer(jv).field("idents", v.idents);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `UserDeleteBulkOperation` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline bulk_delete_operation tag_invoke(boost::json::value_to_tag<bulk_delete_operation>,
                                        const boost::json::value& jv) {
    const detail::field_reader in(jv, "bulk_delete_operation");
    return {.idents = in.required<std::vector<std::string>>("idents")};
}

}  // namespace permit
