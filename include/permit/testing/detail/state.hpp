// The emulator's in-memory Permit environment (sans-io): users, tenants, roles, resources and
// role assignments, with the API's rules for keys, ids, duplicates, cascades and RBAC.
// Every operation either succeeds or throws `api_failure`.
//
// A state can report each change it makes (`on_change`), as a function that makes the same change
// to a copy of it: the PDP's delayed view (pdp_view.hpp) is such a copy, fed those changes late.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/value_from.hpp>

#include <permit/models/resource.hpp>
#include <permit/models/role.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>
#include <permit/testing/detail/api_failure.hpp>
#include <permit/testing/detail/ids.hpp>

namespace permit::testing::detail {

/// The organization, project and environment that every object belongs to.
struct environment_identity {
    std::string organization_id;
    std::string project_id;
    std::string environment_id;
};

/// Objects of one kind, found by key or by id, listed in creation order.
template <class Record>
class keyed_collection {
  public:
    Record* find(std::string_view key_or_id) {
        if (auto it = by_key_.find(std::string(key_or_id)); it != by_key_.end()) return &it->second;
        if (auto it = key_by_id_.find(std::string(key_or_id)); it != key_by_id_.end())
            return &by_key_.at(it->second);
        return nullptr;
    }
    const Record* find(std::string_view key_or_id) const {
        return const_cast<keyed_collection*>(this)->find(key_or_id);
    }

    Record& insert(Record r) {
        const auto key = r.key;
        order_.emplace(r.seq, key);
        key_by_id_.emplace(r.id, key);
        return by_key_.emplace(key, std::move(r)).first->second;
    }

    /// Inserts `r`, or overwrites the record with its key (a copy of it, same `seq` and `id`).
    void put(const Record& r) {
        if (auto it = by_key_.find(r.key); it != by_key_.end()) {
            it->second = r;
            return;
        }
        insert(r);
    }

    void erase(const std::string& key) {
        auto it = by_key_.find(key);
        if (it == by_key_.end()) return;
        order_.erase(it->second.seq);
        key_by_id_.erase(it->second.id);
        by_key_.erase(it);
    }

    std::size_t size() const { return by_key_.size(); }

    /// The records that pass `keep`, in creation order.
    template <class Pred>
    std::vector<const Record*> where(Pred keep) const {
        std::vector<const Record*> out;
        for_each([&](const Record& r) {
            if (keep(r)) out.push_back(&r);
        });
        return out;
    }

    /// Calls `f(record)` in creation order.
    template <class F>
    void for_each(F&& f) const {
        for (const auto& [seq, key] : order_) f(by_key_.at(key));
    }
    template <class F>
    void for_each(F&& f) {
        for (const auto& [seq, key] : order_) f(by_key_.at(key));
    }

  private:
    std::unordered_map<std::string, Record> by_key_;
    std::unordered_map<std::string, std::string> key_by_id_;
    std::map<std::uint64_t, std::string> order_;
};

// The stored objects are the API's read models, so that each field is declared once, in the
// model's description: the emulator fills them in and renders them as they are (a user's
// `associated_tenants` and `roles` are computed from the role assignments when it is rendered).
// `seq` orders them by creation.

/// A stored user.
struct user_record : permit::user {
    std::uint64_t seq = 0;
};

/// A stored tenant.
struct tenant_record : permit::tenant {
    std::uint64_t seq = 0;
    /// Whether attributes were ever given: a tenant created without them reads back with
    /// `"attributes": null` (permit-node `src/tests/e2e/rbac.e2e.spec.ts`).
    bool attributes_given = false;
};

/// A stored role.
struct role_record : permit::role {
    std::uint64_t seq = 0;
};

/// A stored resource type.
struct resource_record : permit::resource {
    std::uint64_t seq = 0;
};

struct assignment_record {
    std::uint64_t seq;
    std::string id;
    std::string user;  // keys, so that records survive nothing but their own deletion
    std::string role;
    std::string tenant;
    std::optional<std::string> resource_instance;
    std::string created_at;
};

/// Filters of `GET /role_assignments` (each list empty = no filter).
struct assignment_filter {
    std::vector<std::string> users, roles, tenants;
    std::optional<std::string> resource, resource_instance;
};

class state {
  public:
    state(environment_identity ids, std::uint64_t seed) : ids_(std::move(ids)), uuids_(seed) {}

