// Request in, reply out (sans-io): the route table, authentication, the project/environment check,
// the translation of failures into the API's error bodies, the PDP's facts proxy, and the PDP's
// delayed view of the state.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <boost/url/parse.hpp>

#include <permit/models/model_error.hpp>
#include <permit/testing/detail/facts_proxy.hpp>
#include <permit/testing/detail/organization.hpp>
#include <permit/testing/detail/pdp_view.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/routes_abac.hpp>
#include <permit/testing/detail/routes_bulk.hpp>
#include <permit/testing/detail/routes_pdp.hpp>
#include <permit/testing/detail/routes_projects.hpp>
#include <permit/testing/detail/routes_rebac.hpp>
#include <permit/testing/detail/routes_resource_schema.hpp>
#include <permit/testing/detail/routes_role_assignments.hpp>
#include <permit/testing/detail/routes_schema.hpp>
#include <permit/testing/detail/routes_tenants.hpp>
#include <permit/testing/detail/routes_users.hpp>
#include <permit/testing/detail/seed.hpp>
#include <permit/testing/detail/state.hpp>
#include <permit/testing/emulator_config.hpp>

namespace permit::testing::detail {

/// Who may call a route: the REST API's callers, the PDP's, OPA's (no key: the PDP container's
/// OPA runs without authentication), or anyone (health checks).
enum class route_area { rest, pdp, opa, open };

/// What a listener serves: the REST API and the PDP on one port (the default), or one of the
/// three services on a port of its own.
enum class listener_role { api_and_pdp, api, pdp, opa };

/// The name of a listener's service in counters and startup lines.
inline const char* to_string(listener_role role) noexcept {
    switch (role) {
        case listener_role::api:
            return "api";
        case listener_role::pdp:
            return "pdp";
        case listener_role::opa:
            return "opa";
        default:
            return "api+pdp";
    }
}

struct route {
    std::string_view method;
    std::string_view pattern;  // `{name}` matches one segment
    route_area area;
    std::function<reply(state&, const route_context&)> handler;
};

/// A request target split into decoded path segments and query parameters.
struct parsed_target {
    std::string path;  // decoded, for fault rules and rate classes
    std::vector<std::string> segments;
    std::vector<std::pair<std::string, std::string>> query;
};

/// A request to the PDP's facts proxy: the API request it is forwarded as.
struct facts_forward {
    bool waits = false;      // one of the routes that wait for the PDP (facts_route_waits)
    parsed_target upstream;  // /v2/facts/{project_id}/{environment_id}/<rest>
};

/// The route a request matched, with its captured path parameters and its name for counters.
/// For the facts proxy, `found` and `params` are those of the API route it is forwarded to.
struct route_match {
    const route* found = nullptr;
    bool path_known = false;  // some route has this path, perhaps with another method
    route_area path_area = route_area::open;  // the service of the first route with this path
    std::vector<std::string> params;
    std::string name;
    std::optional<facts_forward> proxy;
};

inline std::optional<parsed_target> parse_target(std::string_view target) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) return std::nullopt;
    parsed_target out;
    for (auto seg : url->segments()) {
        out.path += '/';
        out.path += seg;
        out.segments.push_back(std::move(seg));
    }
    if (out.path.empty()) out.path = "/";
    for (auto p : url->params()) out.query.emplace_back(std::move(p.key), std::move(p.value));
    return out;
}

class router {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit router(const emulator_config& config)
        : config_(config)
        , state_({config.organization_id, config.project_id, config.environment_id}, config.seed)
        , org_(config, state_)
        , limits_{config.bulk_users_limit, config.bulk_tenants_limit,
                  config.bulk_role_assignments_limit, config.bulk_limit_status}
        , routes_(make_routes()) {
        state_.create_tenant({.key = "default", .name = "Default Tenant"});
        load_seed(state_, config.initial_state);
        org_.load(config.initial_state);
        // The initial state is the PDP's from the start; only later writes reach it late.
        if (config.pdp_propagation_delay.count() > 0) {
            view_.emplace(state_, config.pdp_propagation_delay);
            state_.on_change([this](state::change c) { view_->record(now_, std::move(c)); });
        }
    }

    /// The state's sink points back at this router.
    router(const router&) = delete;
    router& operator=(const router&) = delete;

