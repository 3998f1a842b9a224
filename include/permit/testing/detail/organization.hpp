// The emulator's organization (sans-io): its projects, their environments, each with its own
// state, and the API keys that reach them (https://api.permit.io/v2/redoc#tag/Projects,
// #tag/Environments, #tag/API-Keys). The emulator's own project and environment come first; their
// state is the router's, the one the PDP decides on. Every operation either succeeds or throws
// `api_failure`.
//
// A key reaches the organization (`object_type` "org"), one project ("project": the project and
// its environments) or one environment ("env"), and may do there what its `access_level` allows:
// everything ("admin", "write"), read ("read"), nothing ("no_access").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <permit/models/api_key.hpp>
#include <permit/models/environment.hpp>
#include <permit/models/project.hpp>
#include <permit/testing/detail/api_failure.hpp>
#include <permit/testing/detail/environment_copy.hpp>
#include <permit/testing/detail/ids.hpp>
#include <permit/testing/detail/state.hpp>
#include <permit/testing/emulator_config.hpp>

namespace permit::testing::detail {

/// A stored project (`ProjectRead`).
struct project_record : permit::project {
    std::uint64_t seq = 0;
};

/// A stored environment (`EnvironmentReadWithEmailConfig`).
struct environment_record : permit::environment {
    std::uint64_t seq = 0;
};

/// A stored API key (`APIKeyRead`, with its secret; `env` and `project` are filled in when it is
/// rendered).
struct api_key_record : permit::api_key {
    std::uint64_t seq = 0;
};

/// 403 FORBIDDEN_ACCESS for a key that does not reach what a request names, or may not do it.
/// [UNCONFIRMED] The API's answer is not documented (its 401/403 bodies are not in its reference);
/// FORBIDDEN_ACCESS is the code `ErrorDetails` has for it (https://api.permit.io/v2/redoc).
inline api_failure key_cannot(std::string what) {
    return {403, error_details("FORBIDDEN_ACCESS", "You are not authorized to perform this request",
                               "The API key cannot " + std::move(what) + ".")};
}

class organization {
  public:
    /// The organization of `config`: its own project and environment (whose state is `own`), the
    /// keys `config.api_key` and `config.more_api_keys`, and a key for the environment.
    organization(const emulator_config& config, state& own)
        : id_(config.organization_id)
        , own_state_(&own)
        , uuids_(config.seed ^ 0x6f7267ULL)
        , next_seed_(config.seed) {
        const auto now = iso8601_now();
        project_record p;
        p.key = config.project_key;
        p.id = config.project_id;
        p.name = "Default Project";
        own_project_ = put_project(std::move(p), now).id;
        environment_record e;
        e.key = config.environment_key;
        e.id = config.environment_id;
        e.name = display_name(config.environment_key);
        own_environment_ = put_environment(projects_.find(own_project_)->id, std::move(e), now).id;
        configured_key_ = add_key(key_of_level(config.level, {}), config.api_key, now).id;
        for (const auto& g : config.more_api_keys)
            add_key(key_of_level(g.level, g.project_id), g.key, now);
        if (config.level == key_level::environment)
            environment_keys_[own_environment_] = configured_key_;
    }

    organization(const organization&) = delete;
    organization& operator=(const organization&) = delete;

    const std::string& id() const { return id_; }

    // ----- keys --------------------------------------------------------------------------

    /// The key whose secret is `secret`, if any.
    const api_key_record* find_key_by_secret(std::string_view secret) const {
        auto it = by_secret_.find(std::string(secret));
        return it == by_secret_.end() ? nullptr : &keys_.at(it->second);
    }

    /// The key `emulator_config::api_key` was made, with its current secret (the PDP's key); null
    /// once deleted.
    const api_key_record* configured_key() const { return find_key(configured_key_); }

    const api_key_record* find_key(std::string_view id) const {
        auto it = seq_by_key_id_.find(std::string(id));
        return it == seq_by_key_id_.end() ? nullptr : &keys_.at(it->second);
    }

