// The project models (https://api.permit.io/v2/redoc#tag/Projects): the projects of an
// organization, each holding environments.
#pragma once

#include <permit/models/detail/described.hpp>
#include <permit/models/environment.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace permit {

/// ProjectCreate: body of POST /v2/projects.
struct project_create {
    /// The project's key (`^[A-Za-z0-9\-_]+$`), unique in the organization.
    std::string key;
    /// The display name.
    std::string name;
    /// The namespace of the project's URNs (`[a-z0-9-]{2,}`); unset: made from the key.
    std::optional<std::string> urn_namespace;
    /// What the project is for, if set.
    std::optional<std::string> description;
    /// The project's settings.
    std::optional<boost::json::object> settings;
    /// The id of the policy repository the project uses (GitOps).
    std::optional<std::string> active_policy_repo_id;
    /// The environments made with the project. Unset: the API's default, "Development" (`dev`)
    /// and "Production" (`production`); an empty list: none.
    std::optional<std::vector<environment_create>> initial_environments;

    /// Field-by-field equality.
    friend bool operator==(const project_create&, const project_create&) = default;
};

/// ProjectUpdate: body of PATCH /v2/projects/{proj}; a field given replaces the stored one.
struct project_update {
    /// The new display name, if set.
    std::optional<std::string> name;
    /// The new description, if set.
    std::optional<std::string> description;
    /// The new settings, if set.
    std::optional<boost::json::object> settings;
    /// The new policy repository, if set.
    std::optional<std::string> active_policy_repo_id;

    /// Field-by-field equality.
    friend bool operator==(const project_update&, const project_update&) = default;
};

/// ProjectRead: a project as the API returns it.
struct project {
    /// The project's key.
    std::string key;
    /// The id the API gave it.
    std::string id;
    /// The id of its organization.
    std::string organization_id;
    /// When it was created: a date-time string, as the API sent it.
    std::string created_at;
    /// When it was last changed: a date-time string, as the API sent it.
    std::string updated_at;
    /// The display name.
    std::string name;
    /// The namespace of its URNs, if set.
    std::optional<std::string> urn_namespace;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// Its settings, if it has some.
    std::optional<boost::json::object> settings;
    /// The id of the policy repository it uses, if any.
    std::optional<std::string> active_policy_repo_id;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const project&, const project&) = default;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(project_create,
                      ({.name = "project_create", .kind = detail::model_kind::request}),
                      (key, name, urn_namespace, description, settings, active_policy_repo_id,
                       initial_environments))
PERMIT_DESCRIBE_MODEL(project_update,
                      ({.name = "project_update", .kind = detail::model_kind::request}),
                      (name, description, settings, active_policy_repo_id))
PERMIT_DESCRIBE_MODEL(project, ({.name = "project", .kind = detail::model_kind::reply}),
                      (key, id, organization_id, created_at, updated_at, name, urn_namespace,
                       description, settings, active_policy_repo_id))

}  // namespace permit