    /// The API's state: every write is applied here at once.
    state& data() { return state_; }
    const state& data() const { return state_; }

    /// How long a write takes to reach the PDP's decisions.
    std::chrono::nanoseconds pdp_delay() const {
        return view_ ? view_->delay() : std::chrono::nanoseconds(0);
    }
    /// Marks the writes applied so far: the PDP has them all once `pdp_has(mark, now)`.
    std::uint64_t pdp_mark() const { return view_ ? view_->recorded() : 0; }
    /// Whether at `now` the PDP's decisions see every write up to `mark`.
    bool pdp_has(std::uint64_t mark, time_point now) {
        if (!view_) return true;
        view_->advance(now);
        return view_->applied() >= mark;
    }
    /// The state the PDP's decisions read at `now`: the API's own when there is no delay.
    const state& pdp_data(time_point now) { return view_ ? view_->at(now) : state_; }

    /// Finds the route of a request to a listener of `role` once; `handle` and the counters both
    /// use the result. A route of another service is not found (FastAPI's 404): the API does not
    /// answer the PDP's routes when the PDP has a port of its own, nor the PDP the API's.
    route_match find(std::string_view method, const parsed_target& target,
                     listener_role role = listener_role::api_and_pdp) const {
        const auto& seg = target.segments;
        const bool facts_proxy = !seg.empty() && seg.front() == "facts";
        // The PDP serves its facts proxy at /v2/facts/{proj_id}/{env_id}/... too (permitio/PDP
        // `horizon/pdp.py`), where the official SDKs send it (permit-node `src/api/base.ts`).
        const bool v2_facts = seg.size() >= 4 && seg[0] == "v2" && seg[1] == "facts";
        switch (role) {
            case listener_role::opa:
                return only_in(find_route(method, target), route_area::opa, route_area::opa);
            case listener_role::pdp:
                if (facts_proxy) return find_facts(method, target, 1, "/facts");
                if (v2_facts) return find_facts(method, target, 4, "/v2/facts/{proj_id}/{env_id}");
                return only_in(find_route(method, target), route_area::pdp, route_area::open);
            case listener_role::api:
                if (facts_proxy) return unmatched(method);
                return only_in(find_route(method, target), route_area::rest, route_area::open);
            case listener_role::api_and_pdp:
                if (facts_proxy) return find_facts(method, target, 1, "/facts");
                return except(find_route(method, target), route_area::opa);
        }
        return unmatched(method);
    }

    /// `"PUT /v2/facts/{proj_id}/{env_id}/bulk/users"`, or `"<method> <unmatched>"`.
    std::string route_name(std::string_view method, const parsed_target& target,
                           listener_role role = listener_role::api_and_pdp) const {
        return find(method, target, role).name;
    }

    /// Handles one request. `authorization` is the header's value, if any; `now` is when it is
    /// applied, by the steady clock.
    reply handle(std::string_view method, const parsed_target& target,
                 std::optional<std::string_view> authorization, std::string_view body,
                 time_point now = std::chrono::steady_clock::now()) {
        return handle(method, find(method, target), target, authorization, body, now);
    }

    /// As `handle`, for a request to a listener of `role`.
    reply handle_on(listener_role role, std::string_view method, const parsed_target& target,
                    std::optional<std::string_view> authorization, std::string_view body,
                    time_point now = std::chrono::steady_clock::now()) {
        return handle(method, find(method, target, role), target, authorization, body, now);
    }

    /// Handles a request whose route `find` has already looked up. A facts-proxy request is
    /// checked as the PDP checks it (see `check_facts_request`; its sync headers are the caller's
    /// to check first), then forwarded to the API route.
    reply handle(std::string_view method, route_match m, const parsed_target& target,
                 std::optional<std::string_view> authorization, std::string_view body,
                 time_point now = std::chrono::steady_clock::now()) {
        now_ = now;
        if (view_) view_->advance(now);
        if (m.proxy) {
            facts_sync ignored;
            if (auto refused =
                    check_facts_request(m, authorization, std::nullopt, std::nullopt, ignored))
                return std::move(*refused);
            const auto upstream = m.proxy->upstream;
            return dispatch(method, std::move(m), upstream, authorization, body);
        }
        return dispatch(method, std::move(m), target, authorization, body);
    }