    const api_key_record& require_key(std::string_view id) const {
        if (const auto* k = find_key(id)) return *k;
        throw not_found("APIKey");
    }

    /// Whether `k` may make a request with `method` at all: a "read" key only reads, a
    /// "no_access" key nothing.
    static bool permits(const api_key_record& k, std::string_view method) {
        const auto level = k.access_level.value_or("admin");
        if (level == "no_access") return false;
        if (level == "read") return method == "GET" || method == "HEAD";
        return true;
    }

    /// Whether `k` reaches project `p`: a key of the organization, of `p`, or of one of its
    /// environments (which reads the project).
    bool reaches_project(const api_key_record& k, const permit::project& p) const {
        return k.object_type == "org" || k.project_id == p.id;
    }

    /// Whether `k` reaches project `p` and all of it (every environment): a key of the
    /// organization or of `p`.
    bool reaches_whole_project(const api_key_record& k, const permit::project& p) const {
        return k.object_type == "org" || (k.object_type == "project" && k.project_id == p.id);
    }

    /// Whether `k` reaches environment `e`.
    bool reaches_environment(const api_key_record& k, const permit::environment& e) const {
        if (k.object_type == "org") return true;
        if (k.object_type == "project") return k.project_id == e.project_id;
        return k.environment_id == e.id;
    }

    /// Whether `caller` reaches the scope of key `k` (it may see and manage `k`).
    bool reaches_key(const api_key_record& caller, const api_key_record& k) const {
        if (caller.object_type == "org") return true;
        if (caller.object_type == "project")
            return k.object_type != "org" && k.project_id == caller.project_id;
        return k.object_type == "env" && k.environment_id == caller.environment_id;
    }

    /// The keys that `caller` reaches and `keep` picks, in creation order.
    std::vector<const api_key_record*> keys_where(
        const api_key_record& caller,
        const std::function<bool(const api_key_record&)>& keep) const {
        std::vector<const api_key_record*> out;
        for (const auto& [seq, k] : keys_)
            if (reaches_key(caller, k) && keep(k)) out.push_back(&k);
        return out;
    }

    /// `POST /v2/api-key`: a key of the organization, of one of its projects or environments
    /// (each named by id or key), with a new secret. 404 for another organization, an unknown
    /// project or environment; 422 when the project or environment its `object_type` needs is
    /// missing; 403 when `caller` does not reach the new key's scope.
    const api_key_record& create_key(const api_key_record& caller,
                                     const permit::api_key_create& in) {
        // [UNCONFIRMED] The API's answer to another organization's id is not documented; it has
        // one organization here, so any other is not found.
        if (in.organization_id != id_) throw not_found("Organization");
        api_key_record k;
        k.object_type = in.object_type.value_or("env");
        k.access_level = in.access_level.value_or("admin");
        k.owner_type = in.owner_type.value_or("member");
        k.name = in.name;
        // [UNCONFIRMED] The spec makes both ids optional; a key of a project or an environment
        // cannot be without them: FastAPI's "field required".
        auto required = [](const std::optional<std::string>& v, std::string_view field) {
            if (!v)
                throw unprocessable(boost::json::array{"body", field}, "field required",
                                    "value_error.missing");
            return *v;
        };
        if (k.object_type != "org") {
            const auto& p = require_project(required(in.project_id, "project_id"));
            k.project_id = p.id;
            if (k.object_type == "env")
                k.environment_id =
                    require_environment(p, required(in.environment_id, "environment_id")).id;
        }
        if (!reaches_key(caller, k)) throw key_cannot("make a key of that scope");
        return add_key(std::move(k), new_secret(), iso8601_now());
    }

    /// Gives key `id` a new secret; the old one stops working at once.
    const api_key_record& rotate_key(std::string_view id) {
        auto& k = keys_.at(seq_by_key_id_.at(require_key(id).id));
        by_secret_.erase(*k.secret);
        k.secret = new_secret();
        by_secret_.emplace(*k.secret, k.seq);
        return k;
    }

