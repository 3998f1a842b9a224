// The environment models (https://api.permit.io/v2/redoc#tag/Environments): the environments of
// a project, each with its own policy and data, and what copying one into another takes.
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace permit {

/// JwksConfig: the keys with which an environment checks the tokens of a frontend-only login to
/// Permit Elements.
struct jwks_config {
    /// How long the keys fetched from `url` are cached, in seconds (the API's default: 600).
    std::optional<std::int64_t> ttl;
    /// Where the keys are published (an `https://` URL).
    std::optional<std::string> url;
    /// The keys themselves (`{"keys": [...]}`), when they are not fetched from `url`.
    std::optional<boost::json::object> jwks;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const jwks_config&, const jwks_config&) = default;
};

/// EnvironmentCreate: body of POST /v2/projects/{proj}/envs, and the new environment of a copy.
struct environment_create {
    /// The environment's key (`^[A-Za-z0-9\-_]+$`), unique in its project.
    std::string key;
    /// The display name.
    std::string name;
    /// What the environment is for, if set.
    std::optional<std::string> description;
    /// With GitOps, the branch of the policy repository the environment follows.
    std::optional<std::string> custom_branch_name;
    /// The keys for a frontend-only login to Permit Elements.
    std::optional<jwks_config> jwks;
    /// The environment's settings.
    std::optional<boost::json::object> settings;

    /// Field-by-field equality.
    friend bool operator==(const environment_create&, const environment_create&) = default;
};

/// EnvironmentUpdate: body of PATCH /v2/projects/{proj}/envs/{env}; a field given replaces the
/// stored one.
struct environment_update {
    /// The new display name, if set.
    std::optional<std::string> name;
    /// The new description, if set.
    std::optional<std::string> description;
    /// The new GitOps branch, if set.
    std::optional<std::string> custom_branch_name;
    /// The new keys for a frontend-only login to Permit Elements, if set.
    std::optional<jwks_config> jwks;
    /// The new settings, if set.
    std::optional<boost::json::object> settings;

    /// Field-by-field equality.
    friend bool operator==(const environment_update&, const environment_update&) = default;
};

/// EnvironmentRead (and EnvironmentReadWithEmailConfig, which `get` and `list` return): an
/// environment as the API returns it.
struct environment {
    /// The environment's key.
    std::string key;
    /// The id the API gave it.
    std::string id;
    /// The id of its organization.
    std::string organization_id;
    /// The id of its project.
    std::string project_id;
    /// When it was created: a date-time string, as the API sent it.
    std::string created_at;
    /// When it was last changed: a date-time string, as the API sent it.
    std::string updated_at;
    /// The display name.
    std::string name;
    /// Its description, if it has one.
    std::optional<std::string> description;
    /// Its GitOps branch, if it has one.
    std::optional<std::string> custom_branch_name;
    /// Its keys for a frontend-only login to Permit Elements, if it has some.
    std::optional<jwks_config> jwks;
    /// Its settings, if it has some.
    std::optional<boost::json::object> settings;
    /// The id of an AWS Verified Permissions policy store, when the API names one.
    std::optional<std::string> avp_policy_store_id;
    /// The id of its email configuration: in the replies of `get` and `list` only.
    std::optional<std::string> email_configuration;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const environment&, const environment&) = default;
};

/// EnvironmentCopyTarget: where a copy goes, an existing environment of the same project or a new
/// one; exactly one of the two is set.
struct environment_copy_target {
    /// The key or id of an existing environment of the same project (`"existing"` on the wire).
    std::optional<std::string> existing;
    /// The environment to create (`"new"` on the wire: a C++ keyword).
    std::optional<environment_create> new_environment;

    /// Field-by-field equality.
    friend bool operator==(const environment_copy_target&,
                           const environment_copy_target&) = default;
};

/// EnvironmentCopyScopeFilters: which objects of one kind a copy takes, by key, with `*`
/// wildcards (Unix filename patterns). Both empty: all of them.
struct environment_copy_filter {
    /// Only the objects whose key matches one of these (empty: every object).
    std::vector<std::string> include;
    /// None of the objects whose key matches one of these.
    std::vector<std::string> exclude;

