// The relationship tuple models (https://api.permit.io/v2/redoc#tag/Relationship-Tuples): a
// tuple (subject, relation, object) says that instance `subject` is the `relation` of instance
// `object`, e.g. (folder:finance, parent, document:report).
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace permit {

/// RelationshipTupleCreate: body of POST /relationship_tuples.
struct relationship_tuple_create {
    /// The subject instance: `"type:key"` or its id.
    std::string subject;
    /// The relation's key, defined on the object's resource type.
    std::string relation;
    /// The object instance: `"type:key"` or its id.
    std::string object;
    /// The tenant in which to create the instances that do not exist yet; needed only then.
    std::optional<std::string> tenant;

    /// Field-by-field equality.
    friend bool operator==(const relationship_tuple_create&,
                           const relationship_tuple_create&) = default;
};

/// RelationshipTupleDelete: which tuple `relationship_tuples.remove` deletes.
struct relationship_tuple_delete {
    /// The subject instance: `"type:key"` or its id.
    std::string subject;
    /// The relation's key.
    std::string relation;
    /// The object instance: `"type:key"` or its id.
    std::string object;

    /// Field-by-field equality.
    friend bool operator==(const relationship_tuple_delete&,
                           const relationship_tuple_delete&) = default;
};

/// RelationshipTupleRead: a tuple as the API returns it.
struct relationship_tuple {
    /// The subject instance, `"type:key"`.
    std::string subject;
    /// The relation's key.
    std::string relation;
    /// The object instance, `"type:key"`.
    std::string object;
    /// The id the API gave the tuple.
    std::string id;
    /// The key of the tenant of both instances.
    std::string tenant;
    /// The id of the subject instance.
    std::string subject_id;
    /// The id of the relation.
    std::string relation_id;
    /// The id of the object instance.
    std::string object_id;
    /// The id of the tenant.
    std::string tenant_id;
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
    friend bool operator==(const relationship_tuple&, const relationship_tuple&) = default;
};

/// Filters of `relationship_tuples.list`; they combine with AND.
struct relationship_tuple_list_query {
    std::optional<std::string> tenant;        ///< a tenant's key or id
    std::optional<std::string> subject;       ///< an instance, `"type:key"` or id
    std::optional<std::string> relation;      ///< a relation's key or id
    std::optional<std::string> object;        ///< an instance, `"type:key"` or id
    std::optional<std::string> subject_type;  ///< a resource type's key or id
    std::optional<std::string> object_type;   ///< a resource type's key or id
    /// The page to read, from 1.
    int page = 1;
    /// Items per page, 1 to 100.
    int per_page = 100;
};

/// Body of POST /relationship_tuples/bulk.
struct relationship_tuple_bulk_operation {
    /// The tuples to create (at most 1,000 per call).
    std::vector<relationship_tuple_create> operations;

    /// Field-by-field equality.
    friend bool operator==(const relationship_tuple_bulk_operation&,
                           const relationship_tuple_bulk_operation&) = default;
};

/// Body of DELETE /relationship_tuples/bulk.
struct relationship_tuple_bulk_delete {
    /// The tuples to delete (at most 1,000 per call).
    std::vector<relationship_tuple_delete> idents;

    /// Field-by-field equality.
    friend bool operator==(const relationship_tuple_bulk_delete&,
                           const relationship_tuple_bulk_delete&) = default;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(relationship_tuple_create,
                      ({.name = "relationship_tuple_create", .kind = detail::model_kind::request}),
                      (subject, relation, object, tenant))
PERMIT_DESCRIBE_MODEL(relationship_tuple_delete,
                      ({.name = "relationship_tuple_delete", .kind = detail::model_kind::request}),
                      (subject, relation, object))
PERMIT_DESCRIBE_MODEL(relationship_tuple,
                      ({.name = "relationship_tuple", .kind = detail::model_kind::reply}),
                      (subject, relation, object, id, tenant, subject_id, relation_id, object_id,
                       tenant_id, organization_id, project_id, environment_id, created_at,
                       updated_at))
PERMIT_DESCRIBE_MODEL(relationship_tuple_bulk_operation,
                      ({.name = "relationship_tuple_bulk_operation",
                        .kind = detail::model_kind::request,
                        .required = "operations"}),
                      (operations))
PERMIT_DESCRIBE_MODEL(relationship_tuple_bulk_delete,
                      ({.name = "relationship_tuple_bulk_delete",
                        .kind = detail::model_kind::request,
                        .required = "idents"}),
                      (idents))

}  // namespace permit