    void delete_key(std::string_view id) {
        const auto seq = seq_by_key_id_.at(require_key(id).id);
        const auto& k = keys_.at(seq);
        by_secret_.erase(*k.secret);
        seq_by_key_id_.erase(k.id);
        std::erase_if(environment_keys_, [&](const auto& e) { return e.second == k.id; });
        keys_.erase(seq);
    }

    /// The environment's own API key (`GET /v2/api-key/{proj}/{env}`): the configured key for
    /// the emulator's environment when it is environment-level, else one made with the
    /// environment (made again should it have been deleted).
    const api_key_record& environment_key(const environment_record& e) {
        if (auto it = environment_keys_.find(e.id); it != environment_keys_.end())
            return require_key(it->second);
        api_key_record k;
        k.object_type = "env";
        k.access_level = "admin";
        k.owner_type = "member";
        k.project_id = e.project_id;
        k.environment_id = e.id;
        const auto& made = add_key(std::move(k), new_secret(), iso8601_now());
        environment_keys_[e.id] = made.id;
        return made;
    }

    /// `APIKeyRead`, with its project and environment.
    boost::json::value render(const api_key_record& k) const {
        permit::api_key out = k;
        if (k.project_id)
            if (const auto* p = projects_.find(*k.project_id)) out.project = *p;
        if (k.project_id && k.environment_id)
            if (const auto* e = find_environment(*k.project_id, *k.environment_id)) {
                out.env = *e;
                out.env->email_configuration.reset();
            }
        return boost::json::value_from(out);
    }

    /// `APIKeyScopeRead` of key `k`.
    static boost::json::value scope(const api_key_record& k) {
        boost::json::object out{{"organization_id", k.organization_id}};
        if (k.object_type != "org" && k.project_id) out["project_id"] = *k.project_id;
        if (k.object_type == "env" && k.environment_id) out["environment_id"] = *k.environment_id;
        return out;
    }

    // ----- projects ----------------------------------------------------------------------

    const project_record& require_project(std::string_view key_or_id) const {
        if (const auto* p = projects_.find(key_or_id)) return *p;
        throw not_found("Project");
    }

    /// The projects `caller` reaches, in creation order.
    std::vector<const project_record*> projects_for(const api_key_record& caller) const {
        return projects_.where([&](const project_record& p) { return reaches_project(caller, p); });
    }