    const environment_identity& identity() const { return ids_; }

    /// A change this state made, as a function that makes it to a copy of this state taken
    /// before it: records are copied whole (same ids, seqs and timestamps), deletions are replayed
    /// by key with their cascades.
    using change = std::function<void(state&)>;

    /// Calls `sink` with every change from now on (none when `sink` is empty, the default: then
    /// nothing is copied). The copy that replays the changes must have no sink of its own.
    void on_change(std::function<void(change)> sink) { sink_ = std::move(sink); }

    // ----- users -------------------------------------------------------------------------
    const user_record& require_user(std::string_view key_or_id) const {
        if (auto* u = users_.find(key_or_id)) return *u;
        throw not_found("User");
    }
    const user_record* find_user(std::string_view key_or_id) const {
        return users_.find(key_or_id);
    }

    /// Checks that every role and tenant of `assignments` exists, before anything is written.
    void check_user_roles(const std::vector<permit::user_role_create>& assignments) const {
        for (const auto& a : assignments) {
            require_role(a.role);
            require_tenant(a.tenant.value_or(default_tenant));
        }
    }

    const user_record& create_user(const permit::user_create& in) {
        if (users_.find(in.key)) throw duplicate("user", in.key);
        check_user_roles(in.role_assignments);
        return insert_user(in);
    }

    /// PUT semantics: replaces every field; returns whether the user was created.
    std::pair<const user_record*, bool> replace_user(const permit::user_create& in) {
        check_user_roles(in.role_assignments);
        auto* existing = users_.find(in.key);
        if (!existing) return {&insert_user(in), true};
        existing->email = in.email;
        existing->first_name = in.first_name;
        existing->last_name = in.last_name;
        existing->attributes = in.attributes;
        existing->updated_at = iso8601_now();
        record_put(&state::users_, *existing);
        assign_user_roles(existing->key, in.role_assignments);
        return {existing, false};
    }

    const user_record& update_user(std::string_view key_or_id, const permit::user_update& in) {
        auto* u = users_.find(key_or_id);
        if (!u) throw not_found("User");
        if (in.email) u->email = in.email;
        if (in.first_name) u->first_name = in.first_name;
        if (in.last_name) u->last_name = in.last_name;
        if (in.attributes) u->attributes = *in.attributes;  // replaced, not merged (spec)
        u->updated_at = iso8601_now();
        record_put(&state::users_, *u);
        return *u;
    }

    void delete_user(std::string_view key_or_id) {
        const auto key = require_user(key_or_id).key;
        erase_assignments_if([&](const assignment_record& a) { return a.user == key; });
        std::erase_if(memberships_, [&](const auto& m) { return m.second == key; });
        users_.erase(key);
        if (sink_) sink_([key](state& s) { s.delete_user(key); });
    }

    /// Users in creation order that pass `keep`.
    std::vector<const user_record*> users_where(
        const std::function<bool(const user_record&)>& keep) const {
        return users_.where(keep);
    }

    bool user_has_role(const std::string& user_key, std::string_view role_key,
                       std::optional<std::string_view> tenant_key = std::nullopt) const {
        auto it = assignments_by_user_.find(user_key);
        if (it == assignments_by_user_.end()) return false;
        for (auto seq : it->second) {
            const auto& a = assignments_.at(seq);
            const auto& role = roles_.find(a.role);
            if ((a.role == role_key || (role && role->id == role_key)) &&
                (!tenant_key || a.tenant == *tenant_key))
                return true;
        }
        return false;
    }

    /// Users that hold a role in the tenant or were added to it.
    bool user_in_tenant(const std::string& user_key, const std::string& tenant_key) const {
        if (memberships_.count({tenant_key, user_key})) return true;
        auto it = assignments_by_user_.find(user_key);
        if (it == assignments_by_user_.end()) return false;
        return std::any_of(it->second.begin(), it->second.end(),
                           [&](auto seq) { return assignments_.at(seq).tenant == tenant_key; });
    }