    /// What the PDP answers a facts-proxy request itself, in its order, or nothing when it
    /// forwards the request: its key (the Rust front end's 401/403, which wraps every route it
    /// passes on to horizon), then, for a route that waits, `X-Wait-Timeout` and
    /// `X-Timeout-Policy` (400, read into `sync`), then an environment-level key (403).
    /// So an invalid header is refused before anything is forwarded, and nothing is written.
    /// [UNCONFIRMED] The order of the 400 and the 403 is horizon's (the headers are FastAPI
    /// dependencies, resolved before the handler builds the forwarded request, which is where the
    /// 403 comes from); Permit's docs
    /// (https://docs.permit.io/how-to/manage-data/local-facts-uploader) do not give it.
    std::optional<reply> check_facts_request(const route_match& m,
                                             std::optional<std::string_view> authorization,
                                             std::optional<std::string_view> wait_timeout,
                                             std::optional<std::string_view> timeout_policy,
                                             facts_sync& sync) const {
        const api_key_record* key = nullptr;
        if (auto denied = authenticate(route_area::pdp, authorization, key)) return denied;
        if (m.proxy && m.proxy->waits) {
            try {
                sync = read_facts_sync_headers(wait_timeout, timeout_policy,
                                               config_.pdp_facts_wait_timeout,
                                               config_.pdp_facts_timeout_policy);
            } catch (const api_failure& f) {
                return json_reply(f.status, f.body);
            }
        }
        if (key->object_type != "env") return facts_environment_key_required();
        return std::nullopt;
    }

  private:
    reply dispatch(std::string_view method, route_match m, const parsed_target& target,
                   std::optional<std::string_view> authorization, std::string_view body) {
        const route* found = m.found;
        auto& params = m.params;
        if (!found) {
            // FastAPI's answers for an unknown path and for a known path with another method.
            return m.path_known
                       ? json_reply(405, boost::json::object{{"detail", "Method Not Allowed"}})
                       : json_reply(404, boost::json::object{{"detail", "Not Found"}});
        }
        const api_key_record* key = nullptr;
        if (auto denied = authenticate(found->area, authorization, key)) return std::move(*denied);
        try {
            // The decision routes (the PDP's and OPA's) read the PDP's view of the state
            // (pdp_view.hpp); an environment's routes, the state of the environment they name.
            state* s = (found->area == route_area::pdp || found->area == route_area::opa) && view_
                           ? &view_->replica()
                           : &state_;
            if (key && found->pattern != "/v2/api-key/scope" &&
                !organization::permits(*key, method))
                throw key_cannot("do this: its access level is '" +
                                 key->access_level.value_or("admin") + "'");
            if (found->pattern.starts_with("/v2/facts/{proj_id}/{env_id}/") ||
                found->pattern.starts_with("/v2/schema/{proj_id}/{env_id}/")) {
                const auto& project = org_.require_project(params.at(0));
                const auto& env = org_.require_environment(project, params.at(1));
                if (!org_.reaches_environment(*key, env))
                    throw key_cannot(
                        "reach this environment: it belongs to another " +
                        std::string(key->object_type == "env" ? "environment" : "project"));
                s = &org_.data_of(env);
                params.erase(params.begin(), params.begin() + 2);
            }
            route_context ctx{method, std::move(params), target.query, body,
                              key ? std::string_view(key->id) : std::string_view()};
            return found->handler(*s, ctx);
        } catch (const api_failure& f) {
            return json_reply(f.status, f.body);
        } catch (const permit::model_error& e) {
            // Validation runs first, so this is a body the schemas let through but the models
            // cannot hold; still the caller's input, so still a 422.
            validation_errors errors;
            errors.add(boost::json::array{"body", e.field()}, e.what(), "value_error");
            return json_reply(422, errors.body());
        }
    }

    /// Every route of the table that matches, whatever its service.
    route_match find_route(std::string_view method, const parsed_target& target) const {
        route_match m;
        std::vector<std::string> params;
        for (const auto& r : routes_) {
            if (!match(r.pattern, target.segments, params)) continue;
            if (!m.path_known) m.path_area = r.area;
            m.path_known = true;
            if (r.method == method) {
                m.found = &r;
                m.params = std::move(params);
                break;
            }
        }
        m.name =
            std::string(method) + " " + (m.found ? std::string(m.found->pattern) : "<unmatched>");
        return m;
    }

