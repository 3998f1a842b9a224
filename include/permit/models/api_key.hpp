// The API key models (https://api.permit.io/v2/redoc#tag/API-Keys): the keys of an organization,
// each reaching the organization, one project or one environment.
//
// A key's `secret` is what a client sends as `Authorization: Bearer <secret>`. The library never
// writes it to a log line, an error message or a `permit::diagnostics`: it is only in the values
// the calls return.
#pragma once

#include <permit/models/detail/described.hpp>
#include <permit/models/environment.hpp>
#include <permit/models/project.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace permit {

/// APIKeyCreate: body of POST /v2/api-key.
struct api_key_create {
    /// The id of the organization (every key belongs to one; see `api_key_scope`).
    std::string organization_id;
    /// The id of the project, for a project- or environment-level key.
    std::optional<std::string> project_id;
    /// The id of the environment, for an environment-level key.
    std::optional<std::string> environment_id;
    /// What the key reaches: `"org"`, `"project"` or `"env"` (the API's default).
    std::optional<std::string> object_type;
    /// What it may do there: `"admin"` (the API's default), `"write"`, `"read"` or `"no_access"`.
    std::optional<std::string> access_level;
    /// Who holds it: `"member"` (the API's default), `"pdp_config"` or `"elements"`.
    std::optional<std::string> owner_type;
    /// A name for it.
    std::optional<std::string> name;

    /// Field-by-field equality.
    friend bool operator==(const api_key_create&, const api_key_create&) = default;
};

/// APIKeyRead: an API key as the API returns it.
struct api_key {
    /// The id of its organization.
    std::string organization_id;
    /// The id of its project, for a project- or environment-level key.
    std::optional<std::string> project_id;
    /// The id of its environment, for an environment-level key.
    std::optional<std::string> environment_id;
    /// What it reaches: `"org"`, `"project"` or `"env"`.
    std::optional<std::string> object_type;
    /// What it may do there: `"admin"`, `"write"`, `"read"` or `"no_access"`.
    std::optional<std::string> access_level;
    /// Who holds it: `"member"`, `"pdp_config"` or `"elements"`.
    std::string owner_type;
    /// Its name, if it has one.
    std::optional<std::string> name;
    /// The id the API gave it.
    std::string id;
    /// The key itself, as sent after `Bearer `. Never logged nor put in an error by the library.
    std::optional<std::string> secret;
    /// When it was created: a date-time string, as the API sent it.
    std::string created_at;
    /// The organization member who created it (`OrgMemberRead`), when the API says.
    std::optional<boost::json::object> created_by_member;
    /// When it was last used: a date-time string, when the API says.
    std::optional<std::string> last_used_at;
    /// Its environment, for an environment-level key, when the API includes it.
    std::optional<permit::environment> env;
    /// Its project, for a project- or environment-level key, when the API includes it.
    std::optional<permit::project> project;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const api_key&, const api_key&) = default;
};

/// Filters of `api_keys.list`.
struct api_key_list_query {
    /// Only the keys that reach this kind of object: `"org"`, `"project"` or `"env"`.
    std::optional<std::string> object_type;
    /// Only the keys of this project (its key or id), sent as `proj_id`.
    std::optional<std::string> project;
    /// The page to read, from 1.
    int page = 1;
    /// Items per page, 1 to 100.
    int per_page = 100;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(api_key_create,
                      ({.name = "api_key_create", .kind = detail::model_kind::request}),
                      (organization_id, project_id, environment_id, object_type, access_level,
                       owner_type, name))
PERMIT_DESCRIBE_MODEL(api_key, ({.name = "api_key", .kind = detail::model_kind::reply}),
                      (organization_id, project_id, environment_id, object_type, access_level,
                       owner_type, name, id, secret, created_at, created_by_member, last_used_at,
                       env, project))

}  // namespace permit
