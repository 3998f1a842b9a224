#pragma once

#include <permit/models/detail/described.hpp>
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

// The JSON conversions of the bulk bodies come from these descriptions (see
// <permit/models/detail/described.hpp>): their lists are required, so they are written even when
// empty.
PERMIT_DESCRIBE_MODEL(user_bulk_operation,
                      ({.name = "user_bulk_operation",
                        .kind = detail::model_kind::request,
                        .required = "operations"}),
                      (operations))
PERMIT_DESCRIBE_MODEL(tenant_bulk_operation,
                      ({.name = "tenant_bulk_operation",
                        .kind = detail::model_kind::request,
                        .required = "operations"}),
                      (operations))
PERMIT_DESCRIBE_MODEL(
    bulk_delete_operation,
    ({.name = "bulk_delete_operation", .kind = detail::model_kind::request, .required = "idents"}),
    (idents))

}  // namespace permit