    static route_match unmatched(std::string_view method) {
        route_match m;
        m.name = std::string(method) + " <unmatched>";
        return m;
    }

    /// `m` if its route belongs to one of the two areas, else a 404.
    static route_match only_in(route_match m, route_area a, route_area b) {
        if (!m.path_known) return m;
        const auto area = m.found ? m.found->area : m.path_area;
        if (area == a || area == b) return m;
        return unmatched(m.name.substr(0, m.name.find(' ')));
    }

    /// `m` unless its route belongs to `area`, else a 404.
    static route_match except(route_match m, route_area area) {
        if (!m.path_known) return m;
        if ((m.found ? m.found->area : m.path_area) == area)
            return unmatched(m.name.substr(0, m.name.find(' ')));
        return m;
    }

    /// A facts-proxy request, `<prefix>/<rest>` (`prefix_segments` long): the PDP forwards it as
    /// `/v2/facts/{project_id}/{environment_id}/<rest>` of its own environment, with the query
    /// as it came, except that the DELETEs that wait get `return_deleted=true` in place of any
    /// `return_deleted` given (permitio/PDP `horizon/facts/router.py`). Counted as
    /// `"<method> <prefix><rest of the API route's template>"`, e.g. `"PUT
    /// /facts/users/{user_id}"` or `"PUT /v2/facts/{proj_id}/{env_id}/users/{user_id} (pdp)"`, or
    /// `"<method> <prefix>/<unmatched>"`.
    /// [UNCONFIRMED] At `/v2/facts/{proj_id}/{env_id}/...` the PDP forwards to its own
    /// environment whatever the path names: its key has one environment, and the references do
    /// not say that it compares the two.
    route_match find_facts(std::string_view method, const parsed_target& target,
                           std::size_t prefix_segments, std::string_view prefix) const {
        facts_forward fwd;
        const std::vector<std::string> rest(target.segments.begin() + prefix_segments,
                                            target.segments.end());
        fwd.waits = facts_route_waits(method, rest);
        auto& up = fwd.upstream;
        up.segments = {"v2", "facts", config_.project_id, config_.environment_id};
        up.segments.insert(up.segments.end(), rest.begin(), rest.end());
        for (const auto& seg : up.segments) up.path += "/" + seg;
        up.query = target.query;
        if (fwd.waits && method == "DELETE") {
            std::erase_if(up.query, [](const auto& kv) { return kv.first == "return_deleted"; });
            up.query.emplace_back("return_deleted", "true");
        }
        route_match m = only_in(find_route(method, up), route_area::rest, route_area::rest);
        constexpr std::string_view base = "/v2/facts/{proj_id}/{env_id}";
        m.name = std::string(method) + " " + std::string(prefix) +
                 (m.found ? std::string(m.found->pattern.substr(base.size())) : "/<unmatched>") +
                 (prefix_segments > 1 ? " (pdp)" : "");
        m.proxy = std::move(fwd);
        return m;
    }

    /// REST: ErrorDetails bodies. PDP: the Rust front end's text bodies (permitio/PDP
    /// `pdp-server/src/api/authn_middleware.rs`); the PDP knows the configured key only
    /// (`emulator_config::api_key`, with its current secret). On success, `key` is the caller's
    /// key (null on the routes that take none).
    std::optional<reply> authenticate(route_area area, std::optional<std::string_view> header,
                                      const api_key_record*& key) const {
        key = nullptr;
        if (area == route_area::open || area == route_area::opa) return std::nullopt;
        const bool pdp = area == route_area::pdp;
        if (!header || header->size() < 7 || !iequals(header->substr(0, 7), "bearer ")) {
            if (pdp) return reply{401, nullptr, "Missing Authorization header", {}};
            return json_reply(
                401, error_details("UNAUTHORIZED", "You are not authorized to perform this request",
                                   "Missing or malformed Authorization header: expected "
                                   "'Authorization: Bearer <API key>'."));
        }
        auto token = header->substr(7);
        while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
        if (pdp) {
            key = org_.configured_key();
            if (key && token == *key->secret) return std::nullopt;
            key = nullptr;
            return reply{
                403,
                nullptr,
                "You are not authorized to access this resource, please check your API key.",
                {}};
        }
        key = org_.find_key_by_secret(token);
        if (key) return std::nullopt;
        return json_reply(
            403, error_details("FORBIDDEN_ACCESS", "You are not authorized to perform this request",
                               "The API key is not valid."));
    }

