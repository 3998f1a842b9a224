// The organization's routes: `/v2/projects...` (https://api.permit.io/v2/redoc#tag/Projects,
// #tag/Environments), `/v2/api-key...` (#tag/API-Keys) and `POST /v2/auth/elements_login_as`
// (https://docs.permit.io/embeddable-uis/element-login). Each handler takes the organization and
// the caller's key, and checks what the key reaches (organization.hpp).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <permit/models/api_key.hpp>
#include <permit/models/environment.hpp>
#include <permit/models/project.hpp>
#include <permit/testing/detail/organization.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/validation.hpp>

namespace permit::testing::detail {

namespace schemas {

// Projects and environments (https://api.permit.io/v2/redoc#tag/Projects, #tag/Environments)
inline constexpr field jwks_config_fields[] = {
    {"ttl", ft::any}, {"url", ft::string}, {"jwks", ft::object}};
inline constexpr object_schema jwks_config{jwks_config_fields};

inline constexpr field environment_create_fields[] = {{"key", ft::slug, true},
                                                      {"name", ft::string, true},
                                                      {"description", ft::string},
                                                      {"custom_branch_name", ft::string},
                                                      {"jwks", ft::nested, false, &jwks_config},
                                                      {"settings", ft::object}};
inline constexpr object_schema environment_create{environment_create_fields};

inline constexpr field environment_update_fields[] = {{"name", ft::string},
                                                      {"description", ft::string},
                                                      {"custom_branch_name", ft::string},
                                                      {"jwks", ft::nested, false, &jwks_config},
                                                      {"settings", ft::object}};
inline constexpr object_schema environment_update{environment_update_fields};

inline constexpr field project_create_fields[] = {
    {"key", ft::slug, true},
    {"urn_namespace", ft::string},
    {"name", ft::string, true},
    {"description", ft::string},
    {"settings", ft::object},
    {"active_policy_repo_id", ft::string},
    {"initial_environments", ft::object_array, false, &environment_create}};
inline constexpr object_schema project_create{project_create_fields};

inline constexpr field project_update_fields[] = {{"name", ft::string},
                                                  {"description", ft::string},
                                                  {"settings", ft::object},
                                                  {"active_policy_repo_id", ft::string}};
inline constexpr object_schema project_update{project_update_fields};

inline constexpr field copy_filter_fields[] = {{"include", ft::string_array},
                                               {"exclude", ft::string_array}};
inline constexpr object_schema copy_filter{copy_filter_fields};

inline constexpr field copy_scope_fields[] = {{"resources", ft::nested, false, &copy_filter},
                                              {"roles", ft::nested, false, &copy_filter},
                                              {"user_sets", ft::nested, false, &copy_filter},
                                              {"resource_sets", ft::nested, false, &copy_filter},
                                              {"custom_policies", ft::nested, false, &copy_filter}};
inline constexpr object_schema copy_scope{copy_scope_fields};

inline constexpr field copy_target_fields[] = {{"existing", ft::string},
                                               {"new", ft::nested, false, &environment_create}};
inline constexpr object_schema copy_target{copy_target_fields};

inline constexpr field environment_copy_fields[] = {{"target_env", ft::nested, true, &copy_target},
                                                    {"conflict_strategy", ft::string},
                                                    {"scope", ft::nested, false, &copy_scope}};
inline constexpr object_schema environment_copy{environment_copy_fields};

// API keys (https://api.permit.io/v2/redoc#tag/API-Keys)
inline constexpr field api_key_create_fields[] = {{"organization_id", ft::string, true},
                                                  {"project_id", ft::string},
                                                  {"environment_id", ft::string},
                                                  {"object_type", ft::string},
                                                  {"access_level", ft::string},
                                                  {"owner_type", ft::string},
                                                  {"name", ft::string}};
inline constexpr object_schema api_key_create{api_key_create_fields};

// UserLoginRequestInput (permit-node `src/openapi/types/user-login-request-input.ts`). The route
// is in neither snapshot of the API's spec, so nothing says that it forbids other fields.
inline constexpr field elements_login_fields[] = {{"user_id", ft::string, true},
                                                  {"tenant_id", ft::string, true}};
inline constexpr object_schema elements_login{elements_login_fields, false};

}  // namespace schemas

namespace routes {

namespace projects_detail {

/// The body checked against `schema` and converted to `T`; `check` adds the errors of the
/// enumerations, reported with the schema's.
template <class T, class Check>
T body_with_enums(const route_context& ctx, const object_schema& schema, Check check) {
    const auto body = ctx.json();
    auto errors = check_body(body, schema);
    if (body.is_object()) check(body.get_object(), errors);
    if (!errors.empty()) throw unprocessable(errors);
    return boost::json::value_to<T>(body);
}

/// The checked body of a copy: `target_env` names exactly one target.
inline permit::environment_copy copy_body(const route_context& ctx) {
    auto in = body_with_enums<permit::environment_copy>(
        ctx, schemas::environment_copy, [](const boost::json::object& o, validation_errors& e) {
            check_enum(o, "conflict_strategy", {"fail", "overwrite"}, boost::json::array{"body"},
                       e);
        });
    if (in.target_env.existing.has_value() == in.target_env.new_environment.has_value())
        // [UNCONFIRMED] The spec's EnvironmentCopyTarget makes both optional; one of them must
        // be given, and given both the copy could not tell where to go: a 422 at `target_env`.
        throw unprocessable(boost::json::array{"body", "target_env"},
                            "exactly one of 'existing' and 'new' must be given", "value_error");
    return in;
}

}  // namespace projects_detail

// ----- projects --------------------------------------------------------------------------

/// `GET /v2/projects`: the projects the key reaches, a bare array (`ProjectRead[]`).
inline reply list_projects(organization& org, const api_key_record& caller,
                           const route_context& ctx) {
    const auto p = read_page(ctx);
    return json_reply(200, page_of(org.projects_for(caller), p,
                                   [&](const project_record& r) { return org.render(r); }));
}

/// `POST /v2/projects`: 200 `ProjectRead` (the spec's status), with an organization-level key.
inline reply create_project(organization& org, const api_key_record& caller,
                            const route_context& ctx) {
    const auto in = body_as<permit::project_create>(ctx, schemas::project_create);
    if (caller.object_type != "org")
        throw key_cannot("make projects: it is not the organization's");
    return json_reply(200, org.render(org.create_project(in)));
}

inline reply get_project(organization& org, const api_key_record& caller,
                         const route_context& ctx) {
    const auto& p = org.require_project(ctx.param(0));
    if (!org.reaches_project(caller, p)) throw key_cannot("reach that project");
    return json_reply(200, org.render(p));
}

inline reply update_project(organization& org, const api_key_record& caller,
                            const route_context& ctx) {
    const auto& p = org.require_project(ctx.param(0));
    if (!org.reaches_whole_project(caller, p)) throw key_cannot("change that project");
    const auto in = body_as<permit::project_update>(ctx, schemas::project_update);
    return json_reply(200, org.render(org.update_project(ctx.param(0), in)));
}

inline reply delete_project(organization& org, const api_key_record& caller,
                            const route_context& ctx) {
    const auto& p = org.require_project(ctx.param(0));
    if (!org.reaches_whole_project(caller, p)) throw key_cannot("delete that project");
    org.delete_project(ctx.param(0));
    return no_content();
}

// ----- environments ----------------------------------------------------------------------

/// `GET /v2/projects/{proj}/envs`: the environments the key reaches, a bare array
/// (`EnvironmentReadWithEmailConfig[]`).
inline reply list_environments(organization& org, const api_key_record& caller,
                               const route_context& ctx) {
    const auto& p = org.require_project(ctx.param(0));
    if (!org.reaches_project(caller, p)) throw key_cannot("reach that project");
    const auto page = read_page(ctx);
    return json_reply(200,
                      page_of(org.environments_for(caller, p), page,
                              [&](const environment_record& e) { return org.render(e, true); }));
}

/// `POST /v2/projects/{proj}/envs`: 200 `EnvironmentRead` (the spec's status).
inline reply create_environment(organization& org, const api_key_record& caller,
                                const route_context& ctx) {
    const auto& p = org.require_project(ctx.param(0));
    if (!org.reaches_whole_project(caller, p)) throw key_cannot("make environments there");
    const auto in = body_as<permit::environment_create>(ctx, schemas::environment_create);
    return json_reply(200, org.render(org.create_environment(p, in), false));
}

/// The project and environment of the path, which the caller's key must reach.
inline const environment_record& reached_environment(organization& org,
                                                     const api_key_record& caller,
                                                     const route_context& ctx,
                                                     const project_record*& project) {
    project = &org.require_project(ctx.param(0));
    const auto& e = org.require_environment(*project, ctx.param(1));
    if (!org.reaches_environment(caller, e)) throw key_cannot("reach that environment");
    return e;
}

inline reply get_environment(organization& org, const api_key_record& caller,
                             const route_context& ctx) {
    const project_record* p = nullptr;
    return json_reply(200, org.render(reached_environment(org, caller, ctx, p), true));
}

inline reply update_environment(organization& org, const api_key_record& caller,
                                const route_context& ctx) {
    const project_record* p = nullptr;
    const auto& e = reached_environment(org, caller, ctx, p);
    const auto in = body_as<permit::environment_update>(ctx, schemas::environment_update);
    return json_reply(200, org.render(org.update_environment(*p, e.key, in), false));
}

inline reply delete_environment(organization& org, const api_key_record& caller,
                                const route_context& ctx) {
    const project_record* p = nullptr;
    const auto key = reached_environment(org, caller, ctx, p).key;
    org.delete_environment(*p, key);
    return no_content();
}

/// `POST /v2/projects/{proj}/envs/{env}/copy`: **201** `EnvironmentRead`, the target (the spec
/// gives this route 201, unlike the creates).
inline reply copy_environment(organization& org, const api_key_record& caller,
                              const route_context& ctx) {
    const project_record* p = nullptr;
    const auto& source = reached_environment(org, caller, ctx, p);
    const auto in = projects_detail::copy_body(ctx);
    return json_reply(201, org.render(org.copy_environment(caller, *p, source, in), false));
}

/// `wait` of the asynchronous copy: seconds, at least 0 (the copy is done before the answer, so
/// it changes nothing).
inline void read_wait(const route_context& ctx) {
    validation_errors errors;
    query_checker q(errors);
    q.integer(ctx.q("wait"), "wait", 0, 0);
    if (!errors.empty()) throw unprocessable(errors);
}

/// `POST /v2/projects/{proj}/envs/{env}/copy/async` (EAP): **202** `TaskResult_EnvironmentRead_`.
/// The emulator copies before it answers, so the task is finished: `success` with the target,
/// or `failure` with the `ErrorDetails` the synchronous copy would have answered (a failed
/// background task is still a success of the request, https://docs.permit.io/api/background-tasks;
/// the status enum's `failure`, which that page spells `failed` [CONFLICT]). A body that does
/// not validate, or a path that names nothing, fails the request itself.
inline reply copy_environment_async(organization& org, const api_key_record& caller,
                                    const route_context& ctx) {
    const project_record* p = nullptr;
    const auto& source = reached_environment(org, caller, ctx, p);
    read_wait(ctx);
    const auto in = projects_detail::copy_body(ctx);
    boost::json::object task{{"result", nullptr}, {"error", nullptr}};
    try {
        task["result"] = org.render(org.copy_environment(caller, *p, source, in), false);
        task["status"] = "success";
    } catch (const api_failure& f) {
        task["status"] = "failure";
        task["error"] = f.body;
    }
    const auto id = org.keep_task(source.id, task);
    return json_reply(202, org.task(source.id, id));
}

/// `GET /v2/projects/{proj}/envs/{env}/copy/async/{task_id}/result`: 200, the task as it ended.
inline reply copy_environment_result(organization& org, const api_key_record& caller,
                                     const route_context& ctx) {
    const project_record* p = nullptr;
    const auto& source = reached_environment(org, caller, ctx, p);
    read_wait(ctx);
    return json_reply(200, org.task(source.id, ctx.param(2)));
}

// ----- API keys --------------------------------------------------------------------------

/// `GET /v2/api-key/{proj}/{env}`: the environment's key, with its secret.
inline reply environment_api_key(organization& org, const api_key_record& caller,
                                 const route_context& ctx) {
    const project_record* p = nullptr;
    const auto& e = reached_environment(org, caller, ctx, p);
    return json_reply(200, org.render(org.environment_key(e)));
}

/// `GET /v2/api-key` (`object_type`, `proj_id`, `page`, `per_page`): the keys the caller reaches,
/// always the envelope (`PaginatedResult_APIKeyRead_`).
inline reply list_api_keys(organization& org, const api_key_record& caller,
                           const route_context& ctx) {
    validation_errors errors;
    query_checker q(errors);
    const auto page = read_paging(ctx, q);
    const auto type = ctx.q("object_type");
    if (type && *type != "org" && *type != "project" && *type != "env")
        errors.add(
            boost::json::array{"query", "object_type"},
            "value is not a valid enumeration member; permitted: 'org', 'project', 'env'",
            "type_error.enum",
            boost::json::object{{"enum_values", boost::json::array{"org", "project", "env"}}});
    if (!errors.empty()) throw unprocessable(errors);
    std::optional<std::string> project_id;
    if (const auto proj = ctx.q("proj_id")) project_id = org.require_project(*proj).id;
    const auto keys = org.keys_where(caller, [&](const api_key_record& k) {
        return (!type || k.object_type == *type) && (!project_id || k.project_id == project_id);
    });
    return json_reply(200,
                      envelope(keys, page, [&](const api_key_record& k) { return org.render(k); }));
}

/// `POST /v2/api-key`: 200 `APIKeyRead` (the spec's status), with its secret.
inline reply create_api_key(organization& org, const api_key_record& caller,
                            const route_context& ctx) {
    const auto in = projects_detail::body_with_enums<permit::api_key_create>(
        ctx, schemas::api_key_create, [](const boost::json::object& o, validation_errors& e) {
            const boost::json::array body{"body"};
            check_enum(o, "object_type", {"org", "project", "env"}, body, e);
            check_enum(o, "access_level", {"admin", "write", "read", "no_access"}, body, e);
            check_enum(o, "owner_type", {"pdp_config", "member", "elements"}, body, e);
        });
    return json_reply(200, org.render(org.create_key(caller, in)));
}

/// The key of the path, which the caller's key must reach.
inline const api_key_record& reached_key(organization& org, const api_key_record& caller,
                                         const route_context& ctx) {
    const auto& k = org.require_key(ctx.param(0));
    if (!org.reaches_key(caller, k)) throw key_cannot("reach that key");
    return k;
}

inline reply get_api_key(organization& org, const api_key_record& caller,
                         const route_context& ctx) {
    return json_reply(200, org.render(reached_key(org, caller, ctx)));
}

inline reply delete_api_key(organization& org, const api_key_record& caller,
                            const route_context& ctx) {
    org.delete_key(reached_key(org, caller, ctx).id);
    return no_content();
}

inline reply rotate_api_key(organization& org, const api_key_record& caller,
                            const route_context& ctx) {
    return json_reply(200, org.render(org.rotate_key(reached_key(org, caller, ctx).id)));
}

// ----- Elements --------------------------------------------------------------------------

/// The failure of a login. [UNCONFIRMED] The route is in neither snapshot of the API's spec and
/// its status on failure is not documented: Permit's docs call the failures `USER_NOT_FOUND` and
/// `TENANT_NOT_FOUND` (https://docs.permit.io/embeddable-uis/element-login, "Login Errors"), so
/// a 404 NOT_FOUND whose message is the SDKs' wording ("User not found", "Tenant not found":
/// permit-node `src/api/elements.ts`, `ElementsApiErrors`).
inline api_failure login_refused(std::string_view message) {
    return {404, error_details("NOT_FOUND", "We could not find the requested object/s",
                               std::string(message))};
}

/// `POST /v2/auth/elements_login_as` in the environment of the caller's key: 200
/// `EmbeddedLoginRequestOutput`. The user must belong to the tenant ("Otherwise, the user will
/// get an error saying USER_NOT_FOUND", https://docs.permit.io/embeddable-uis/element-login).
/// The token and the redirect URL are made up: the URL's host is in `.invalid` (RFC 2606), since
/// the emulator serves no Elements.
inline reply elements_login_as(organization& org, const api_key_record& caller,
                               const route_context& ctx) {
    const auto in = checked_body(ctx, schemas::elements_login);
    // [UNCONFIRMED] Which keys may log users in is not documented; a login is into one
    // environment, which only an environment-level key names.
    if (caller.object_type != "env" || !caller.project_id || !caller.environment_id)
        throw key_cannot("log users in: Elements logins take an environment-level key");
    const auto& p = org.require_project(*caller.project_id);
    auto& data = org.data_of(org.require_environment(p, *caller.environment_id));
    const auto& o = in.get_object();
    const auto* tenant = data.find_tenant(o.at("tenant_id").get_string());
    if (!tenant) throw login_refused("Tenant not found");
    const auto* user = data.find_user(o.at("user_id").get_string());
    if (!user || !data.user_in_tenant(user->key, tenant->key))
        throw login_refused("User not found");
    const auto token = org.login_token();
    return json_reply(
        200, boost::json::object{
                 {"redirect_url", "https://elements.emulator.invalid/auth/login?token=" + token},
                 {"token", token}});
}

}  // namespace routes

}  // namespace permit::testing::detail