    /// `POST /v2/projects`, with its initial environments (the API's default: `dev` and
    /// `production`). 409 for a key the organization has, or for two initial environments of the
    /// same key.
    const project_record& create_project(const permit::project_create& in) {
        if (projects_.find(in.key)) throw duplicate("project", in.key);
        const auto envs = in.initial_environments.value_or(std::vector<permit::environment_create>{
            {.key = "dev", .name = "Development"}, {.key = "production", .name = "Production"}});
        for (std::size_t i = 0; i < envs.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (envs[i].key == envs[j].key) throw duplicate("environment", envs[i].key);
        const auto now = iso8601_now();
        project_record p;
        p.key = in.key;
        p.id = uuids_.next();
        p.name = in.name;
        p.urn_namespace = in.urn_namespace;
        p.description = in.description;
        p.settings = in.settings;
        p.active_policy_repo_id = in.active_policy_repo_id;
        const auto& made = put_project(std::move(p), now);
        for (const auto& e : envs) create_environment(made, e);
        return made;
    }

    const project_record& update_project(std::string_view key_or_id,
                                         const permit::project_update& in) {
        auto& p = *projects_.find(require_project(key_or_id).key);
        if (in.name) p.name = *in.name;
        if (in.description) p.description = in.description;
        if (in.settings) p.settings = in.settings;
        if (in.active_policy_repo_id) p.active_policy_repo_id = in.active_policy_repo_id;
        p.updated_at = iso8601_now();
        return p;
    }

    /// Deletes a project with its environments, their data and every key of them. The
    /// emulator's own project cannot go (see `check_not_own`).
    void delete_project(std::string_view key_or_id) {
        const auto& p = require_project(key_or_id);
        check_not_own(p.id == own_project_, "project");
        const auto id = p.id;
        const auto key = p.key;
        std::vector<std::string> envs;
        environments_.at(id).for_each([&](const environment_record& e) { envs.push_back(e.key); });
        for (const auto& e : envs) delete_environment(p, e);
        erase_keys_if([&](const api_key_record& k) { return k.project_id == id; });
        environments_.erase(id);
        projects_.erase(key);
    }

    boost::json::value render(const project_record& p) const {
        return boost::json::value_from(static_cast<const permit::project&>(p));
    }

    // ----- environments ------------------------------------------------------------------

    const environment_record* find_environment(std::string_view project_id,
                                               std::string_view key_or_id) const {
        auto it = environments_.find(std::string(project_id));
        return it == environments_.end() ? nullptr : it->second.find(key_or_id);
    }

    const environment_record& require_environment(const permit::project& p,
                                                  std::string_view key_or_id) const {
        if (const auto* e = find_environment(p.id, key_or_id)) return *e;
        throw not_found("Environment");
    }

    /// The environments of `p` that `caller` reaches, in creation order.
    std::vector<const environment_record*> environments_for(const api_key_record& caller,
                                                            const permit::project& p) const {
        return environments_.at(p.id).where(
            [&](const environment_record& e) { return reaches_environment(caller, e); });
    }

    /// `POST /v2/projects/{proj}/envs`: an environment with an empty state but the tenant
    /// `default`, which every new environment has. 409 for a key the project has.
    const environment_record& create_environment(const permit::project& p,
                                                 const permit::environment_create& in) {
        return add_environment(p, in, [](state&) {});
    }

    const environment_record& update_environment(const permit::project& p,
                                                 std::string_view key_or_id,
                                                 const permit::environment_update& in) {
        auto& e = *environments_.at(p.id).find(require_environment(p, key_or_id).key);
        if (in.name) e.name = *in.name;
        if (in.description) e.description = in.description;
        if (in.custom_branch_name) e.custom_branch_name = in.custom_branch_name;
        if (in.jwks) e.jwks = in.jwks;
        if (in.settings) e.settings = in.settings;
        e.updated_at = iso8601_now();
        return e;
    }

    /// Deletes an environment with its data and its keys. The emulator's own environment cannot
    /// go (see `check_not_own`).
    void delete_environment(const permit::project& p, std::string_view key_or_id) {
        const auto& e = require_environment(p, key_or_id);
        check_not_own(e.id == own_environment_, "environment");
        const auto id = e.id;
        const auto key = e.key;
        erase_keys_if([&](const api_key_record& k) { return k.environment_id == id; });
        states_.erase(id);
        environments_.at(p.id).erase(key);
    }

    /// The state of environment `e`: the router's for the emulator's own.
    state& data_of(const permit::environment& e) {
        if (e.id == own_environment_) return *own_state_;
        return *states_.at(e.id);
    }

    /// `EnvironmentReadWithEmailConfig` (`with_email`, what `get` and `list` answer) or
    /// `EnvironmentRead`.
    boost::json::value render(const environment_record& e, bool with_email) const {
        permit::environment out = e;
        if (!with_email) out.email_configuration.reset();
        return boost::json::value_from(out);
    }

    /// Copies the policy of `source` (see environment_copy.hpp) into the environment `copy`
    /// names: a new one (409 for a key the project has), or an existing one of the same project
    /// (404 otherwise), where an object it has fails the copy with 409 unless
    /// `conflict_strategy` is "overwrite". Nothing is written when it fails. 403 when `caller`
    /// may not write the target: the project for a new one, the environment for an existing one
    /// ("the user must have write permissions to the containing project" / "to the target
    /// environment", https://api.permit.io/v2/redoc#tag/Environments/operation/copy_environment).
    const environment_record& copy_environment(const api_key_record& caller,
                                               const permit::project& p,
                                               const environment_record& source,
                                               const permit::environment_copy& in) {
        const auto policy = policy_to_copy(data_of(source), in.scope);
        if (const auto& made = in.target_env.new_environment) {
            if (!reaches_whole_project(caller, p)) throw key_cannot("make environments there");
            return add_environment(p, *made,
                                   [&](state& fresh) { write_policy(fresh, policy, false); });
        }
        const auto& target = require_environment(p, *in.target_env.existing);
        if (!reaches_environment(caller, target)) throw key_cannot("write that environment");
        const bool overwrite = in.conflict_strategy.value_or("fail") == "overwrite";
        auto& data = data_of(target);
        // Tried on a copy first (which reports its changes to no one), so that a copy that fails
        // half-way writes nothing; then written for real, with the same result.
        state trial = data;
        trial.on_change({});
        write_policy(trial, policy, overwrite);
        write_policy(data, policy, overwrite);
        auto& record = *environments_.at(p.id).find(target.key);
        record.updated_at = iso8601_now();
        return record;
    }

    /// Loads the projects and environments of an initial state: `"projects"` (`ProjectCreate`s,
    /// with their `initial_environments`) and `"environments"` (`EnvironmentCreate`s of the
    /// emulator's own project). Throws `std::invalid_argument` naming the item that failed.
    void load(const boost::json::value& seed) {
        if (!seed.is_object()) return;
        auto each = [&](std::string_view name, auto apply) {
            const auto* list = seed.get_object().if_contains(name);
            if (!list) return;
            if (!list->is_array())
                throw std::invalid_argument("initial state: '" + std::string(name) +
                                            "' must be an array");
            std::size_t i = 0;
            for (const auto& item : list->get_array()) {
                const auto where =
                    "initial state: " + std::string(name) + "[" + std::to_string(i++) + "]";
                try {
                    apply(item);
                } catch (const api_failure& f) {
                    throw std::invalid_argument(where + ": " + boost::json::serialize(f.body));
                } catch (const std::exception& e) {
                    throw std::invalid_argument(where + ": " + e.what());
                }
            }
        };
        each("projects", [&](const boost::json::value& v) {
            create_project(boost::json::value_to<permit::project_create>(v));
        });
        each("environments", [&](const boost::json::value& v) {
            create_environment(require_project(own_project_),
                               boost::json::value_to<permit::environment_create>(v));
        });
    }

    /// A new token for an Elements login.
    std::string login_token() { return new_secret().substr(11); }

    /// Keeps the `TaskResult` of an asynchronous copy of environment `source_id`; returns its
    /// `task_id`.
    std::string keep_task(const std::string& source_id, boost::json::object task) {
        auto id = uuids_.next();
        task["task_id"] = id;
        tasks_[id] = {source_id, std::move(task)};
        return id;
    }

    /// The `TaskResult` of task `id` of an asynchronous copy of environment `source_id`; 404 for
    /// any other.
    const boost::json::object& task(const std::string& source_id, const std::string& id) const {
        auto it = tasks_.find(id);
        if (it == tasks_.end() || it->second.first != source_id) throw not_found("Task");
        return it->second.second;
    }

  private:
    /// [UNCONFIRMED] The API's answer to deleting the project or environment of the key that
    /// asks is not documented. The emulator's own are the ones its PDP serves and its
    /// configuration names, so they stay: 403.
    static void check_not_own(bool own, std::string_view what) {
        if (own)
            throw api_failure{403, error_details("FORBIDDEN_ACCESS",
                                                 "You are not authorized to perform this request",
                                                 "The emulator's own " + std::string(what) +
                                                     " (the one its PDP serves) cannot be "
                                                     "deleted.")};
    }

    static std::string display_name(std::string_view key) {
        std::string out(key);
        if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
        return out;
    }

    const project_record& put_project(project_record p, const std::string& now) {
        p.seq = ++seq_;
        p.organization_id = id_;
        p.created_at = now;
        p.updated_at = now;
        environments_[p.id];
        return projects_.insert(std::move(p));
    }

    const environment_record& put_environment(const std::string& project_id, environment_record e,
                                              const std::string& now) {
        e.seq = ++seq_;
        e.organization_id = id_;
        e.project_id = project_id;
        e.email_configuration = uuids_.next();
        e.created_at = now;
        e.updated_at = now;
        return environments_.at(project_id).insert(std::move(e));
    }

    /// A new environment of `p` whose fresh state `fill` writes first (a copy's policy); nothing
    /// is registered when `fill` throws.
    template <class Fill>
    const environment_record& add_environment(const permit::project& p,
                                              const permit::environment_create& in, Fill fill) {
        if (find_environment(p.id, in.key)) throw duplicate("environment", in.key);
        environment_record e;
        e.key = in.key;
        e.id = uuids_.next();
        e.name = in.name;
        e.description = in.description;
        e.custom_branch_name = in.custom_branch_name;
        e.jwks = in.jwks;
        e.settings = in.settings;
        auto data = std::make_unique<state>(environment_identity{id_, p.id, e.id}, ++next_seed_);
        data->create_tenant({.key = "default", .name = "Default Tenant"});
        fill(*data);
        const auto& made = put_environment(p.id, std::move(e), iso8601_now());
        states_.emplace(made.id, std::move(data));
        environment_key(made);
        return made;
    }

    /// A key of `level` (of `project_id`, or of the emulator's project when empty), as
    /// `emulator_config` gives one.
    api_key_record key_of_level(key_level level, const std::string& project_id) const {
        api_key_record k;
        k.access_level = "admin";
        k.owner_type = "member";
        if (level == key_level::organization) {
            k.object_type = "org";
            return k;
        }
        k.project_id = project_id.empty() ? own_project_ : project_id;
        k.object_type = level == key_level::project ? "project" : "env";
        if (level == key_level::environment && *k.project_id == own_project_)
            k.environment_id = own_environment_;
        return k;
    }

    const api_key_record& add_key(api_key_record k, std::string secret, const std::string& now) {
        k.seq = ++seq_;
        k.id = uuids_.next();
        k.organization_id = id_;
        k.secret = std::move(secret);
        k.created_at = now;
        by_secret_[*k.secret] = k.seq;
        seq_by_key_id_[k.id] = k.seq;
        return keys_.emplace(k.seq, std::move(k)).first->second;
    }

    template <class Pred>
    void erase_keys_if(Pred doomed) {
        std::vector<std::string> ids;
        for (const auto& [seq, k] : keys_)
            if (doomed(k)) ids.push_back(k.id);
        for (const auto& id : ids) delete_key(id);
    }

    /// A secret in the form of Permit's keys (`permit_key_` and random characters).
    std::string new_secret() {
        std::string out = "permit_key_";
        for (int i = 0; i < 2; ++i)
            for (const char c : uuids_.next())
                if (c != '-') out += c;
        return out;
    }

    std::string id_;
    state* own_state_;
    uuid_source uuids_;
    std::uint64_t next_seed_;
    std::uint64_t seq_ = 0;
    std::string own_project_, own_environment_, configured_key_;
    keyed_collection<project_record> projects_;
    std::map<std::string, keyed_collection<environment_record>> environments_;  // by project id
    std::map<std::string, std::unique_ptr<state>> states_;  // by environment id, but the own
    std::map<std::uint64_t, api_key_record> keys_;          // by creation
    std::unordered_map<std::string, std::uint64_t> seq_by_key_id_, by_secret_;
    std::map<std::string, std::string> environment_keys_;  // environment id -> its key's id
    std::map<std::string, std::pair<std::string, boost::json::object>> tasks_;  // id -> source
};

}  // namespace permit::testing::detail
