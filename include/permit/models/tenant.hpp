#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <optional>
#include <string>

namespace permit {

/// TenantCreate: body of POST /tenants.
struct tenant_create {
    /// The key that names the tenant in checks and role assignments (`"marketing"`).
    std::string key;
    /// The display name.
    std::string name;
    /// What the tenant is.
    std::optional<std::string> description;
    /// Custom attributes, for attribute-based policies. Left out of the JSON when empty.
    boost::json::object attributes;

    /// Field-by-field equality.
    friend bool operator==(const tenant_create&, const tenant_create&) = default;
};

/// TenantUpdate: body of PATCH /tenants/{id}; a present field overwrites the stored one.
struct tenant_update {
    /// The new display name, if set.
    std::optional<std::string> name;
    /// The new description, if set.
    std::optional<std::string> description;
    /// The new attributes, if set.
    std::optional<boost::json::object> attributes;

    /// Field-by-field equality.
    friend bool operator==(const tenant_update&, const tenant_update&) = default;
};

/// TenantRead: a tenant as returned by the tenants endpoints.
struct tenant {
    /// The key that names the tenant in checks and role assignments.
    std::string key;
    /// The id the API gave the tenant.
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
    std::string last_action_at;  ///< required by the spec, unlike most timestamps one might expect
    /// The display name.
    std::string name;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// Custom attributes, for attribute-based policies.
    boost::json::object attributes;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const tenant&, const tenant&) = default;
};

// The JSON conversions of the tenant models come from these descriptions (see
// <permit/models/detail/described.hpp>): unset optional fields are left out of a request, and so
// are the empty `attributes` of a `tenant_create`.
PERMIT_DESCRIBE_MODEL(tenant_create,
                      ({.name = "tenant_create", .kind = detail::model_kind::request}),
                      (key, name, description, attributes))
PERMIT_DESCRIBE_MODEL(tenant_update,
                      ({.name = "tenant_update", .kind = detail::model_kind::request}),
                      (name, description, attributes))
PERMIT_DESCRIBE_MODEL(tenant, ({.name = "tenant", .kind = detail::model_kind::reply}),
                      (key, id, organization_id, project_id, environment_id, created_at, updated_at,
                       last_action_at, name, description, attributes))

}  // namespace permit