    permit::user render(const user_record& u) const {
        permit::user out = u;
        // associated_tenants: one entry per tenant the user belongs to, in first-seen order.
        auto entry = [&](const std::string& tenant) -> permit::user_in_tenant& {
            for (auto& t : out.associated_tenants)
                if (t.tenant == tenant) return t;
            out.associated_tenants.push_back({.tenant = tenant, .roles = {}, .status = "active"});
            return out.associated_tenants.back();
        };
        if (auto it = assignments_by_user_.find(u.key); it != assignments_by_user_.end()) {
            for (auto seq : it->second) {
                const auto& a = assignments_.at(seq);
                auto& t = entry(a.tenant);
                if (a.resource_instance) {
                    const auto colon = a.resource_instance->find(':');
                    t.resource_instance_roles.push_back(
                        {.resource_instance = *a.resource_instance,
                         .resource = a.resource_instance->substr(0, colon),
                         .role = a.role});
                } else {
                    t.roles.push_back(a.role);
                    out.roles.push_back({.role = a.role, .tenant = a.tenant});
                }
            }
        }
        for (const auto& [tenant, user] : memberships_)
            if (user == u.key) entry(tenant);
        return out;
    }

    // ----- tenants -----------------------------------------------------------------------
    static constexpr const char* default_tenant = "default";

    const tenant_record& require_tenant(std::string_view key_or_id) const {
        if (auto* t = tenants_.find(key_or_id)) return *t;
        throw not_found("Tenant");
    }
    const tenant_record* find_tenant(std::string_view key_or_id) const {
        return tenants_.find(key_or_id);
    }

    /// `attributes_given`: the request had `attributes` (even `{}`); without the raw request,
    /// non-empty attributes count as given.
    const tenant_record& create_tenant(const permit::tenant_create& in,
                                       std::optional<bool> attributes_given = std::nullopt) {
        if (tenants_.find(in.key)) throw duplicate("tenant", in.key);
        const auto now = iso8601_now();
        auto record = new_record<tenant_record>(in.key, now);
        record.last_action_at = now;
        record.name = in.name;
        record.description = in.description;
        record.attributes = in.attributes;
        record.attributes_given = attributes_given.value_or(!in.attributes.empty());
        const auto& t = tenants_.insert(std::move(record));
        record_put(&state::tenants_, t);
        return t;
    }

    const tenant_record& update_tenant(std::string_view key_or_id,
                                       const permit::tenant_update& in) {
        auto* t = tenants_.find(key_or_id);
        if (!t) throw not_found("Tenant");
        if (in.name) t->name = *in.name;
        if (in.description) t->description = in.description;
        if (in.attributes) {
            t->attributes = *in.attributes;
            t->attributes_given = true;
        }
        t->updated_at = iso8601_now();
        record_put(&state::tenants_, *t);
        return *t;
    }

    void delete_tenant(std::string_view key_or_id) {
        const auto key = require_tenant(key_or_id).key;
        erase_assignments_if([&](const assignment_record& a) { return a.tenant == key; });
        std::erase_if(memberships_, [&](const auto& m) { return m.first == key; });
        tenants_.erase(key);
        if (sink_) sink_([key](state& s) { s.delete_tenant(key); });
    }

    /// `POST /tenants/{t}/users`: creates the user if new, then makes it a member.
    const user_record& add_tenant_user(std::string_view tenant_key_or_id,
                                       const permit::user_create& in) {
        const auto tenant = require_tenant(tenant_key_or_id).key;
        check_user_roles(in.role_assignments);
        const user_record* u = users_.find(in.key);
        if (!u) u = &insert_user(in);
        if (memberships_.insert({tenant, u->key}).second && sink_)
            sink_([m = std::pair(tenant, u->key)](state& s) { s.memberships_.insert(m); });
        return *u;
    }

    /// `DELETE /tenants/{t}/users/{u}`: the membership and the user's roles in that tenant go.
    void remove_tenant_user(std::string_view tenant_key_or_id, std::string_view user_key_or_id) {
        const auto tenant = require_tenant(tenant_key_or_id).key;
        const auto user = require_user(user_key_or_id).key;
        erase_assignments_if(
            [&](const assignment_record& a) { return a.user == user && a.tenant == tenant; });
        memberships_.erase({tenant, user});
        if (sink_) sink_([tenant, user](state& s) { s.remove_tenant_user(tenant, user); });
    }

    std::vector<const tenant_record*> tenants_where(
        const std::function<bool(const tenant_record&)>& keep) const {
        return tenants_.where(keep);
    }

