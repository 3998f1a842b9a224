// The relation models (https://api.permit.io/v2/redoc#tag/Resource-Relations): a relation is
// defined on a resource type, the object, and points to another (or the same) resource type, the
// subject; relationship tuples then join instances through it.
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace permit {

/// RelationCreate: body of POST /resources/{resource}/relations.
struct relation_create {
    /// The relation's key (`^[A-Za-z0-9\-_]+$`), e.g. `"parent"`.
    std::string key;
    /// The display name.
    std::string name;
    /// The subject resource type's key or id: in a tuple (subject, relation, object) the
    /// subject is an instance of it.
    std::string subject_resource;
    /// What the relation means, if set.
    std::optional<std::string> description;

    /// Field-by-field equality.
    friend bool operator==(const relation_create&, const relation_create&) = default;
};

/// RelationRead: a relation as the API returns it.
struct relation {
    /// The relation's key.
    std::string key;
    /// The display name.
    std::string name;
    /// The id the API gave the relation.
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
    /// The id of the resource type it is defined on.
    std::string object_resource_id;
    /// The key of the resource type it is defined on.
    std::string object_resource;
    /// The id of the resource type it points to.
    std::string subject_resource_id;
    /// The key of the resource type it points to.
    std::string subject_resource;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const relation&, const relation&) = default;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(relation_create,
                      ({.name = "relation_create", .kind = detail::model_kind::request}),
                      (key, name, subject_resource, description))
PERMIT_DESCRIBE_MODEL(relation, ({.name = "relation", .kind = detail::model_kind::reply}),
                      (key, name, id, organization_id, project_id, environment_id, created_at,
                       updated_at, object_resource_id, object_resource, subject_resource_id,
                       subject_resource, description))

}  // namespace permit
