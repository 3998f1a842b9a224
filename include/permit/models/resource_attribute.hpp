// The attribute definition models (https://api.permit.io/v2/redoc#tag/Resource-Attributes,
// #tag/User-Attributes): the attributes that the instances of a resource type, or the users, may
// carry for attribute-based policies.
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace permit {

/// The key of the built-in resource type that stands for the users: the attributes defined on
/// it are the users' (`resource_attributes.create(permit::user_resource_key, ...)`).
inline constexpr std::string_view user_resource_key = "__user";

/// ResourceAttributeCreate: body of POST /resources/{resource}/attributes and
/// POST /users/attributes.
struct resource_attribute_create {
    /// The attribute's key (`^[A-Za-z0-9\-_]+$`); `type` is reserved.
    std::string key;
    /// Its type (`AttributeType`): `"bool"`, `"number"`, `"string"`, `"time"`, `"array"`,
    /// `"json"`, `"object"` or `"object_array"`.
    std::string type;
    /// What it holds, if set.
    std::optional<std::string> description;

    /// Field-by-field equality.
    friend bool operator==(const resource_attribute_create&,
                           const resource_attribute_create&) = default;
};

/// ResourceAttributeUpdate: body of PATCH; a field given replaces the stored one.
struct resource_attribute_update {
    /// The new type, if set.
    std::optional<std::string> type;
    /// The new description, if set.
    std::optional<std::string> description;

    /// Field-by-field equality.
    friend bool operator==(const resource_attribute_update&,
                           const resource_attribute_update&) = default;
};

/// ResourceAttributeRead: an attribute definition as the API returns it.
struct resource_attribute {
    /// The attribute's key.
    std::string key;
    /// Its type (`AttributeType`, see `resource_attribute_create::type`).
    std::string type;
    /// The id the API gave it.
    std::string id;
    /// The id of its resource type.
    std::string resource_id;
    /// The key of its resource type (`"__user"` for the users').
    std::string resource_key;
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
    /// Whether the API defines it itself.
    bool built_in = false;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const resource_attribute&, const resource_attribute&) = default;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(resource_attribute_create,
                      ({.name = "resource_attribute_create", .kind = detail::model_kind::request}),
                      (key, type, description))
PERMIT_DESCRIBE_MODEL(resource_attribute_update,
                      ({.name = "resource_attribute_update", .kind = detail::model_kind::request}),
                      (type, description))
PERMIT_DESCRIBE_MODEL(
    resource_attribute,
    ({.name = "resource_attribute", .kind = detail::model_kind::reply, .defaulted = "built_in"}),
    (key, type, id, resource_id, resource_key, organization_id, project_id, environment_id,
     created_at, updated_at, built_in, description))

}  // namespace permit