    /// `TenantRead`, with `attributes` null when they were never given.
    boost::json::value render(const tenant_record& t) const {
        auto out = boost::json::value_from(static_cast<const permit::tenant&>(t));
        if (!t.attributes_given) out.as_object()["attributes"] = nullptr;
        return out;
    }

    // ----- roles -------------------------------------------------------------------------
    const role_record& require_role(std::string_view key_or_id) const {
        if (auto* r = roles_.find(key_or_id)) return *r;
        throw not_found("Role");
    }

    const role_record& create_role(const permit::role_create& in) {
        if (roles_.find(in.key)) throw duplicate("role", in.key);
        for (const auto& parent : in.extends) require_role(parent);
        const auto now = iso8601_now();
        auto record = new_record<role_record>(in.key, now);
        record.name = in.name;
        record.description = in.description;
        record.permissions = unique(in.permissions);
        record.attributes = in.attributes;
        record.extends = in.extends;
        const auto& r = roles_.insert(std::move(record));
        record_put(&state::roles_, r);
        return r;
    }

    const role_record& update_role(std::string_view key_or_id, const permit::role_update& in) {
        auto* r = roles_.find(key_or_id);
        if (!r) throw not_found("Role");
        if (in.extends)
            for (const auto& parent : *in.extends) require_role(parent);
        if (in.name) r->name = *in.name;
        if (in.description) r->description = in.description;
        if (in.permissions) r->permissions = unique(*in.permissions);
        if (in.attributes) r->attributes = *in.attributes;
        if (in.extends) r->extends = *in.extends;
        r->updated_at = iso8601_now();
        record_put(&state::roles_, *r);
        return *r;
    }

    /// Adds (`grant`) or removes permissions; already granted or missing ones are skipped.
    const role_record& change_role_permissions(std::string_view key_or_id,
                                               const std::vector<std::string>& perms, bool grant) {
        auto* r = roles_.find(key_or_id);
        if (!r) throw not_found("Role");
        for (const auto& p : perms) {
            auto it = std::find(r->permissions.begin(), r->permissions.end(), p);
            if (grant && it == r->permissions.end()) r->permissions.push_back(p);
            if (!grant && it != r->permissions.end()) r->permissions.erase(it);
        }
        r->updated_at = iso8601_now();
        record_put(&state::roles_, *r);
        return *r;
    }

    void delete_role(std::string_view key_or_id) {
        const auto key = require_role(key_or_id).key;
        erase_assignments_if([&](const assignment_record& a) { return a.role == key; });
        roles_.for_each([&](role_record& other) { std::erase(other.extends, key); });
        roles_.erase(key);
        if (sink_) sink_([key](state& s) { s.delete_role(key); });
    }

    std::vector<const role_record*> roles_where(
        const std::function<bool(const role_record&)>& keep) const {
        return roles_.where(keep);
    }

    permit::role render(const role_record& r) const { return r; }

    /// The permissions of a role and of every role it extends, transitively.
    std::set<std::string> effective_permissions(const std::string& role_key) const {
        std::set<std::string> perms, seen;
        std::vector<std::string> to_visit{role_key};
        while (!to_visit.empty()) {
            auto key = std::move(to_visit.back());
            to_visit.pop_back();
            if (!seen.insert(key).second) continue;  // extends may form a cycle
            const auto* r = roles_.find(key);
            if (!r) continue;
            perms.insert(r->permissions.begin(), r->permissions.end());
            to_visit.insert(to_visit.end(), r->extends.begin(), r->extends.end());
        }
        return perms;
    }

    // ----- resources ---------------------------------------------------------------------
    const resource_record& require_resource(std::string_view key_or_id) const {
        if (auto* r = resources_.find(key_or_id)) return *r;
        throw not_found("Resource");
    }

    const resource_record& create_resource(const permit::resource_create& in) {
        if (resources_.find(in.key)) throw duplicate("resource", in.key);
        const auto now = iso8601_now();
        auto r = new_record<resource_record>(in.key, now);
        r.name = in.name;
        r.urn = in.urn;
        r.description = in.description;
        r.type_attributes = in.type_attributes;
        set_actions(r, in.actions);
        set_attributes(r, in.attributes);
        set_relations(r, in.relations);
        set_roles(r, in.roles, now);
        const auto& inserted = resources_.insert(std::move(r));
        record_put(&state::resources_, inserted);
        return inserted;
    }