    /// Field-by-field equality.
    friend bool operator==(const environment_copy_filter&,
                           const environment_copy_filter&) = default;
};

/// EnvironmentCopyScope: the filters of a copy, by kind of object; a kind left unset is copied
/// whole.
struct environment_copy_scope {
    /// The resource types copied (with their actions, attributes, roles and relations).
    std::optional<environment_copy_filter> resources;
    /// The tenant-level roles copied.
    std::optional<environment_copy_filter> roles;
    /// The user sets (condition sets of type `userset`) copied.
    std::optional<environment_copy_filter> user_sets;
    /// The resource sets (condition sets of type `resourceset`) copied.
    std::optional<environment_copy_filter> resource_sets;
    /// The custom Rego policies copied (with GitOps).
    std::optional<environment_copy_filter> custom_policies;

    /// Field-by-field equality.
    friend bool operator==(const environment_copy_scope&, const environment_copy_scope&) = default;
};

/// EnvironmentCopy: body of POST /v2/projects/{proj}/envs/{env}/copy. A copy takes the policy
/// (resource types, roles, condition sets and their rules), not the directory (users, tenants,
/// resource instances, relationship tuples, role assignments)
/// (https://docs.permit.io/manage-your-account/creating-environments).
struct environment_copy {
    /// Where the copy goes.
    environment_copy_target target_env;
    /// What a copy into an existing environment does with an object the target has: `"fail"`
    /// (the API's default: nothing is copied) or `"overwrite"`.
    std::optional<std::string> conflict_strategy;
    /// Which objects are copied; unset: all of them.
    std::optional<environment_copy_scope> scope;

    /// Field-by-field equality.
    friend bool operator==(const environment_copy&, const environment_copy&) = default;
};

// The JSON conversions come from these descriptions (see <permit/models/detail/described.hpp>),
// but for the copy target's `new`, which cannot be a member's name.
PERMIT_DESCRIBE_MODEL(jwks_config, ({.name = "jwks_config", .kind = detail::model_kind::request}),
                      (ttl, url, jwks))
PERMIT_DESCRIBE_MODEL(environment_create,
                      ({.name = "environment_create", .kind = detail::model_kind::request}),
                      (key, name, description, custom_branch_name, jwks, settings))
PERMIT_DESCRIBE_MODEL(environment_update,
                      ({.name = "environment_update", .kind = detail::model_kind::request}),
                      (name, description, custom_branch_name, jwks, settings))
PERMIT_DESCRIBE_MODEL(environment, ({.name = "environment", .kind = detail::model_kind::reply}),
                      (key, id, organization_id, project_id, created_at, updated_at, name,
                       description, custom_branch_name, jwks, settings, avp_policy_store_id,
                       email_configuration))
PERMIT_DESCRIBE_MODEL(environment_copy_filter,
                      ({.name = "environment_copy_filter", .kind = detail::model_kind::request}),
                      (include, exclude))
PERMIT_DESCRIBE_MODEL(environment_copy_scope,
                      ({.name = "environment_copy_scope", .kind = detail::model_kind::request}),
                      (resources, roles, user_sets, resource_sets, custom_policies))
PERMIT_DESCRIBE_MODEL(environment_copy,
                      ({.name = "environment_copy", .kind = detail::model_kind::request}),
                      (target_env, conflict_strategy, scope))

/// Boost.JSON conversion (`boost::json::value_from`): `{"existing": ...}` and/or `{"new": ...}`,
/// each only when set.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const environment_copy_target& v) {
    detail::field_writer(jv).field("existing", v.existing).field("new", v.new_environment);
}

/// Boost.JSON conversion (`boost::json::value_to`). Throws `permit::model_error` when `jv` is not
/// an object or a field has the wrong type.
inline environment_copy_target tag_invoke(boost::json::value_to_tag<environment_copy_target>,
                                          const boost::json::value& jv) {
    const detail::field_reader in(jv, "environment_copy_target");
    return {.existing = in.optional<std::string>("existing"),
            .new_environment = in.optional<environment_create>("new")};
}

}  // namespace permit