    static bool iequals(std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(a[i])) !=
                std::tolower(static_cast<unsigned char>(b[i])))
                return false;
        return true;
    }

    static bool match(std::string_view pattern, const std::vector<std::string>& segments,
                      std::vector<std::string>& params) {
        params.clear();
        std::size_t i = 0;
        while (!pattern.empty()) {
            pattern.remove_prefix(1);  // '/'
            const auto end = std::min(pattern.find('/'), pattern.size());
            const auto part = pattern.substr(0, end);
            pattern.remove_prefix(end);
            if (i >= segments.size()) return false;
            if (part.front() == '{')
                params.push_back(segments[i]);
            else if (part != segments[i])
                return false;
            ++i;
        }
        return i == segments.size();
    }

    /// A route of the organization's (routes_projects.hpp): `handler(org_, the caller's key,
    /// context)`; the environment's state it is handed is not theirs.
    template <class Handler>
    std::function<reply(state&, const route_context&)> on_org(Handler handler) {
        return [this, handler](state&, const route_context& c) {
            return handler(org_, org_.require_key(c.caller_key_id), c);
        };
    }

    std::vector<route> make_routes() {
        using namespace routes;
        const auto lim = limits_;
        const routes::rebac_bulk_limits rl{.status = limits_.status};
        const auto rest = route_area::rest;
        return {
            {"GET", "/v2/api-key/scope", rest,
             [this](state&, const route_context& c) {
                 return json_reply(200, organization::scope(org_.require_key(c.caller_key_id)));
             }},
            // the organization: projects, environments, API keys, Elements logins
            {"GET", "/v2/projects", rest, on_org(routes::list_projects)},
            {"POST", "/v2/projects", rest, on_org(routes::create_project)},
            {"GET", "/v2/projects/{proj_id}", rest, on_org(routes::get_project)},
            {"PATCH", "/v2/projects/{proj_id}", rest, on_org(routes::update_project)},
            {"DELETE", "/v2/projects/{proj_id}", rest, on_org(routes::delete_project)},
            {"GET", "/v2/projects/{proj_id}/envs", rest, on_org(routes::list_environments)},
            {"POST", "/v2/projects/{proj_id}/envs", rest, on_org(routes::create_environment)},
            {"GET", "/v2/projects/{proj_id}/envs/{env_id}", rest, on_org(routes::get_environment)},
            {"PATCH", "/v2/projects/{proj_id}/envs/{env_id}", rest,
             on_org(routes::update_environment)},
            {"DELETE", "/v2/projects/{proj_id}/envs/{env_id}", rest,
             on_org(routes::delete_environment)},
            {"POST", "/v2/projects/{proj_id}/envs/{env_id}/copy", rest,
             on_org(routes::copy_environment)},
            {"POST", "/v2/projects/{proj_id}/envs/{env_id}/copy/async", rest,
             on_org(routes::copy_environment_async)},
            {"GET", "/v2/projects/{proj_id}/envs/{env_id}/copy/async/{task_id}/result", rest,
             on_org(routes::copy_environment_result)},
            {"GET", "/v2/api-key", rest, on_org(routes::list_api_keys)},
            {"POST", "/v2/api-key", rest, on_org(routes::create_api_key)},
            {"GET", "/v2/api-key/{proj_id}/{env_id}", rest, on_org(routes::environment_api_key)},
            {"GET", "/v2/api-key/{api_key_id}", rest, on_org(routes::get_api_key)},
            {"DELETE", "/v2/api-key/{api_key_id}", rest, on_org(routes::delete_api_key)},
            {"POST", "/v2/api-key/{api_key_id}/rotate-secret", rest,
             on_org(routes::rotate_api_key)},
            {"POST", "/v2/auth/elements_login_as", rest, on_org(routes::elements_login_as)},
            // users
            {"GET", "/v2/facts/{proj_id}/{env_id}/users", rest, list_users},
            {"POST", "/v2/facts/{proj_id}/{env_id}/users", rest, create_user},
            {"GET", "/v2/facts/{proj_id}/{env_id}/users/{user_id}", rest, get_user},
            {"PATCH", "/v2/facts/{proj_id}/{env_id}/users/{user_id}", rest, update_user},
            {"PUT", "/v2/facts/{proj_id}/{env_id}/users/{user_id}", rest, replace_user},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/users/{user_id}", rest, delete_user},
            {"POST", "/v2/facts/{proj_id}/{env_id}/users/{user_id}/roles", rest, assign_user_role},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/users/{user_id}/roles", rest,
             unassign_user_role},
            // tenants
            {"GET", "/v2/facts/{proj_id}/{env_id}/tenants", rest, list_tenants},
            {"POST", "/v2/facts/{proj_id}/{env_id}/tenants", rest, create_tenant},
            {"GET", "/v2/facts/{proj_id}/{env_id}/tenants/{tenant_id}", rest, get_tenant},
            {"PATCH", "/v2/facts/{proj_id}/{env_id}/tenants/{tenant_id}", rest, update_tenant},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/tenants/{tenant_id}", rest, delete_tenant},
            {"GET", "/v2/facts/{proj_id}/{env_id}/tenants/{tenant_id}/users", rest,
             list_tenant_users},
            {"POST", "/v2/facts/{proj_id}/{env_id}/tenants/{tenant_id}/users", rest,
             add_tenant_user},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/tenants/{tenant_id}/users/{user_id}", rest,
             remove_tenant_user},
            // role assignments
            {"GET", "/v2/facts/{proj_id}/{env_id}/role_assignments", rest, list_role_assignments},
            {"GET", "/v2/facts/{proj_id}/{env_id}/role_assignments/detailed", rest,
             list_role_assignments_detailed},
            {"POST", "/v2/facts/{proj_id}/{env_id}/role_assignments", rest, assign_role},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/role_assignments", rest, unassign_role},
            {"POST", "/v2/facts/{proj_id}/{env_id}/role_assignments/bulk", rest,
             [lim](state& s, const route_context& c) {
                 return bulk_assign_roles(s, c, lim.role_assignments, lim.status);
             }},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/role_assignments/bulk", rest,
             [lim](state& s, const route_context& c) {
                 return bulk_unassign_roles(s, c, lim.role_assignments, lim.status);
             }},
            // bulk users and tenants
            {"POST", "/v2/facts/{proj_id}/{env_id}/bulk/users", rest,
             [lim](state& s, const route_context& c) { return bulk_create_users(s, c, lim); }},
            {"PUT", "/v2/facts/{proj_id}/{env_id}/bulk/users", rest,
             [lim](state& s, const route_context& c) { return bulk_replace_users(s, c, lim); }},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/bulk/users", rest,
             [lim](state& s, const route_context& c) { return bulk_delete_users(s, c, lim); }},
            {"POST", "/v2/facts/{proj_id}/{env_id}/bulk/tenants", rest,
             [lim](state& s, const route_context& c) { return bulk_create_tenants(s, c, lim); }},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/bulk/tenants", rest,
             [lim](state& s, const route_context& c) { return bulk_delete_tenants(s, c, lim); }},
            // resource instances and relationship tuples
            {"GET", "/v2/facts/{proj_id}/{env_id}/resource_instances", rest, list_instances},
            {"POST", "/v2/facts/{proj_id}/{env_id}/resource_instances", rest, create_instance},
            {"GET", "/v2/facts/{proj_id}/{env_id}/resource_instances/{instance_id}", rest,
             get_instance},
            {"PATCH", "/v2/facts/{proj_id}/{env_id}/resource_instances/{instance_id}", rest,
             update_instance},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/resource_instances/{instance_id}", rest,
             delete_instance},
            {"PUT", "/v2/facts/{proj_id}/{env_id}/bulk/resource_instances", rest,
             [rl](state& s, const route_context& c) { return bulk_replace_instances(s, c, rl); }},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/bulk/resource_instances", rest,
             [rl](state& s, const route_context& c) { return bulk_delete_instances(s, c, rl); }},
            {"GET", "/v2/facts/{proj_id}/{env_id}/relationship_tuples", rest, list_tuples},
            {"POST", "/v2/facts/{proj_id}/{env_id}/relationship_tuples", rest, create_tuple},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/relationship_tuples", rest, delete_tuple},
            {"POST", "/v2/facts/{proj_id}/{env_id}/relationship_tuples/bulk", rest,
             [rl](state& s, const route_context& c) { return bulk_create_tuples(s, c, rl); }},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/relationship_tuples/bulk", rest,
             [rl](state& s, const route_context& c) { return bulk_delete_tuples(s, c, rl); }},
            // schema
            {"GET", "/v2/schema/{proj_id}/{env_id}/roles", rest, list_roles},
            {"POST", "/v2/schema/{proj_id}/{env_id}/roles", rest, create_role},
            {"GET", "/v2/schema/{proj_id}/{env_id}/roles/{role_id}", rest, get_role},
            {"PATCH", "/v2/schema/{proj_id}/{env_id}/roles/{role_id}", rest, update_role},
            {"DELETE", "/v2/schema/{proj_id}/{env_id}/roles/{role_id}", rest, delete_role},
            {"POST", "/v2/schema/{proj_id}/{env_id}/roles/{role_id}/permissions", rest,
             [](state& s, const route_context& c) { return change_role_permissions(s, c, true); }},
            {"DELETE", "/v2/schema/{proj_id}/{env_id}/roles/{role_id}/permissions", rest,
             [](state& s, const route_context& c) { return change_role_permissions(s, c, false); }},
            {"GET", "/v2/schema/{proj_id}/{env_id}/resources", rest, list_resources},
            {"POST", "/v2/schema/{proj_id}/{env_id}/resources", rest, create_resource},
            {"GET", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}", rest, get_resource},
            {"PUT", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}", rest,
             replace_resource},
            {"PATCH", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}", rest,
             update_resource},
            {"DELETE", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}", rest,
             delete_resource},
            // a resource type's relations, roles, implicit grants, attributes and action groups
            {"GET", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/relations", rest,
             list_relations},
            {"POST", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/relations", rest,
             create_relation},
            {"GET", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/relations/{relation_id}",
             rest, get_relation},
            {"DELETE",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/relations/{relation_id}", rest,
             routes::delete_relation},
            {"GET", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles", rest,
             list_resource_roles},
            {"POST", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles", rest,
             routes::create_resource_role},
            {"GET", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}", rest,
             get_resource_role},
            {"PATCH", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}", rest,
             routes::update_resource_role},
            {"DELETE", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}",
             rest, routes::delete_resource_role},
            {"POST",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}/permissions",
             rest,
             [](state& s, const route_context& c) {
                 return routes::change_resource_role_permissions(s, c, true);
             }},
            {"DELETE",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}/permissions",
             rest,
             [](state& s, const route_context& c) {
                 return routes::change_resource_role_permissions(s, c, false);
             }},
            {"GET",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}/ancestors",
             rest,
             [](state& s, const route_context& c) {
                 return routes::related_resource_roles(s, c, true);
             }},
            {"GET",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}/descendants",
             rest,
             [](state& s, const route_context& c) {
                 return routes::related_resource_roles(s, c, false);
             }},
            {"POST",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}/"
             "implicit_grants",
             rest, routes::create_implicit_grant},
            {"DELETE",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}/"
             "implicit_grants",
             rest, routes::delete_implicit_grant},
            {"PUT",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}/"
             "implicit_grants/conditions",
             rest, routes::set_implicit_grant_conditions},
            {"GET", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/attributes", rest,
             [](state& s, const route_context& c) {
                 return routes::list_attributes(s, c, c.param(0));
             }},
            {"POST", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/attributes", rest,
             [](state& s, const route_context& c) {
                 return routes::create_attribute(s, c, c.param(0));
             }},
            {"GET",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/attributes/{attribute_id}",
             rest,
             [](state& s, const route_context& c) {
                 return routes::get_attribute(s, c.param(0), c.param(1));
             }},
            {"PATCH",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/attributes/{attribute_id}",
             rest,
             [](state& s, const route_context& c) {
                 return routes::update_attribute(s, c, c.param(0), c.param(1));
             }},
            {"DELETE",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/attributes/{attribute_id}",
             rest,
             [](state& s, const route_context& c) {
                 return routes::delete_attribute(s, c.param(0), c.param(1));
             }},
            {"GET", "/v2/schema/{proj_id}/{env_id}/users/attributes", rest,
             [](state& s, const route_context& c) {
                 return routes::list_attributes(s, c, user_attributes_resource(c));
             }},
            {"POST", "/v2/schema/{proj_id}/{env_id}/users/attributes", rest,
             [](state& s, const route_context& c) {
                 return routes::create_attribute(s, c, user_attributes_resource(c));
             }},
            {"GET", "/v2/schema/{proj_id}/{env_id}/users/attributes/{attribute_id}", rest,
             [](state& s, const route_context& c) {
                 return routes::get_attribute(s, user_attributes_resource(c), c.param(0));
             }},
            {"PATCH", "/v2/schema/{proj_id}/{env_id}/users/attributes/{attribute_id}", rest,
             [](state& s, const route_context& c) {
                 return routes::update_attribute(s, c, user_attributes_resource(c), c.param(0));
             }},
            {"DELETE", "/v2/schema/{proj_id}/{env_id}/users/attributes/{attribute_id}", rest,
             [](state& s, const route_context& c) {
                 return routes::delete_attribute(s, user_attributes_resource(c), c.param(0));
             }},
            {"GET", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/action_groups", rest,
             list_action_groups},
            {"POST", "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/action_groups", rest,
             create_action_group},
            {"GET",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/action_groups/"
             "{action_group_id}",
             rest, get_action_group},
            {"PATCH",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/action_groups/"
             "{action_group_id}",
             rest, update_action_group},
            {"DELETE",
             "/v2/schema/{proj_id}/{env_id}/resources/{resource_id}/action_groups/"
             "{action_group_id}",
             rest, delete_action_group},
            // condition sets and their rules
            {"GET", "/v2/schema/{proj_id}/{env_id}/condition_sets", rest, list_condition_sets},
            {"POST", "/v2/schema/{proj_id}/{env_id}/condition_sets", rest, create_condition_set},
            {"GET", "/v2/schema/{proj_id}/{env_id}/condition_sets/{condition_set_id}", rest,
             get_condition_set},
            {"PATCH", "/v2/schema/{proj_id}/{env_id}/condition_sets/{condition_set_id}", rest,
             update_condition_set},
            {"DELETE", "/v2/schema/{proj_id}/{env_id}/condition_sets/{condition_set_id}", rest,
             routes::delete_condition_set},
            {"GET", "/v2/schema/{proj_id}/{env_id}/condition_sets/{condition_set_id}/ancestors",
             rest,
             [](state& s, const route_context& c) { return related_condition_sets(s, c, true); }},
            {"GET", "/v2/schema/{proj_id}/{env_id}/condition_sets/{condition_set_id}/descendants",
             rest,
             [](state& s, const route_context& c) { return related_condition_sets(s, c, false); }},
            {"GET", "/v2/facts/{proj_id}/{env_id}/set_rules", rest, list_set_rules},
            {"POST", "/v2/facts/{proj_id}/{env_id}/set_rules", rest, routes::assign_set_rule},
            {"DELETE", "/v2/facts/{proj_id}/{env_id}/set_rules", rest, routes::unassign_set_rule},
            // PDP
            {"POST", "/allowed", route_area::pdp, allowed},
            {"POST", "/allowed/bulk", route_area::pdp, allowed_bulk},
            {"POST", "/allowed/all-tenants", route_area::pdp, allowed_all_tenants},
            {"POST", "/authorized_users", route_area::pdp, routes::authorized_users},
            {"POST", "/user-permissions", route_area::pdp, user_permissions},
            {"POST", "/user-tenants", route_area::pdp, user_tenants},
            {"GET", "/health", route_area::open, health},
            {"GET", "/healthy", route_area::open, health},
            {"GET", "/ready", route_area::open, health},
            // OPA, as the PDP container exposes it (permitio/PDP `pdp-server/src/opa_client/`)
            {"POST", "/v1/data/permit/root", route_area::opa, opa_root},
            {"POST", "/v1/data/permit/bulk", route_area::opa, opa_bulk},
        };
    }

    static reply health(state&, const route_context&) {
        return json_reply(200, boost::json::object{{"status", "ok"}});
    }

    const emulator_config& config_;
    state state_;  // the emulator's own environment's
    organization org_;
    routes::bulk_limits limits_;
    std::vector<route> routes_;
    std::optional<pdp_view> view_;  // only with a propagation delay
    time_point now_{};              // when the request being handled is applied
};

}  // namespace permit::testing::detail