    /// PUT (`replace`) sets every field; PATCH sets the given ones.
    const resource_record& update_resource(std::string_view key_or_id,
                                           const permit::resource_update& in) {
        auto* r = resources_.find(key_or_id);
        if (!r) throw not_found("Resource");
        if (in.name) r->name = *in.name;
        if (in.description) r->description = in.description;
        if (in.urn) r->urn = in.urn;
        if (in.actions) set_actions(*r, *in.actions);
        if (in.type_attributes) r->type_attributes = in.type_attributes;
        if (in.attributes) set_attributes(*r, in.attributes);
        const auto now = iso8601_now();
        if (in.relations) set_relations(*r, in.relations);
        if (in.roles) set_roles(*r, in.roles, now);
        r->updated_at = now;
        record_put(&state::resources_, *r);
        return *r;
    }

    const resource_record& replace_resource(std::string_view key_or_id,
                                            const permit::resource_replace& in) {
        auto* r = resources_.find(key_or_id);
        if (!r) throw not_found("Resource");
        r->name = in.name;
        r->description = in.description;
        r->urn = in.urn;
        set_actions(*r, in.actions);
        r->type_attributes = in.type_attributes;
        set_attributes(*r, in.attributes);
        const auto now = iso8601_now();
        set_relations(*r, in.relations);
        set_roles(*r, in.roles, now);
        r->updated_at = now;
        record_put(&state::resources_, *r);
        return *r;
    }

    void delete_resource(std::string_view key_or_id) {
        const auto key = require_resource(key_or_id).key;
        resources_.erase(key);
        if (sink_) sink_([key](state& s) { s.delete_resource(key); });
    }

    std::vector<const resource_record*> resources_where(
        const std::function<bool(const resource_record&)>& keep) const {
        return resources_.where(keep);
    }

    permit::resource render(const resource_record& r) const { return r; }

    // ----- role assignments --------------------------------------------------------------
    /// Resolves the user, role and tenant of an assignment (404 when one is missing).
    struct resolved_assignment {
        std::string user, role, tenant;
        std::optional<std::string> resource_instance;
    };

    resolved_assignment resolve(std::string_view user, std::string_view role,
                                std::optional<std::string_view> tenant,
                                const std::optional<std::string>& resource_instance) const {
        return {require_user(user).key, require_role(role).key,
                require_tenant(tenant.value_or(default_tenant)).key, resource_instance};
    }

    const assignment_record* find_assignment(const resolved_assignment& a) const {
        auto it = assignment_index_.find(index_key(a));
        return it == assignment_index_.end() ? nullptr : &assignments_.at(it->second);
    }

    /// Adds an assignment; returns nullptr when it already existed.
    const assignment_record* add_assignment(const resolved_assignment& a) {
        if (find_assignment(a)) return nullptr;
        assignment_record rec{.seq = ++seq_,
                              .id = uuids_.next(),
                              .user = a.user,
                              .role = a.role,
                              .tenant = a.tenant,
                              .resource_instance = a.resource_instance,
                              .created_at = iso8601_now()};
        const auto& inserted = insert_assignment(std::move(rec));
        if (sink_) sink_([copy = inserted](state& s) { s.insert_assignment(copy); });
        return &inserted;
    }

    /// Removes an assignment and returns what it was, or nothing when it did not exist.
    std::optional<assignment_record> remove_assignment(const resolved_assignment& a) {
        auto it = assignment_index_.find(index_key(a));
        if (it == assignment_index_.end()) return std::nullopt;
        auto rec = assignments_.at(it->second);
        erase_assignment(rec.seq);
        if (sink_) sink_([a](state& s) { s.remove_assignment(a); });
        return rec;
    }

