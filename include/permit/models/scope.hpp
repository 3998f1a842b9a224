#pragma once

#include <permit/models/detail/json_fields.hpp>

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

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `APIKeyScopeRead` JSON
/// object; unset ids are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const api_key_scope& v) {
    detail::field_writer(jv)
        .field("organization_id", v.organization_id)
        .field("project_id", v.project_id)
        .field("environment_id", v.environment_id);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `APIKeyScopeRead` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline api_key_scope tag_invoke(boost::json::value_to_tag<api_key_scope>,
                                const boost::json::value& jv) {
    const detail::field_reader in(jv, "api_key_scope");
    return {.organization_id = in.required<std::string>("organization_id"),
            .project_id = in.optional<std::string>("project_id"),
            .environment_id = in.optional<std::string>("environment_id")};
}

}  // namespace permit
