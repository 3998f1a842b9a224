#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <optional>
#include <string>

namespace permit {

/// APIKeyScopeRead: reply of GET /v2/api-key/scope. Which ids are set tells the key's level:
/// org-level keys have neither project_id nor environment_id.
struct api_key_scope {
    /// The id of the key's organization.
    std::string organization_id;
    /// The id of the key's project; unset for an organization-level key.
    std::optional<std::string> project_id;
    /// The id of the key's environment; set for an environment-level key only.
    std::optional<std::string> environment_id;

    /// Field-by-field equality.
    friend bool operator==(const api_key_scope&, const api_key_scope&) = default;
};

// The JSON conversions of the scope come from this description (see
// <permit/models/detail/described.hpp>).
PERMIT_DESCRIBE_MODEL(api_key_scope, ({.name = "api_key_scope", .kind = detail::model_kind::reply}),
                      (organization_id, project_id, environment_id))

}  // namespace permit