    std::vector<const assignment_record*> assignments_where(const assignment_filter& f) const {
        auto match = [](const std::vector<std::string>& wanted, const std::string& key,
                        const std::string& id) {
            return wanted.empty() || std::find(wanted.begin(), wanted.end(), key) != wanted.end() ||
                   std::find(wanted.begin(), wanted.end(), id) != wanted.end();
        };
        std::vector<const assignment_record*> out;
        auto consider = [&](const assignment_record& a) {
            const auto* user = users_.find(a.user);
            const auto* role = roles_.find(a.role);
            const auto* tenant = tenants_.find(a.tenant);
            if (!match(f.users, a.user, user ? user->id : "")) return;
            if (!match(f.roles, a.role, role ? role->id : "")) return;
            if (!match(f.tenants, a.tenant, tenant ? tenant->id : "")) return;
            if (f.resource &&
                (!a.resource_instance ||
                 a.resource_instance->substr(0, a.resource_instance->find(':')) != *f.resource))
                return;
            if (f.resource_instance && a.resource_instance != f.resource_instance) return;
            out.push_back(&a);
        };
        if (f.users.empty()) {
            for (const auto& [seq, a] : assignments_) consider(a);
            return out;
        }
        // Filtered by user: only those users' assignments, in creation order (the listing of one
        // user's roles must not cost a scan of the whole environment).
        std::set<std::uint64_t> seqs;
        for (const auto& ident : f.users)
            if (const auto* user = find_user(ident))
                if (auto it = assignments_by_user_.find(user->key);
                    it != assignments_by_user_.end())
                    seqs.insert(it->second.begin(), it->second.end());
        for (const auto seq : seqs) consider(assignments_.at(seq));
        return out;
    }

    /// The tenant-level (not resource-instance) roles of a user in a tenant.
    std::vector<std::string> tenant_roles(const std::string& user_key,
                                          const std::string& tenant_key) const {
        std::vector<std::string> out;
        if (auto it = assignments_by_user_.find(user_key); it != assignments_by_user_.end())
            for (auto seq : it->second) {
                const auto& a = assignments_.at(seq);
                if (a.tenant == tenant_key && !a.resource_instance) out.push_back(a.role);
            }
        return out;
    }

    /// The tenants in which a user holds tenant-level roles, in first-assignment order.
    std::vector<std::string> tenants_of(const std::string& user_key) const {
        std::vector<std::string> out;
        if (auto it = assignments_by_user_.find(user_key); it != assignments_by_user_.end())
            for (auto seq : it->second) {
                const auto& a = assignments_.at(seq);
                if (!a.resource_instance &&
                    std::find(out.begin(), out.end(), a.tenant) == out.end())
                    out.push_back(a.tenant);
            }
        return out;
    }

    permit::role_assignment render(const assignment_record& a) const {
        permit::role_assignment out;
        out.id = a.id;
        out.user = a.user;
        out.role = a.role;
        out.tenant = a.tenant;
        out.resource_instance = a.resource_instance;
        if (a.resource_instance)
            out.resource_instance_id = resource_instance_id(*a.resource_instance);
        out.user_id = users_.find(a.user)->id;
        out.role_id = roles_.find(a.role)->id;
        out.tenant_id = tenants_.find(a.tenant)->id;
        out.organization_id = ids_.organization_id;
        out.project_id = ids_.project_id;
        out.environment_id = ids_.environment_id;
        out.created_at = a.created_at;
        return out;
    }

    // ----- sizes and snapshot ------------------------------------------------------------
    std::size_t user_count() const { return users_.size(); }
    std::size_t tenant_count() const { return tenants_.size(); }
    std::size_t role_assignment_count() const { return assignments_.size(); }

    boost::json::value snapshot() const {
        boost::json::array users, tenants, assignments, roles, resources;
        users_.for_each(
            [&](const user_record& u) { users.push_back(boost::json::value_from(render(u))); });
        tenants_.for_each(
            [&](const tenant_record& t) { tenants.push_back(boost::json::value_from(render(t))); });
        for (const auto& [seq, a] : assignments_)
            assignments.push_back(boost::json::value_from(render(a)));
        roles_.for_each(
            [&](const role_record& r) { roles.push_back(boost::json::value_from(render(r))); });
        resources_.for_each([&](const resource_record& r) {
            resources.push_back(boost::json::value_from(render(r)));
        });
        return boost::json::object{{"users", std::move(users)},
                                   {"tenants", std::move(tenants)},
                                   {"role_assignments", std::move(assignments)},
                                   {"roles", std::move(roles)},
                                   {"resources", std::move(resources)}};
    }

  private:
    // A new record of a keyed collection: its key, a new id and creation order, the environment's
    // ids, and `now` as its creation and change time.
    template <class Record>
    Record new_record(std::string key, const std::string& now) {
        Record r;
        r.seq = ++seq_;
        r.id = uuids_.next();
        r.key = std::move(key);
        r.organization_id = ids_.organization_id;
        r.project_id = ids_.project_id;
        r.environment_id = ids_.environment_id;
        r.created_at = now;
        r.updated_at = now;
        return r;
    }

    const user_record& insert_user(const permit::user_create& in) {
        const auto now = iso8601_now();
        auto record = new_record<user_record>(in.key, now);
        record.email = in.email;
        record.first_name = in.first_name;
        record.last_name = in.last_name;
        record.attributes = in.attributes;
        const auto& u = users_.insert(std::move(record));
        record_put(&state::users_, u);  // its role assignments follow, each a change of its own
        assign_user_roles(u.key, in.role_assignments);
        return u;
    }

    /// Reports the put of a record (a copy, whole) to the sink, if any.
    template <class Record>
    void record_put(keyed_collection<Record> state::*collection, const Record& r) {
        if (sink_) sink_([collection, copy = r](state& s) { (s.*collection).put(copy); });
    }

    const assignment_record& insert_assignment(assignment_record rec) {
        const auto seq = rec.seq;
        assignment_index_.emplace(
            index_key({rec.user, rec.role, rec.tenant, rec.resource_instance}), seq);
        assignments_by_user_[rec.user].insert(seq);
        return assignments_.emplace(seq, std::move(rec)).first->second;
    }

    void assign_user_roles(const std::string& user_key,
                           const std::vector<permit::user_role_create>& roles) {
        for (const auto& r : roles)
            add_assignment(resolve(user_key, r.role, r.tenant, r.resource_instance));
    }

    // The attribute blocks of a resource type as the API returns them (AttributeBlockRead): each
    // with its key and an id, kept for a key that had one, as for actions.
    void set_attributes(resource_record& r, const std::optional<boost::json::object>& edited) {
        if (!edited) {
            r.attributes.reset();
            return;
        }
        boost::json::object read;
        for (const auto& [key, block] : *edited) {
            boost::json::object out =
                block.is_object() ? block.get_object() : boost::json::object{};
            const boost::json::value* old_id = nullptr;
            if (r.attributes)
                if (const auto* old = r.attributes->if_contains(key); old && old->is_object())
                    old_id = old->get_object().if_contains("id");
            out["id"] = old_id ? *old_id : boost::json::value(uuids_.next());
            out["key"] = key;
            read.emplace(key, std::move(out));
        }
        r.attributes = std::move(read);
    }

    // A resource's relations as the API returns them (`ResourceRead.relations`: relation key to
    // `RelationBlockRead` {resource_id, resource}; its `relation_name` is hidden) from
    // `ResourceCreate.relations` (relation key to the subject resource's key or id;
    // https://api.permit.io/v2/redoc, `ResourceCreate`). The subject must exist, or be the resource
    // itself: 404 otherwise. [UNCONFIRMED] The API's answer to an unknown subject is not
    // documented; 404 is what it answers for every unknown object a request names.
    void set_relations(resource_record& r, const std::optional<boost::json::object>& edited) {
        boost::json::object read;
        if (edited)
            for (const auto& [key, subject] : *edited) {
                if (!subject.is_string())
                    throw unprocessable(boost::json::array{"body", "relations", key},
                                        "str type expected", "type_error.str");
                const std::string_view name = subject.get_string();
                std::string subject_key, subject_id;
                if (name == r.key || name == r.id) {
                    subject_key = r.key;
                    subject_id = r.id;
                } else {
                    const auto& other = require_resource(name);
                    subject_key = other.key;
                    subject_id = other.id;
                }
                read.emplace(key, boost::json::object{{"resource_id", subject_id},
                                                      {"resource", subject_key}});
            }
        r.relations = std::move(read);
    }

    // A resource's roles as the API returns them (`ResourceRead.roles`: role key to
    // `ResourceRoleRead`) from `ResourceCreate.roles` (role key to `RoleBlockEditable` {name,
    // description, permissions, attributes, extends, granted_to}; https://api.permit.io/v2/redoc).
    // Permissions are the resource's action keys, given bare or as `<resource>:<action>`, and
    // stored bare. A role that keeps its key keeps its id and creation time.
    void set_roles(resource_record& r, const std::optional<boost::json::object>& edited,
                   const std::string& now) {
        if (!edited) {
            r.roles.reset();
            return;
        }
        boost::json::object read;
        for (const auto& [key, value] : *edited) {
            if (!value.is_object())
                throw unprocessable(boost::json::array{"body", "roles", key},
                                    "value is not a valid dict", "type_error.dict");
            const auto& block = value.get_object();
            const auto* name = block.if_contains("name");
            if (!name || !name->is_string())
                throw unprocessable(boost::json::array{"body", "roles", key, "name"},
                                    "field required", "value_error.missing");
            boost::json::array permissions;
            if (const auto* p = block.if_contains("permissions"); p && p->is_array())
                for (const auto& item : p->get_array()) {
                    if (!item.is_string()) continue;
                    std::string_view action = item.get_string();
                    const std::string prefix = r.key + ":";
                    if (action.starts_with(prefix)) action.remove_prefix(prefix.size());
                    permissions.push_back(boost::json::string(action));
                }
            const boost::json::object* old = nullptr;
            if (r.roles)
                if (const auto* o = r.roles->if_contains(key); o && o->is_object())
                    old = &o->get_object();
            boost::json::object out{
                {"name", *name},
                {"key", key},
                {"id", old ? old->at("id") : boost::json::value(uuids_.next())},
                {"organization_id", ids_.organization_id},
                {"project_id", ids_.project_id},
                {"environment_id", ids_.environment_id},
                {"resource_id", r.id},
                {"resource", r.key},
                {"created_at", old ? old->at("created_at") : boost::json::value(now)},
                {"updated_at", now},
                {"permissions", std::move(permissions)},
                {"extends", boost::json::array{}}};
            for (const auto* field : {"description", "attributes", "extends", "granted_to"})
                if (const auto* v = block.if_contains(field); v && !v->is_null()) out[field] = *v;
            read.emplace(key, std::move(out));
        }
        r.roles = std::move(read);
    }

    void set_actions(resource_record& r,
                     const std::map<std::string, permit::action_block>& actions) {
        std::map<std::string, permit::action_block_read> out;
        for (const auto& [key, block] : actions) {
            auto old = r.actions.find(key);
            out[key] = permit::action_block_read{
                .id = old != r.actions.end() ? old->second.id : uuids_.next(),
                .key = key,
                .name = block.name.value_or(key),
                .description = block.description,
                .attributes = block.attributes};
        }
        r.actions = std::move(out);
    }

    static std::vector<std::string> unique(std::vector<std::string> v) {
        std::vector<std::string> out;
        for (auto& s : v)
            if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
        return out;
    }

    static std::string index_key(const resolved_assignment& a) {
        std::string k = a.user;
        k += '\n';
        k += a.role;
        k += '\n';
        k += a.tenant;
        k += '\n';
        k += a.resource_instance.value_or("");
        return k;
    }

    std::string resource_instance_id(const std::string& instance) const {
        auto [it, inserted] = instance_ids_.try_emplace(instance);
        if (inserted) it->second = uuids_.next();
        return it->second;
    }

    void erase_assignment(std::uint64_t seq) {
        const auto& a = assignments_.at(seq);
        assignment_index_.erase(index_key({a.user, a.role, a.tenant, a.resource_instance}));
        if (auto it = assignments_by_user_.find(a.user); it != assignments_by_user_.end()) {
            it->second.erase(seq);
            if (it->second.empty()) assignments_by_user_.erase(it);
        }
        assignments_.erase(seq);
    }

    template <class Pred>
    std::size_t erase_assignments_if(Pred pred) {
        std::vector<std::uint64_t> doomed;
        for (const auto& [seq, a] : assignments_)
            if (pred(a)) doomed.push_back(seq);
        for (auto seq : doomed) erase_assignment(seq);
        return doomed.size();
    }

    environment_identity ids_;
    mutable uuid_source uuids_;
    std::uint64_t seq_ = 0;
    keyed_collection<user_record> users_;
    keyed_collection<tenant_record> tenants_;
    keyed_collection<role_record> roles_;
    keyed_collection<resource_record> resources_;
    std::map<std::uint64_t, assignment_record> assignments_;
    std::unordered_map<std::string, std::uint64_t> assignment_index_;
    std::unordered_map<std::string, std::set<std::uint64_t>> assignments_by_user_;
    std::set<std::pair<std::string, std::string>>
        memberships_;  // (tenant, user) added without a role
    mutable std::unordered_map<std::string, std::string> instance_ids_;
    std::function<void(change)> sink_;
};

}  // namespace permit::testing::detail
