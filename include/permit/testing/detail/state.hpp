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
#include <initializer_list>
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
#include <permit/testing/detail/abac_store.hpp>
#include <permit/testing/detail/api_failure.hpp>
#include <permit/testing/detail/ids.hpp>
#include <permit/testing/detail/rebac_graph.hpp>

namespace permit::testing::detail {

/// The organization, project and environment that every object belongs to.
struct environment_identity {
    std::string organization_id;
    std::string project_id;
    std::string environment_id;
};

/// Hashes `std::string` and `std::string_view` alike, so that a lookup by a view allocates nothing.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

/// A hash map keyed by strings that is searched with views.
template <class T>
using string_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

/// Objects of one kind, found by key or by id, listed in creation order.
//
// Finding a record by id needs an index from ids to keys. Nothing looks up by id during a bulk
// write, and on a store of a million users each new entry in that index is a cache miss, a third
// of what a bulk write costs the server. So a new record's id is listed first and indexed on the
// first lookup by id, even through the const `find`: like the whole state, a collection is used
// by one thread at a time (the server holds one lock around every request). A lookup by something
// that cannot be an id (not a UUID, when every id is one) stops after the search by key.
template <class Record>
class keyed_collection {
  public:
    Record* find(std::string_view key_or_id) {
        if (auto it = by_key_.find(key_or_id); it != by_key_.end()) return &it->second;
        if (only_uuid_ids_ && !looks_like_uuid(key_or_id)) return nullptr;
        index_new_ids();
        if (auto it = key_by_id_.find(key_or_id); it != key_by_id_.end())
            return &by_key_.at(it->second);
        return nullptr;
    }
    const Record* find(std::string_view key_or_id) const {
        return const_cast<keyed_collection*>(this)->find(key_or_id);
    }

    Record& insert(Record r) {
        only_uuid_ids_ = only_uuid_ids_ && looks_like_uuid(r.id);
        // Records are mostly made in `seq` order: the hint makes that an append.
        order_.emplace_hint(order_.end(), r.seq, r.key);
        new_ids_.emplace_back(r.id, r.key);
        auto key = r.key;
        return by_key_.emplace(std::move(key), std::move(r)).first->second;
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
    /// Moves the ids listed by `insert` into the index; those of records erased or replaced
    /// since are left out.
    void index_new_ids() {
        for (auto& [id, key] : new_ids_)
            if (auto it = by_key_.find(key); it != by_key_.end() && it->second.id == id)
                key_by_id_.emplace(std::move(id), std::move(key));
        std::vector<std::pair<std::string, std::string>>().swap(new_ids_);
    }

    string_map<Record> by_key_;
    string_map<std::string> key_by_id_;  // the ids of `new_ids_` not yet among them
    std::vector<std::pair<std::string, std::string>> new_ids_;  // id, key
    std::map<std::uint64_t, std::string> order_;
    bool only_uuid_ids_ = true;
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

/// A stored resource type. Its relations, attribute definitions and action groups are kept whole
/// (`RelationRead`, `ResourceAttributeRead`, `ResourceActionGroupRead` by key, in creation order),
/// as the routes of each return them; the blocks of the `ResourceRead` (`relations`, `attributes`,
/// `action_groups`) are derived from them after each change. Its roles are `roles`, each a
/// `ResourceRoleRead` whose derivation rules lack the ids that are looked up when it is rendered.
struct resource_record : permit::resource {
    std::uint64_t seq = 0;
    boost::json::object relation_reads;
    boost::json::object attribute_reads;
    boost::json::object group_reads;
};

/// A stored resource instance (`ResourceInstanceRead`). Its collection key is `"type:key"`.
struct instance_record {
    std::uint64_t seq = 0;
    std::string id;
    std::string key;  // "type:key"
    std::string instance_key;
    std::string resource, resource_id;
    std::string tenant, tenant_id;
    boost::json::object attributes;
    std::string created_at, updated_at;
};

/// A stored relationship tuple (`RelationshipTupleRead`). Its collection key is
/// `"subject relation object"`.
struct tuple_record {
    std::uint64_t seq = 0;
    std::string id;
    std::string key;
    std::string subject, relation, object;
    std::string subject_id, relation_id, object_id;
    std::string tenant, tenant_id;
    std::string created_at, updated_at;
};

/// The collection key of a tuple.
inline std::string tuple_key(std::string_view subject, std::string_view relation,
                             std::string_view object) {
    std::string k(subject);
    k += ' ';
    k += relation;
    k += ' ';
    k += object;
    return k;
}

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
        // "A resource instance must always belong to a tenant"
        // (https://docs.permit.io/modeling/google-drive): its instances go with it.
        // [UNCONFIRMED] The API reference does not say; an instance without its tenant could
        // never be decided on.
        delete_instances_if([&](const instance_record& r) { return r.tenant == key; });
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
    const role_record* find_role(std::string_view key_or_id) const {
        return roles_.find(key_or_id);
    }

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
        abac_.erase_role(key);
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
    const resource_record* find_resource(std::string_view key_or_id) const {
        return resources_.find(key_or_id);
    }
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
        set_attributes(r, in.attributes, now);
        set_relations(r, in.relations, now);
        set_roles(r, in.roles, now);
        const auto& inserted = resources_.insert(std::move(r));
        put_resource(inserted);
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
        const auto now = iso8601_now();
        if (in.attributes) set_attributes(*r, in.attributes, now);
        if (in.relations) set_relations(*r, in.relations, now);
        if (in.roles) set_roles(*r, in.roles, now);
        r->updated_at = now;
        put_resource(*r);
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
        const auto now = iso8601_now();
        set_attributes(*r, in.attributes, now);
        set_relations(*r, in.relations, now);
        set_roles(*r, in.roles, now);
        r->updated_at = now;
        put_resource(*r);
        return *r;
    }

    void delete_resource(std::string_view key_or_id) {
        const auto key = require_resource(key_or_id).key;
        // Its instances go with it, and with them their tuples and role assignments.
        // [UNCONFIRMED] Not documented; an instance of a type that does not exist could never be
        // decided on.
        delete_instances_if([&](const instance_record& r) { return r.resource == key; });
        resources_.erase(key);
        rebac_.remove_type(key);
        abac_.erase_resource(key);
        if (sink_) sink_([key](state& s) { s.delete_resource(key); });
    }

    std::vector<const resource_record*> resources_where(
        const std::function<bool(const resource_record&)>& keep) const {
        return resources_.where(keep);
    }

    /// `ResourceRead`, with the ids of its roles' derivation rules.
    permit::resource render(const resource_record& r) const {
        permit::resource out = r;
        if (out.roles)
            for (auto& [key, role] : *out.roles)
                if (role.is_object()) role = render_role(r, role.get_object());
        return out;
    }

    /// The PDP's ReBAC data: instances, tuples, instance roles, resource roles.
    const rebac::graph& rebac() const { return rebac_; }

    // ----- a resource type's relations, roles, derivations, attributes and action groups ----
    // (https://api.permit.io/v2/redoc#tag/Resource-Relations, #tag/Resource-Roles,
    // #tag/Implicit-Grants, #tag/Resource-Attributes, #tag/User-Attributes,
    // #tag/Resource-Action-Groups). Each is kept in its resource type's record: a change reaches
    // the PDP's copy with the whole record (`put_resource`), a deletion with cascades as a replay
    // of the deletion. Sub-objects are named by key or id.

    /// The resource type whose attributes are the users' (`/users/attributes`).
    static constexpr std::string_view user_resource = "__user";

    /// `RelationRead`s of resource type `type`, in creation order (404 for an unknown type).
    std::vector<boost::json::object> relations_of(std::string_view type) const {
        return values_of(require_resource(type).relation_reads);
    }

    /// `RelationRead` of relation `key_or_id` of `type` (404 when there is none).
    const boost::json::object& relation_of(std::string_view type,
                                           std::string_view key_or_id) const {
        if (const auto* read = find_block(require_resource(type).relation_reads, key_or_id))
            return *read;
        throw not_found("Relation");
    }

    /// Creates relation `in.key` (`RelationCreate`) on `type`, the object resource, to
    /// `in.subject_resource` (key or id; the type itself included): the same relation as
    /// `ResourceCreate.relations` makes. 404 for an unknown type or subject, 409 for a relation
    /// key the type has.
    const boost::json::object& create_relation(std::string_view type,
                                               const boost::json::object& in) {
        auto& r = mutable_resource(type);
        const auto key = text_of(in, "key");
        if (r.relation_reads.contains(key)) throw duplicate("relation", key);
        const auto subject = subject_of(r, text_of(in, "subject_resource"));
        r.relation_reads.emplace(
            key, relation_read(r, key, text_of(in, "name"), in.if_contains("description"), subject,
                               iso8601_now()));
        derive_relations(r);
        put_resource(r);
        return r.relation_reads.at(key).get_object();
    }

    /// Deletes relation `key_or_id` of `type` with what would be left dangling without it: the
    /// relationship tuples that use it, and the derivation rules of the type's roles linked by
    /// it. [UNCONFIRMED] The API reference only says "Deletes a resource relation"; a tuple or a
    /// rule whose relation is gone could never be used again, and removing them keeps them from
    /// coming back to life should a relation of the same key be made later.
    void delete_relation(std::string_view type, std::string_view key_or_id) {
        auto& r = mutable_resource(type);
        const auto* read = find_block(r.relation_reads, key_or_id);
        if (!read) throw not_found("Relation");
        const auto key = text_of(*read, "key");
        const auto type_key = r.key;
        std::vector<std::string> doomed;
        for (const auto* t : tuples_.where([&](const tuple_record& t) {
                 return t.relation == key && rebac::type_of(t.object) == type_key;
             }))
            doomed.push_back(t->key);
        for (const auto& k : doomed) {
            const auto* t = tuples_.find(k);
            rebac_.remove_tuple(t->subject, t->relation, t->object);
            tuples_.erase(k);
        }
        r.relation_reads.stable_erase(key);
        derive_relations(r);
        drop_rules(r, [&](const boost::json::object& rule) {
            return text_of(rule, "linked_by_relation") == key;
        });
        refresh_graph(r);
        if (sink_) sink_([type_key, key](state& s) { s.delete_relation(type_key, key); });
    }

    /// `ResourceRoleRead`s of resource type `type`, in creation order.
    std::vector<boost::json::object> resource_roles_of(std::string_view type) const {
        const auto& r = require_resource(type);
        std::vector<boost::json::object> out;
        if (r.roles)
            for (const auto& [key, role] : *r.roles)
                if (role.is_object()) out.push_back(render_role(r, role.get_object()));
        return out;
    }

    /// `ResourceRoleRead` of role `role` of `type` (404 when there is none).
    boost::json::object resource_role_of(std::string_view type, std::string_view role) const {
        const auto& r = require_resource(type);
        return render_role(r, require_resource_role(r, role));
    }

    /// Creates a role of `type` from a `ResourceRoleCreate`: 409 for a key the type has, 404 for
    /// a role it extends that the type lacks, 422 for a derivation rule that does not fit
    /// (`check_rule`) or a permission of another type (`own_action`).
    boost::json::object create_resource_role(std::string_view type, const boost::json::object& in) {
        auto& r = mutable_resource(type);
        const auto key = text_of(in, "key");
        if (r.roles && r.roles->contains(key)) throw duplicate("resource role", key);
        check_role_references(r, in);
        auto read = role_read(r, key, in, nullptr, iso8601_now());
        if (!r.roles) r.roles.emplace();
        (*r.roles)[key] = std::move(read);
        put_resource(r);
        return render_role(r, r.roles->at(key).get_object());
    }

    /// PATCH of a role of `type` (`ResourceRoleUpdate`): each field given replaces the stored one
    /// ("Fields that will be provided will be completely overwritten"); a `granted_to` replaces
    /// the whole derivation, as https://docs.permit.io/modeling/google-drive re-sends the rules
    /// it keeps. Checked as `create_resource_role` checks.
    boost::json::object update_resource_role(std::string_view type, std::string_view role,
                                             const boost::json::object& in) {
        auto& r = mutable_resource(type);
        auto& stored = mutable_resource_role(r, role);
        check_role_references(r, in);
        boost::json::object changed = stored;
        for (const auto* field : {"name", "description", "attributes", "extends"})
            if (const auto* v = in.if_contains(field); v && !v->is_null()) changed[field] = *v;
        if (const auto* p = in.if_contains("permissions"); p && !p->is_null())
            changed["permissions"] = own_actions(r, *p);
        if (const auto* g = in.if_contains("granted_to"); g && !g->is_null())
            changed["granted_to"] = derivation_block(*g, stored.if_contains("granted_to"));
        changed["updated_at"] = iso8601_now();
        stored = std::move(changed);
        put_resource(r);
        return render_role(r, stored);
    }

    /// Deletes a role of `type` "and all its related data" (https://api.permit.io/v2/redoc):
    /// the role assignments of the role on instances of `type`, the role in the `extends` of the
    /// type's other roles, and every derivation rule, of any type's role, that derives from it
    /// (a rule naming a role that is gone could never apply).
    void delete_resource_role(std::string_view type, std::string_view role) {
        auto& r = mutable_resource(type);
        const auto key = text_of(require_resource_role(r, role), "key");
        const auto type_key = r.key;
        erase_assignments_if([&](const assignment_record& a) {
            return a.role == key && a.resource_instance &&
                   rebac::type_of(*a.resource_instance) == type_key;
        });
        r.roles->stable_erase(key);
        for (auto& [other_key, other] : *r.roles)
            if (other.is_object())
                if (auto* extends = other.get_object().if_contains("extends");
                    extends && extends->is_array()) {
                    auto& list = extends->get_array();
                    for (auto it = list.begin(); it != list.end();)
                        it = it->is_string() && it->get_string() == key ? list.erase(it) : it + 1;
                }
        resources_.for_each([&](resource_record& any) {
            const bool changed = drop_rules(any, [&](const boost::json::object& rule) {
                return text_of(rule, "on_resource") == type_key && text_of(rule, "role") == key;
            });
            if (changed && any.key != type_key) refresh_graph(any);
        });
        refresh_graph(r);
        if (sink_) sink_([type_key, key](state& s) { s.delete_resource_role(type_key, key); });
    }

    /// Grants (`grant`) or takes away permissions of a role of `type`, each read as
    /// `own_action` reads it; those already granted, or not granted, are skipped.
    boost::json::object change_resource_role_permissions(std::string_view type,
                                                         std::string_view role,
                                                         const boost::json::value& permissions,
                                                         bool grant) {
        auto& r = mutable_resource(type);
        auto& stored = mutable_resource_role(r, role);
        const auto given = own_actions(r, permissions);
        boost::json::array now_granted;
        if (const auto* p = stored.if_contains("permissions"); p && p->is_array())
            now_granted = p->get_array();
        for (const auto& action : given) {
            auto it = std::find(now_granted.begin(), now_granted.end(), action);
            if (grant && it == now_granted.end()) now_granted.push_back(action);
            if (!grant && it != now_granted.end()) now_granted.erase(it);
        }
        stored["permissions"] = std::move(now_granted);
        stored["updated_at"] = iso8601_now();
        put_resource(r);
        return render_role(r, stored);
    }

    /// The roles of `type` related to `role` through `extends`, transitively, nearest first:
    /// with `ancestors`, the roles it extends (whose permissions it inherits: `extends` is "what
    /// roles this role extends ... this role will automatically inherit all the permissions of
    /// the given roles", https://api.permit.io/v2/redoc, `ResourceRoleCreate`), as a condition
    /// set's ancestors are its parents; otherwise the roles that extend it. [UNCONFIRMED] The
    /// reference does not describe these two routes beyond their names.
    std::vector<boost::json::object> related_resource_roles(std::string_view type,
                                                            std::string_view role,
                                                            bool ancestors) const {
        const auto& r = require_resource(type);
        const auto start = text_of(require_resource_role(r, role), "key");
        auto extends_of = [&](const boost::json::object& o) {
            std::vector<std::string> out;
            if (const auto* e = o.if_contains("extends"); e && e->is_array())
                for (const auto& item : e->get_array())
                    if (item.is_string()) out.emplace_back(item.get_string());
            return out;
        };
        // Breadth first: the nearest roles first, each once (`extends` may form a cycle).
        std::vector<std::string> order{start};
        std::set<std::string> seen{start};
        for (std::size_t i = 0; i < order.size(); ++i) {
            const auto current = order[i];
            if (ancestors) {
                for (auto& parent : extends_of(r.roles->at(current).get_object()))
                    if (r.roles->contains(parent) && seen.insert(parent).second)
                        order.push_back(parent);
            } else {
                for (const auto& [key, o] : *r.roles) {
                    if (!o.is_object()) continue;
                    const auto parents = extends_of(o.get_object());
                    if (std::find(parents.begin(), parents.end(), current) != parents.end() &&
                        seen.insert(std::string(key)).second)
                        order.emplace_back(key);
                }
            }
        }
        order.erase(order.begin());
        std::vector<boost::json::object> out;
        for (const auto& key : order) out.push_back(render_role(r, r.roles->at(key).get_object()));
        return out;
    }

    /// Adds a derivation rule (`DerivedRoleRuleCreate`) to role `role` of `type` and returns it as
    /// `DerivedRoleRuleRead`: 422 when it does not fit (`check_rule`), 409 when the role has a
    /// rule through the same role, resource and relation.
    boost::json::object create_implicit_grant(std::string_view type, std::string_view role,
                                              const boost::json::object& in) {
        auto& r = mutable_resource(type);
        auto& stored = mutable_resource_role(r, role);
        check_rule(r, in);
        auto rule = derivation_rule(in);
        auto& rules = derivation_of(stored).at("users_with_role").get_array();
        for (const auto& existing : rules)
            if (same_rule(existing, rule))
                throw duplicate("role derivation", text_of(rule, "on_resource") + "#" +
                                                       text_of(rule, "role") + " via " +
                                                       text_of(rule, "linked_by_relation"));
        rules.push_back(rule);
        stored["updated_at"] = iso8601_now();
        put_resource(r);
        return rule_read(r, rule);
    }

    /// Removes the derivation rule of role `role` of `type` through the role, resource and
    /// relation that `in` (`DerivedRoleRuleDelete`) names; 404 when there is none.
    void delete_implicit_grant(std::string_view type, std::string_view role,
                               const boost::json::object& in) {
        auto& r = mutable_resource(type);
        auto& stored = mutable_resource_role(r, role);
        const auto rule = derivation_rule(in);
        auto& rules = derivation_of(stored).at("users_with_role").get_array();
        auto it = std::find_if(rules.begin(), rules.end(),
                               [&](const boost::json::value& v) { return same_rule(v, rule); });
        if (it == rules.end()) throw not_found("DerivedRoleRule");
        rules.erase(it);
        stored["updated_at"] = iso8601_now();
        put_resource(r);
    }

    /// Sets the derivation-level `when` of role `role` of `type` (`DerivationSettings`) and
    /// returns it.
    boost::json::object set_implicit_grant_conditions(std::string_view type, std::string_view role,
                                                      const boost::json::object& in) {
        auto& r = mutable_resource(type);
        auto& stored = mutable_resource_role(r, role);
        const boost::json::value given = in;
        auto settings = derivation_settings(&given);
        derivation_of(stored)["when"] = settings;
        stored["updated_at"] = iso8601_now();
        put_resource(r);
        return settings;
    }

    /// `ResourceAttributeRead`s of resource type `resource` (`__user`: the users'), in creation
    /// order.
    std::vector<boost::json::object> attributes_of(std::string_view resource) const {
        return values_of(attribute_reads(resource));
    }

    /// `ResourceAttributeRead` of attribute `key_or_id` of `resource` (404 when there is none).
    boost::json::object attribute_of(std::string_view resource, std::string_view key_or_id) const {
        if (const auto* read = find_block(attribute_reads(resource), key_or_id)) return *read;
        throw not_found("ResourceAttribute");
    }

    /// Defines attribute `in.key` (`ResourceAttributeCreate`, its `type` already checked) on
    /// `resource`: the same definition as `ResourceCreate.attributes` makes. 409 for a key the
    /// resource has; 422 for the key `type`, which "you cannot use ... for any attribute you
    /// create" (https://docs.permit.io/how-to/build-policies/abac/building-abac-policy).
    /// [UNCONFIRMED] That 422's body is not documented: `INVALID_INPUT`.
    boost::json::object create_attribute(std::string_view resource, const boost::json::object& in) {
        const auto key = text_of(in, "key");
        if (key == "type")
            throw api_failure{
                422, error_details("INVALID_INPUT", "Invalid attribute key",
                                   "The key 'type' is reserved: no attribute can be named so.")};
        return edit_attributes(resource, [&](boost::json::object& reads, const std::string& owner,
                                             const std::string& owner_id) {
            if (reads.contains(key)) throw duplicate("attribute", key);
            reads.emplace(key, attribute_read(key, in, owner, owner_id, iso8601_now()));
            return reads.at(key).get_object();
        });
    }

    /// PATCH of attribute `key_or_id` of `resource` (`ResourceAttributeUpdate`): each field given
    /// replaces the stored one.
    boost::json::object update_attribute(std::string_view resource, std::string_view key_or_id,
                                         const boost::json::object& in) {
        return edit_attributes(
            resource, [&](boost::json::object& reads, const std::string&, const std::string&) {
                auto* read = find_block(reads, key_or_id);
                if (!read) throw not_found("ResourceAttribute");
                for (const auto* field : {"type", "description"})
                    if (const auto* v = in.if_contains(field); v && !v->is_null())
                        (*read)[field] = *v;
                (*read)["updated_at"] = iso8601_now();
                return *read;
            });
    }

    /// Deletes attribute `key_or_id` of `resource`. Stored attribute values stay as they are: a
    /// policy then reads the attribute as undefined (https://api.permit.io/v2/redoc).
    void delete_attribute(std::string_view resource, std::string_view key_or_id) {
        edit_attributes(resource,
                        [&](boost::json::object& reads, const std::string&, const std::string&) {
                            const auto* read = find_block(reads, key_or_id);
                            if (!read) throw not_found("ResourceAttribute");
                            reads.stable_erase(text_of(*read, "key"));
                            return boost::json::object{};
                        });
    }

    /// `ResourceActionGroupRead`s of resource type `type`, in creation order.
    std::vector<boost::json::object> action_groups_of(std::string_view type) const {
        return values_of(require_resource(type).group_reads);
    }

    /// `ResourceActionGroupRead` of group `key_or_id` of `type` (404 when there is none).
    const boost::json::object& action_group_of(std::string_view type,
                                               std::string_view key_or_id) const {
        if (const auto* read = find_block(require_resource(type).group_reads, key_or_id))
            return *read;
        throw not_found("ResourceActionGroup");
    }

    /// Creates action group `in.key` (`ResourceActionGroupCreate`) on `type`; 409 for a key the
    /// type has. [UNCONFIRMED] Whether the API checks that the actions exist is not documented:
    /// they are stored as given. Action groups change no decision (they are not in the PDP's
    /// data, https://api.permit.io/v2/redoc, `FullData`).
    const boost::json::object& create_action_group(std::string_view type,
                                                   const boost::json::object& in) {
        auto& r = mutable_resource(type);
        const auto key = text_of(in, "key");
        if (r.group_reads.contains(key)) throw duplicate("action group", key);
        const auto now = iso8601_now();
        boost::json::object read{{"name", in.at("name")}};
        if (const auto* d = in.if_contains("description"); d && d->is_string())
            read["description"] = *d;
        if (const auto* a = in.if_contains("attributes"); a && a->is_object())
            read["attributes"] = *a;
        const auto* actions = in.if_contains("actions");
        read["actions"] = actions && actions->is_array() ? *actions : boost::json::array{};
        read["key"] = key;
        read["id"] = uuids_.next();
        read["organization_id"] = ids_.organization_id;
        read["project_id"] = ids_.project_id;
        read["environment_id"] = ids_.environment_id;
        read["resource_id"] = r.id;
        read["created_at"] = now;
        read["updated_at"] = now;
        r.group_reads.emplace(key, std::move(read));
        derive_action_groups(r);
        put_resource(r);
        return r.group_reads.at(key).get_object();
    }

    /// PATCH of action group `key_or_id` of `type` (`ResourceActionGroupUpdate`): each field given
    /// replaces the stored one.
    const boost::json::object& update_action_group(std::string_view type,
                                                   std::string_view key_or_id,
                                                   const boost::json::object& in) {
        auto& r = mutable_resource(type);
        auto* read = find_block(r.group_reads, key_or_id);
        if (!read) throw not_found("ResourceActionGroup");
        for (const auto* field : {"name", "description", "attributes", "actions"})
            if (const auto* v = in.if_contains(field); v && !v->is_null()) (*read)[field] = *v;
        (*read)["updated_at"] = iso8601_now();
        derive_action_groups(r);
        put_resource(r);
        return *read;
    }

    /// Deletes action group `key_or_id` of `type`.
    void delete_action_group(std::string_view type, std::string_view key_or_id) {
        auto& r = mutable_resource(type);
        const auto* read = find_block(r.group_reads, key_or_id);
        if (!read) throw not_found("ResourceActionGroup");
        r.group_reads.stable_erase(text_of(*read, "key"));
        derive_action_groups(r);
        put_resource(r);
    }

    // ----- condition sets and their rules (https://api.permit.io/v2/redoc#tag/Condition-Sets,
    // #tag/Condition-Set-Rules) --------------------------------------------------------------
    // Kept in `abac_` (abac_store.hpp); a change reaches the PDP's copy as the whole record, a
    // deletion as a replay with its cascades.

    /// The environment's condition sets and rules, and the ABAC decision over them.
    const abac::store& abac() const { return abac_; }

    /// Creates a condition set from a `ConditionSetCreate` body the schema has accepted.
    /// 409 for a taken key; 404 for an unknown base resource or parent; 422 for a resource set
    /// without a base resource, a parent of another kind, or conditions outside the language.
    const abac::condition_set_record& create_condition_set(const boost::json::object& in) {
        check_set_type(in);
        const auto key = text_of(in, "key");
        if (abac_.find_set(key)) throw duplicate("condition set", key);
        const auto now = iso8601_now();
        abac::condition_set_record r;
        r.seq = ++seq_;
        r.id = uuids_.next();
        r.key = key;
        r.created_at = r.updated_at = now;
        r.resourceset = text_of(in, "type") == "resourceset";
        if (const auto* a = in.if_contains("autogenerated"); a && a->is_bool())
            r.autogenerated = a->get_bool();
        if (const auto* id = in.if_contains("resource_id"); id && id->is_string()) {
            const auto* resource = find_resource(id->get_string());
            if (!resource) throw not_found("Resource");
            // [UNCONFIRMED] The reference does not say what a user set does with a base
            // resource; it is kept, and only a resource set's is used.
            r.resource = resource->key;
        } else if (r.resourceset) {
            throw unprocessable(boost::json::array{"body", "resource_id"},
                                "a resource set must name its base resource", "value_error");
        }
        apply_condition_set_fields(r, in);
        abac_.put_set(r);
        if (sink_) sink_([r](state& s) { s.abac_.put_set(r); });
        return abac_.require_set(key);
    }

    /// Overwrites the fields of a `ConditionSetUpdate` body; 404 for an unknown set or parent.
    const abac::condition_set_record& update_condition_set(std::string_view key_or_id,
                                                           const boost::json::object& in) {
        auto r = abac_.require_set(key_or_id);
        apply_condition_set_fields(r, in);
        r.updated_at = iso8601_now();
        abac_.put_set(r);
        if (sink_) sink_([r](state& s) { s.abac_.put_set(r); });
        return abac_.require_set(r.key);
    }

    /// Deletes a condition set, its descendants and every rule naming them.
    void delete_condition_set(std::string_view key_or_id) {
        const auto key = abac_.require_set(key_or_id).key;
        abac_.erase_set(key);
        if (sink_) sink_([key](state& s) { s.abac_.erase_set(key); });
    }

    /// `ConditionSetRead`, with the base resource's `ResourceRead` for a resource set.
    boost::json::object render(const abac::condition_set_record& r) const {
        boost::json::object out{{"key", r.key},
                                {"id", r.id},
                                {"organization_id", ids_.organization_id},
                                {"project_id", ids_.project_id},
                                {"environment_id", ids_.environment_id},
                                {"created_at", r.created_at},
                                {"updated_at", r.updated_at},
                                {"name", r.name},
                                {"type", r.resourceset ? "resourceset" : "userset"},
                                {"autogenerated", r.autogenerated},
                                {"conditions", r.conditions}};
        if (r.description) out["description"] = *r.description;
        if (!r.resource.empty())
            if (const auto* resource = find_resource(r.resource)) {
                out["resource_id"] = resource->id;
                out["resource"] = boost::json::value_from(render(*resource));
            }
        if (!r.parent.empty()) out["parent_id"] = abac_.require_set(r.parent).id;
        return out;
    }

    /// A `ConditionSetRuleCreate`/`Remove` body resolved to the rule it names: `is_role` turns
    /// `user_set` into the role's autogenerated user set and `is_resource` turns `resource_set`
    /// into the resource type's autogenerated resource set
    /// (https://api.permit.io/v2/redoc#tag/Condition-Set-Rules). 404 for an unknown set, role,
    /// resource type or action; 422 for a set on the wrong side of the rule.
    abac::set_rule_record resolve_set_rule(const boost::json::object& in) const {
        const auto flag = [&](std::string_view name) {
            const auto* v = in.if_contains(name);
            return v && v->is_bool() && v->get_bool();
        };
        abac::set_rule_record r;
        r.user_set = rule_side(text_of(in, "user_set"), flag("is_role"), false);
        r.resource_set = rule_side(text_of(in, "resource_set"), flag("is_resource"), true);
        const auto permission = text_of(in, "permission");
        if (const auto colon = permission.find(':'); colon != std::string::npos) {
            const auto& resource = require_resource(permission.substr(0, colon));
            r.resource = resource.key;
            r.action = permission.substr(colon + 1);
            if (!resource.actions.count(r.action)) throw not_found("ResourceAction");
        } else {
            // The action by its id, as `ConditionSetRuleCreate.permission` allows.
            resources_.for_each([&](const resource_record& res) {
                for (const auto& [action, block] : res.actions)
                    if (block.id == permission) {
                        r.resource = res.key;
                        r.action = action;
                    }
            });
            if (r.action.empty()) throw not_found("ResourceAction");
        }
        r.key = abac::rule_key(r.user_set, r.resource, r.action, r.resource_set);
        return r;
    }

    /// Grants a rule; an existing one is returned as it is ("If the permission is already
    /// granted, it is skipped").
    const abac::set_rule_record& assign_set_rule(const boost::json::object& in) {
        auto r = resolve_set_rule(in);
        if (const auto* existing = abac_.find_rule(r.key)) return *existing;
        r.seq = ++seq_;
        r.id = uuids_.next();
        r.created_at = r.updated_at = iso8601_now();
        abac_.put_rule(r);
        if (sink_) sink_([r](state& s) { s.abac_.put_rule(r); });
        return *abac_.find_rule(r.key);
    }

    /// Revokes a rule; one that was not granted is skipped.
    void unassign_set_rule(const boost::json::object& in) {
        const auto key = resolve_set_rule(in).key;
        if (abac_.erase_rule(key) && sink_) sink_([key](state& s) { s.abac_.erase_rule(key); });
    }

    /// `ConditionSetRuleRead`.
    boost::json::object render(const abac::set_rule_record& r) const {
        return {{"id", r.id},
                {"key", r.key},
                {"user_set", r.user_set},
                {"permission", r.permission()},
                {"resource_set", r.resource_set},
                {"organization_id", ids_.organization_id},
                {"project_id", ids_.project_id},
                {"environment_id", ids_.environment_id},
                {"created_at", r.created_at},
                {"updated_at", r.updated_at}};
    }

    // ----- resource instances (https://api.permit.io/v2/redoc#tag/Resource-Instances) ------
    const instance_record* find_instance(std::string_view type_key_or_id) const {
        return instances_.find(type_key_or_id);
    }
    const instance_record& require_instance(std::string_view type_key_or_id) const {
        if (auto* r = instances_.find(type_key_or_id)) return *r;
        throw not_found("ResourceInstance");
    }

    /// Creates instance `resource:key` in `tenant` (404 for an unknown resource type or tenant,
    /// 409 when it exists).
    const instance_record& create_instance(std::string_view key, std::string_view resource,
                                           std::string_view tenant,
                                           boost::json::object attributes) {
        const auto& type = require_resource(resource);
        const auto& owner = require_tenant(tenant);
        const auto ident = rebac::instance_id(type.key, key);
        if (instances_.find(ident)) throw duplicate("resource instance", ident);
        return insert_instance(type.key, std::string(key), owner.key, std::move(attributes));
    }

    /// PUT of the bulk route: creates, or replaces the tenant and attributes of, `resource:key`.
    const instance_record& replace_instance(std::string_view key, std::string_view resource,
                                            std::string_view tenant,
                                            boost::json::object attributes) {
        const auto& type = require_resource(resource);
        const auto& owner = require_tenant(tenant);
        auto* existing = instances_.find(rebac::instance_id(type.key, key));
        if (!existing)
            return insert_instance(type.key, std::string(key), owner.key, std::move(attributes));
        instance_record r = *existing;
        r.tenant = owner.key;
        r.tenant_id = owner.id;
        r.attributes = std::move(attributes);
        r.updated_at = iso8601_now();
        put_instance(r);
        return *instances_.find(r.key);
    }

    /// PATCH: the attributes are replaced, not merged (the API reference: "Fields that will be
    /// provided will be completely overwritten").
    const instance_record& update_instance(std::string_view type_key_or_id,
                                           boost::json::object attributes) {
        instance_record r = require_instance(type_key_or_id);
        r.attributes = std::move(attributes);
        r.updated_at = iso8601_now();
        put_instance(r);
        return *instances_.find(r.key);
    }

    /// Deletes an instance "and all its related data": its role assignments and the tuples that
    /// name it.
    void delete_instance(std::string_view type_key_or_id) {
        const auto& doomed_instance = require_instance(type_key_or_id);
        const auto ident = doomed_instance.key;
        const auto tenant = doomed_instance.tenant;
        // Through the decision graph's indexes: no scan of every tuple or assignment.
        for (const auto& [user, role] : rebac_.assignments_on(ident))
            if (auto it = assignment_index_.find(index_key({user, role, tenant, ident}));
                it != assignment_index_.end())
                erase_assignment(it->second);
        for (const auto& t : rebac_.tuples_naming(ident))
            tuples_.erase(tuple_key(t.subject, t.relation, t.object));
        rebac_.remove_instance(ident);
        instances_.erase(ident);
        if (sink_) sink_([ident](state& s) { s.delete_instance(ident); });
    }

    /// Deletes every instance that `doomed` selects, each as `delete_instance` does.
    void delete_instances_if(const std::function<bool(const instance_record&)>& doomed) {
        std::vector<std::string> idents;
        for (const auto* r : instances_.where(doomed)) idents.push_back(r->key);
        for (const auto& ident : idents) delete_instance(ident);
    }

    std::vector<const instance_record*> instances_where(
        const std::function<bool(const instance_record&)>& keep) const {
        return instances_.where(keep);
    }

    /// `ResourceInstanceRead`.
    static boost::json::object render(const instance_record& r, const environment_identity& ids) {
        return {{"key", r.instance_key},
                {"tenant", r.tenant},
                {"resource", r.resource},
                {"id", r.id},
                {"organization_id", ids.organization_id},
                {"project_id", ids.project_id},
                {"environment_id", ids.environment_id},
                {"created_at", r.created_at},
                {"updated_at", r.updated_at},
                {"resource_id", r.resource_id},
                {"tenant_id", r.tenant_id},
                {"attributes", r.attributes}};
    }
    boost::json::object render(const instance_record& r) const { return render(r, ids_); }

    // ----- relationship tuples (https://api.permit.io/v2/redoc#tag/Relationship-Tuples) -----
    /// Creates tuple (subject, relation, object). Each instance is named by `"type:key"` or its
    /// id; one that does not exist is created in `tenant`, which is then required. Checked
    /// before anything is written: the relation is defined on the object's type with the
    /// subject's type as its subject resource (422 MISMATCH_RELATION_TYPE), both instances are in
    /// one tenant (422 MISMATCH_RESOURCE_INSTANCES_TENANTS), the tuple is new (409).
    /// [UNCONFIRMED] These statuses and codes are not documented: the codes are the API's
    /// (`ErrorCode`), the statuses those of its other validation failures.
    /// What writing one tuple takes, once checked: the instances in `"type:key"` form, the
    /// tenant, and which instances are to be created.
    struct tuple_plan {
        std::string subject, relation, object, tenant, object_type, key;
        bool create_subject = false, create_object = false;
    };

    /// Instances and tuples that the earlier items of one bulk call will write, so that its later
    /// items are checked as if those were written: instance `"type:key"` to its tenant, and tuple
    /// keys.
    struct planned_writes {
        std::map<std::string, std::string> instances;
        std::set<std::string> tuples;
    };

    /// Checks tuple (subject, relation, object) without writing anything; throws what
    /// `create_tuple` would. Each instance is named by `"type:key"` or its id; one that does not
    /// exist is to be created in `tenant`, which is then required. The relation must be defined
    /// on the object's type with the subject's type as its subject resource (422
    /// MISMATCH_RELATION_TYPE), both instances must be in one tenant (422
    /// MISMATCH_RESOURCE_INSTANCES_TENANTS), and the tuple must be new (409).
    /// [UNCONFIRMED] These statuses and codes are not documented: the codes are the API's
    /// (`ErrorCode`), the statuses those of its other validation failures.
    tuple_plan plan_tuple(std::string_view subject, std::string_view relation,
                          std::string_view object, std::optional<std::string_view> tenant,
                          const planned_writes* earlier = nullptr) const {
        struct end {
            std::string ident;
            std::optional<std::string> tenant;  // unset: to be created
        };
        auto resolve = [&](std::string_view named) {
            if (const auto* rec = instances_.find(named)) return end{rec->key, rec->tenant};
            if (earlier)
                if (auto it = earlier->instances.find(std::string(named));
                    it != earlier->instances.end())
                    return end{it->first, it->second};
            if (named.find(':') == std::string_view::npos) throw not_found("ResourceInstance");
            require_resource(rebac::type_of(named));
            return end{std::string(named), std::nullopt};
        };
        const end s_end = resolve(subject);
        const end o_end = resolve(object);
        // "A resource cannot be set as a parent of itself"
        // (https://docs.permit.io/how-to/build-policies/rebac/building-rebac-policies).
        // [UNCONFIRMED] The status is not documented; 422 as for the API's other invalid tuples.
        if (s_end.ident == o_end.ident)
            throw unprocessable(boost::json::array{"body", "object"},
                                "an instance cannot be related to itself", "value_error");
        std::string tenant_key;
        if (tenant) tenant_key = require_tenant(*tenant).key;
        for (const auto* e : {&s_end, &o_end}) {
            if (!e->tenant) continue;
            if (tenant_key.empty())
                tenant_key = *e->tenant;
            else if (*e->tenant != tenant_key)
                throw mismatched_tenants();
        }
        if (tenant_key.empty())
            throw unprocessable(boost::json::array{"body", "tenant"},
                                "the tenant is required to create the instances the tuple names",
                                "value_error.missing");
        const auto& object_type = require_resource(rebac::type_of(o_end.ident));
        const auto subject_type = std::string(rebac::type_of(s_end.ident));
        const boost::json::value* rel = object_type.relations.if_contains(relation);
        if (!rel || !rel->is_object() || !rel->get_object().contains("resource") ||
            rel->get_object().at("resource").as_string() != subject_type)
            throw api_failure{
                422, error_details("MISMATCH_RELATION_TYPE", "The relation does not fit the tuple",
                                   "Resource '" + object_type.key + "' has no relation '" +
                                       std::string(relation) + "' whose subject is '" +
                                       subject_type + "'.")};
        auto key = tuple_key(s_end.ident, relation, o_end.ident);
        if (tuples_.find(key) || (earlier && earlier->tuples.contains(key)))
            throw duplicate("relationship tuple", key);
        return {.subject = s_end.ident,
                .relation = std::string(relation),
                .object = o_end.ident,
                .tenant = tenant_key,
                .object_type = object_type.key,
                .key = std::move(key),
                .create_subject = !s_end.tenant,
                .create_object = !o_end.tenant};
    }

    /// Adds what `plan` writes to `earlier`.
    static void plan_into(planned_writes& earlier, const tuple_plan& plan) {
        if (plan.create_subject) earlier.instances.emplace(plan.subject, plan.tenant);
        if (plan.create_object) earlier.instances.emplace(plan.object, plan.tenant);
        earlier.tuples.insert(plan.key);
    }

    /// Creates tuple (subject, relation, object), checked as by `plan_tuple`, with the instances
    /// it names that do not exist yet.
    const tuple_record& create_tuple(std::string_view subject, std::string_view relation,
                                     std::string_view object,
                                     std::optional<std::string_view> tenant) {
        return write_tuple(plan_tuple(subject, relation, object, tenant));
    }

    /// Writes a tuple that `plan_tuple` checked (against the state as it is now).
    const tuple_record& write_tuple(const tuple_plan& plan) {
        auto ensure = [&](bool create, const std::string& ident) {
            if (!create || instances_.find(ident)) return;
            insert_instance(std::string(rebac::type_of(ident)), ident.substr(ident.find(':') + 1),
                            plan.tenant, {});
        };
        ensure(plan.create_subject, plan.subject);
        ensure(plan.create_object, plan.object);
        const auto now = iso8601_now();
        tuple_record t{
            .seq = ++seq_,
            .id = uuids_.next(),
            .key = plan.key,
            .subject = plan.subject,
            .relation = plan.relation,
            .object = plan.object,
            .subject_id = instances_.find(plan.subject)->id,
            .relation_id = relation_id(require_resource(plan.object_type), plan.relation),
            .object_id = instances_.find(plan.object)->id,
            .tenant = plan.tenant,
            .tenant_id = tenants_.find(plan.tenant)->id,
            .created_at = now,
            .updated_at = now};
        put_tuple(t);
        return *tuples_.find(plan.key);
    }

    /// The key of tuple (subject, relation, object) when it exists, each instance named by
    /// `"type:key"` or its id.
    std::optional<std::string> find_tuple(std::string_view subject, std::string_view relation,
                                          std::string_view object) const {
        const auto* s_rec = instances_.find(subject);
        const auto* o_rec = instances_.find(object);
        auto key = tuple_key(s_rec ? std::string_view(s_rec->key) : subject, relation,
                             o_rec ? std::string_view(o_rec->key) : object);
        if (!tuples_.find(key)) return std::nullopt;
        return key;
    }

    /// Deletes tuple (subject, relation, object); 404 when there is none.
    void delete_tuple(std::string_view subject, std::string_view relation,
                      std::string_view object) {
        const auto* s_rec = instances_.find(subject);
        const auto* o_rec = instances_.find(object);
        const auto key = tuple_key(s_rec ? std::string_view(s_rec->key) : subject, relation,
                                   o_rec ? std::string_view(o_rec->key) : object);
        const auto* t = tuples_.find(key);
        if (!t) throw not_found("RelationshipTuple");
        rebac_.remove_tuple(t->subject, t->relation, t->object);
        tuples_.erase(key);
        if (sink_)
            sink_([s = std::string(subject), r = std::string(relation),
                   o = std::string(object)](state& st) { st.delete_tuple(s, r, o); });
    }

    std::vector<const tuple_record*> tuples_where(
        const std::function<bool(const tuple_record&)>& keep) const {
        return tuples_.where(keep);
    }

    std::size_t instance_count() const { return instances_.size(); }
    std::size_t tuple_count() const { return tuples_.size(); }

    /// `RelationshipTupleRead`.
    boost::json::object render(const tuple_record& t) const {
        return {{"subject", t.subject},
                {"relation", t.relation},
                {"object", t.object},
                {"id", t.id},
                {"tenant", t.tenant},
                {"subject_id", t.subject_id},
                {"relation_id", t.relation_id},
                {"object_id", t.object_id},
                {"tenant_id", t.tenant_id},
                {"organization_id", ids_.organization_id},
                {"project_id", ids_.project_id},
                {"environment_id", ids_.environment_id},
                {"created_at", t.created_at},
                {"updated_at", t.updated_at}};
    }

    // ----- role assignments --------------------------------------------------------------
    /// Resolves the user, role and tenant of an assignment (404 when one is missing).
    struct resolved_assignment {
        std::string user, role, tenant;
        std::optional<std::string> resource_instance;
    };

    /// With a `resource_instance` (`"type:key"` or its id), the role is a role of that resource
    /// type, or a tenant-level role, and the tenant is the instance's when it exists.
    /// [UNCONFIRMED] The API's answer to a tenant-level role on an instance is not documented;
    /// it is accepted, and grants nothing through ReBAC.
    resolved_assignment resolve(std::string_view user, std::string_view role,
                                std::optional<std::string_view> tenant,
                                const std::optional<std::string>& resource_instance) const {
        const auto& user_key = require_user(user).key;
        auto out = resolve_target(role, tenant, resource_instance);
        out.user = user_key;
        return out;
    }

    /// `resolve` without the user: the role (a resource role of the instance's type, for an
    /// assignment on an instance), the tenant (the instance's, when it exists) and the instance.
    resolved_assignment resolve_target(std::string_view role,
                                       std::optional<std::string_view> tenant,
                                       const std::optional<std::string>& resource_instance) const {
        if (!resource_instance)
            return {{},
                    require_role(role).key,
                    require_tenant(tenant.value_or(default_tenant)).key,
                    std::nullopt};
        std::string ident = *resource_instance;
        std::string tenant_key;
        if (const auto* existing = instances_.find(ident)) {
            ident = existing->key;
            tenant_key = existing->tenant;
        } else {
            tenant_key = require_tenant(tenant.value_or(default_tenant)).key;
        }
        std::string role_key(role);
        const auto type = std::string(rebac::type_of(ident));
        const auto* resource = resources_.find(type);
        const bool resource_role = resource && resource->roles && resource->roles->contains(role);
        if (!resource_role) role_key = require_role(role).key;
        return {{}, role_key, tenant_key, ident};
    }

    const assignment_record* find_assignment(const resolved_assignment& a) const {
        auto it = assignment_index_.find(index_key(a));
        return it == assignment_index_.end() ? nullptr : &assignments_.at(it->second);
    }

    /// Adds an assignment; returns nullptr when it already existed.
    const assignment_record* add_assignment(const resolved_assignment& a) {
        if (find_assignment(a)) return nullptr;
        // An assignment on an instance that does not exist creates it in the assignment's tenant
        // (https://docs.permit.io/modeling/google-drive, "Assigning roles to users on resource
        // instances").
        if (a.resource_instance && !instances_.find(*a.resource_instance) &&
            resources_.find(rebac::type_of(*a.resource_instance)))
            insert_instance(std::string(rebac::type_of(*a.resource_instance)),
                            a.resource_instance->substr(a.resource_instance->find(':') + 1),
                            a.tenant, {});
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

    /// The tenant-level (not resource-instance) assignments in a tenant, in creation order.
    std::vector<const assignment_record*> tenant_assignments(const std::string& tenant_key) const {
        std::vector<const assignment_record*> out;
        if (auto it = tenant_assignments_.find(tenant_key); it != tenant_assignments_.end())
            for (auto seq : it->second) out.push_back(&assignments_.at(seq));
        return out;
    }

    /// `RoleAssignmentDetailedRead` (https://api.permit.io/v2/redoc#tag/Role-Assignments): the
    /// role, user, tenant and resource instance as objects instead of keys; `resource_instance`
    /// only for a role on an instance. The role is the instance's resource role when it is one,
    /// with the `permissions` its `ResourceRoleRead` lists.
    boost::json::object render_detailed(const assignment_record& a) const {
        boost::json::object role;
        const boost::json::object* resource_role = nullptr;
        if (a.resource_instance)
            if (const auto* r = resources_.find(rebac::type_of(*a.resource_instance));
                r && r->roles)
                if (const auto* v = r->roles->if_contains(a.role); v && v->is_object())
                    resource_role = &v->get_object();
        if (resource_role) {
            role = {{"id", text_of(*resource_role, "id")},
                    {"key", a.role},
                    {"name", text_of(*resource_role, "name")}};
            if (const auto* p = resource_role->if_contains("permissions"); p && p->is_array())
                role["permissions"] = *p;
        } else if (const auto* r = roles_.find(a.role)) {
            role = {{"id", r->id},
                    {"key", r->key},
                    {"name", r->name},
                    {"permissions", boost::json::value_from(r->permissions)}};
        }
        const auto& u = *users_.find(a.user);
        boost::json::object user{{"id", u.id}, {"key", u.key}};
        if (u.email) user["email"] = *u.email;
        if (u.first_name) user["first_name"] = *u.first_name;
        if (u.last_name) user["last_name"] = *u.last_name;
        user["attributes"] = u.attributes;
        const auto& t = *tenants_.find(a.tenant);
        boost::json::object out{
            {"id", a.id},
            {"role", std::move(role)},
            {"user", std::move(user)},
            {"tenant",
             boost::json::object{
                 {"id", t.id}, {"key", t.key}, {"name", t.name}, {"attributes", t.attributes}}}};
        if (a.resource_instance)
            if (const auto* i = instances_.find(*a.resource_instance))
                out["resource_instance"] = boost::json::object{{"id", i->id},
                                                               {"key", i->instance_key},
                                                               {"resource", i->resource},
                                                               {"attributes", i->attributes}};
        out["organization_id"] = ids_.organization_id;
        out["project_id"] = ids_.project_id;
        out["environment_id"] = ids_.environment_id;
        out["created_at"] = a.created_at;
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
        out.role_id = role_id_of(a);
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
        boost::json::array instances, tuples;
        instances_.for_each([&](const instance_record& r) { instances.push_back(render(r)); });
        tuples_.for_each([&](const tuple_record& t) { tuples.push_back(render(t)); });
        boost::json::array condition_sets, set_rules;
        for (const auto* c : abac_.sets()) condition_sets.push_back(render(*c));
        for (const auto* r : abac_.rules()) set_rules.push_back(render(*r));
        return boost::json::object{{"condition_sets", std::move(condition_sets)},
                                   {"condition_set_rules", std::move(set_rules)},
                                   {"users", std::move(users)},
                                   {"tenants", std::move(tenants)},
                                   {"role_assignments", std::move(assignments)},
                                   {"roles", std::move(roles)},
                                   {"resources", std::move(resources)},
                                   {"resource_instances", std::move(instances)},
                                   {"relationship_tuples", std::move(tuples)}};
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

    const instance_record& insert_instance(const std::string& type, std::string key,
                                           const std::string& tenant,
                                           boost::json::object attributes) {
        const auto now = iso8601_now();
        const auto ident = rebac::instance_id(type, key);
        const auto& owner = *tenants_.find(tenant);
        instance_record r{.seq = ++seq_,
                          .id = resource_instance_id(ident),
                          .key = ident,
                          .instance_key = std::move(key),
                          .resource = type,
                          .resource_id = resources_.find(type)->id,
                          .tenant = owner.key,
                          .tenant_id = owner.id,
                          .attributes = std::move(attributes),
                          .created_at = now,
                          .updated_at = now};
        put_instance(r);
        return *instances_.find(ident);
    }

    /// Stores an instance (and its tenant for the PDP's ReBAC); the sink's replay does the same.
    void put_instance(const instance_record& r) {
        instances_.put(r);
        rebac_.put_instance(r.key, r.tenant);
        if (sink_)
            sink_([copy = r](state& s) {
                s.instances_.put(copy);
                s.rebac_.put_instance(copy.key, copy.tenant);
            });
    }

    void put_tuple(const tuple_record& t) {
        tuples_.put(t);
        rebac_.add_tuple(t.subject, t.relation, t.object);
        if (sink_)
            sink_([copy = t](state& s) {
                s.tuples_.put(copy);
                s.rebac_.add_tuple(copy.subject, copy.relation, copy.object);
            });
    }

    /// The id of an assignment's role: a role of the instance's resource type, or a tenant role.
    std::string role_id_of(const assignment_record& a) const {
        if (a.resource_instance)
            if (const auto* r = resources_.find(rebac::type_of(*a.resource_instance));
                r && r->roles)
                if (const auto* role = r->roles->if_contains(a.role); role && role->is_object())
                    if (const auto* id = role->get_object().if_contains("id");
                        id && id->is_string())
                        return std::string(id->get_string());
        const auto* role = roles_.find(a.role);
        return role ? role->id : std::string();
    }

    static api_failure mismatched_tenants() {
        return {422, error_details("MISMATCH_RESOURCE_INSTANCES_TENANTS",
                                   "The resource instances are in different tenants",
                                   "A relationship tuple joins instances of one tenant.")};
    }

    /// Stores a resource's roles for the PDP's ReBAC, and reports the put of the resource to the
    /// sink, whose replay does the same.
    void put_resource(const resource_record& r) {
        rebac_.set_roles(r.key, roles_for_graph(r));
        if (sink_)
            sink_([copy = r](state& s) {
                s.resources_.put(copy);
                s.rebac_.set_roles(copy.key, roles_for_graph(copy));
            });
    }

    /// `ResourceRead.roles` as the decisions need them: each role's actions, the roles it
    /// extends, and its derivations (`granted_to`, with `when.no_direct_roles_on_object` at the
    /// block and the rule level).
    static std::map<std::string, rebac::resource_role> roles_for_graph(const resource_record& r) {
        std::map<std::string, rebac::resource_role> out;
        if (!r.roles) return out;
        auto strings = [](const boost::json::value* v) {
            std::vector<std::string> list;
            if (v && v->is_array())
                for (const auto& item : v->get_array())
                    if (item.is_string()) list.emplace_back(item.get_string());
            return list;
        };
        auto superseded = [](const boost::json::object& o) {
            const auto* when = o.if_contains("when");
            if (!when || !when->is_object()) return false;
            const auto* flag = when->get_object().if_contains("no_direct_roles_on_object");
            return flag && flag->is_bool() && flag->get_bool();
        };
        for (const auto& [key, value] : *r.roles) {
            if (!value.is_object()) continue;
            const auto& role = value.get_object();
            rebac::resource_role out_role;
            for (auto& action : strings(role.if_contains("permissions")))
                out_role.actions.insert(std::move(action));
            out_role.extends = strings(role.if_contains("extends"));
            if (const auto* granted = role.if_contains("granted_to");
                granted && granted->is_object()) {
                out_role.superseded_by_direct_role = superseded(granted->get_object());
                if (const auto* rules = granted->get_object().if_contains("users_with_role");
                    rules && rules->is_array())
                    for (const auto& item : rules->get_array()) {
                        if (!item.is_object()) continue;
                        const auto& rule = item.get_object();
                        auto text = [&](std::string_view name) {
                            const auto* v = rule.if_contains(name);
                            return v && v->is_string() ? std::string(v->get_string())
                                                       : std::string();
                        };
                        out_role.derived_from.push_back(
                            {.role = text("role"),
                             .on_resource = text("on_resource"),
                             .relation = text("linked_by_relation"),
                             .superseded_by_direct_role = superseded(rule)});
                    }
            }
            out.emplace(std::string(key), std::move(out_role));
        }
        return out;
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
        if (rec.resource_instance)
            rebac_.assign(rec.user, rec.role, *rec.resource_instance);
        else
            tenant_assignments_[rec.tenant].insert(seq);
        return assignments_.emplace(seq, std::move(rec)).first->second;
    }

    void assign_user_roles(const std::string& user_key,
                           const std::vector<permit::user_role_create>& roles) {
        for (const auto& r : roles)
            add_assignment(resolve(user_key, r.role, r.tenant, r.resource_instance));
    }

    // ----- the parts of a resource type's record (see resource_record) -------------------------

    /// Whether `resource` names the users' resource type (`__user`, or its id).
    bool is_user_resource(std::string_view resource) const {
        return resource == user_resource ||
               (!user_resource_id_.empty() && resource == user_resource_id_);
    }

    /// The attribute definitions of `resource` (404 for an unknown resource type).
    const boost::json::object& attribute_reads(std::string_view resource) const {
        if (is_user_resource(resource)) return user_attribute_reads_;
        return require_resource(resource).attribute_reads;
    }

    /// Calls `edit(definitions, resource key, resource id)` on the attribute definitions of
    /// `resource` and reports the change: the users' definitions whole, or the resource type
    /// with `ResourceRead.attributes` derived again. Returns what `edit` returns.
    template <class Edit>
    boost::json::object edit_attributes(std::string_view resource, Edit edit) {
        if (is_user_resource(resource)) {
            if (user_resource_id_.empty()) user_resource_id_ = uuids_.next();
            auto out = edit(user_attribute_reads_, std::string(user_resource), user_resource_id_);
            if (sink_)
                sink_([reads = user_attribute_reads_, id = user_resource_id_](state& s) {
                    s.user_attribute_reads_ = reads;
                    s.user_resource_id_ = id;
                });
            return out;
        }
        auto& r = mutable_resource(resource);
        auto out = edit(r.attribute_reads, r.key, r.id);
        derive_attributes(r);
        put_resource(r);
        return out;
    }

    /// A string member of a JSON object, or "" when it is missing or not a string.
    static std::string text_of(const boost::json::object& o, std::string_view name) {
        const auto* v = o.if_contains(name);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    }

    /// The block of `blocks` with this key, or else the one with this `id`; null when none.
    static const boost::json::object* find_block(const boost::json::object& blocks,
                                                 std::string_view key_or_id) {
        if (const auto* v = blocks.if_contains(key_or_id); v && v->is_object())
            return &v->get_object();
        for (const auto& [key, v] : blocks)
            if (v.is_object())
                if (const auto* id = v.get_object().if_contains("id");
                    id && id->is_string() && id->get_string() == key_or_id)
                    return &v.get_object();
        return nullptr;
    }
    static boost::json::object* find_block(boost::json::object& blocks,
                                           std::string_view key_or_id) {
        return const_cast<boost::json::object*>(find_block(std::as_const(blocks), key_or_id));
    }

    /// The values of `blocks`, in order.
    static std::vector<boost::json::object> values_of(const boost::json::object& blocks) {
        std::vector<boost::json::object> out;
        for (const auto& [key, v] : blocks)
            if (v.is_object()) out.push_back(v.get_object());
        return out;
    }

    /// `ConditionSetType`: pydantic's 422 for a `type` that is neither `userset` nor `resourceset`.
    static void check_set_type(const boost::json::object& body) {
        validation_errors errors;
        check_enum(body, "type", {"userset", "resourceset"}, boost::json::array{"body"}, errors);
        if (!errors.empty()) throw unprocessable(errors);
    }

    /// The `name`, `description`, `conditions` and `parent_id` of a create or update body.
    void apply_condition_set_fields(abac::condition_set_record& r,
                                    const boost::json::object& in) const {
        if (const auto* v = in.if_contains("name"); v && v->is_string())
            r.name = std::string(v->get_string());
        if (const auto* v = in.if_contains("description"); v && v->is_string())
            r.description = std::string(v->get_string());
        if (const auto* v = in.if_contains("conditions"); v && v->is_object()) {
            validation_errors errors;
            for (const auto& p : abac::validate(*v)) {
                boost::json::array loc{"body", "conditions"};
                for (const auto& seg : p.loc) loc.push_back(seg);
                errors.add(std::move(loc), p.message, "value_error");
            }
            if (!errors.empty()) throw unprocessable(errors);
            r.conditions = *v;
        }
        if (const auto* v = in.if_contains("parent_id"); v && v->is_string()) {
            const auto parent = abac_.require_set(v->get_string()).key;
            abac_.check_parent(r, parent);
            r.parent = parent;
        } else if (v && v->is_null()) {
            r.parent.clear();
        }
    }

    /// One side of a set rule: a stored set of the right kind, or the autogenerated set of a
    /// role (`user_set` with `is_role`) or resource type (`resource_set` with `is_resource`),
    /// named by its key or by `__autogen_<key>`.
    std::string rule_side(const std::string& name, bool autogen, bool resourceset) const {
        const std::string_view prefix = abac::autogen_prefix;
        if (autogen || name.starts_with(prefix)) {
            const auto base = name.starts_with(prefix) ? name.substr(prefix.size()) : name;
            const auto key = resourceset ? require_resource(base).key : require_role(base).key;
            return std::string(prefix) + key;
        }
        const auto& set = abac_.require_set(name);
        if (set.resourceset != resourceset)
            throw unprocessable(
                boost::json::array{"body", resourceset ? "resource_set" : "user_set"},
                resourceset ? "'resource_set' must name a resource set"
                            : "'user_set' must name a user set",
                "value_error");
        return set.key;
    }

    /// A uuid that stays the same for `name` (the id of something the API would hold that the
    /// emulator does not, such as a relation a derivation names before it exists).
    std::string stable_id(const std::string& name) const {
        auto [it, inserted] = instance_ids_.try_emplace(name);
        if (inserted) it->second = uuids_.next();
        return it->second;
    }

    resource_record& mutable_resource(std::string_view key_or_id) {
        if (auto* r = resources_.find(key_or_id)) return *r;
        throw not_found("Resource");
    }

    /// A role of a resource type, by key or id (404 when it has none such).
    static const boost::json::object& require_resource_role(const resource_record& r,
                                                            std::string_view key_or_id) {
        if (r.roles)
            if (const auto* role = find_block(*r.roles, key_or_id)) return *role;
        throw not_found("ResourceRole");
    }
    static boost::json::object& mutable_resource_role(resource_record& r,
                                                      std::string_view key_or_id) {
        return const_cast<boost::json::object&>(require_resource_role(r, key_or_id));
    }

    /// Stores a resource's roles in the PDP's ReBAC data, without reporting a change: for the
    /// deletions that the sink replays whole.
    void refresh_graph(const resource_record& r) { rebac_.set_roles(r.key, roles_for_graph(r)); }

    /// The id of relation `key` of `object_type`.
    std::string relation_id(const resource_record& object_type, std::string_view key) const {
        if (const auto* read = object_type.relation_reads.if_contains(key);
            read && read->is_object())
            return text_of(read->get_object(), "id");
        return stable_id("relation " + object_type.key + " " + std::string(key));
    }

    /// The key and id of the subject resource type of a relation of `r`, named by key or id: `r`
    /// itself (a type may relate to itself, https://docs.permit.io/modeling/google-drive), or
    /// another that exists (404 otherwise).
    std::pair<std::string, std::string> subject_of(const resource_record& r,
                                                   std::string_view name) const {
        if (name == r.key || name == r.id) return {r.key, r.id};
        const auto& other = require_resource(name);
        return {other.key, other.id};
    }

    /// `RelationRead` (https://api.permit.io/v2/redoc#tag/Resource-Relations).
    boost::json::object relation_read(const resource_record& r, const std::string& key,
                                      const std::string& name,
                                      const boost::json::value* description,
                                      const std::pair<std::string, std::string>& subject,
                                      const std::string& now) {
        boost::json::object out{{"key", key},
                                {"name", name},
                                {"id", uuids_.next()},
                                {"organization_id", ids_.organization_id},
                                {"project_id", ids_.project_id},
                                {"environment_id", ids_.environment_id},
                                {"created_at", now},
                                {"updated_at", now},
                                {"object_resource_id", r.id},
                                {"object_resource", r.key},
                                {"subject_resource_id", subject.second},
                                {"subject_resource", subject.first}};
        if (description && description->is_string()) out["description"] = *description;
        return out;
    }

    /// `ResourceRead.relations` from the relations: relation key to `RelationBlockRead`
    /// {resource_id, resource, description} (its `relation_name` is hidden).
    static void derive_relations(resource_record& r) {
        boost::json::object blocks;
        for (const auto& [key, v] : r.relation_reads) {
            const auto& read = v.get_object();
            boost::json::object block{{"resource_id", read.at("subject_resource_id")},
                                      {"resource", read.at("subject_resource")}};
            if (const auto* d = read.if_contains("description")) block["description"] = *d;
            blocks.emplace(key, std::move(block));
        }
        r.relations = std::move(blocks);
    }

    /// `ResourceRead.attributes` from the attribute definitions: key to `AttributeBlockRead`
    /// {type, description, id, key}; absent while the type never had any.
    static void derive_attributes(resource_record& r) {
        if (r.attribute_reads.empty() && !r.attributes) return;
        boost::json::object blocks;
        for (const auto& [key, v] : r.attribute_reads)
            blocks.emplace(key, detail_only(v.get_object(), {"type", "description", "id", "key"}));
        r.attributes = std::move(blocks);
    }

    /// `ResourceRead.action_groups` from the action groups: group key to its action keys.
    static void derive_action_groups(resource_record& r) {
        boost::json::object groups;
        for (const auto& [key, v] : r.group_reads) {
            const auto* actions = v.get_object().if_contains("actions");
            groups.emplace(key, actions ? *actions : boost::json::array{});
        }
        r.action_groups = std::move(groups);
    }

    /// The members of `o` named in `names`, in that order.
    static boost::json::object detail_only(const boost::json::object& o,
                                           std::initializer_list<std::string_view> names) {
        boost::json::object out;
        for (auto name : names)
            if (const auto* v = o.if_contains(name)) out.emplace(name, *v);
        return out;
    }

    /// `ResourceAttributeRead` of attribute `key` of resource `resource_key` (id `resource_id`)
    /// from a `ResourceAttributeCreate` or an `AttributeBlockEditable` (its type and description).
    boost::json::object attribute_read(const std::string& key, const boost::json::object& in,
                                       const std::string& resource_key,
                                       const std::string& resource_id, const std::string& now) {
        boost::json::object out{{"type", in.contains("type") ? in.at("type") : nullptr}};
        if (const auto* d = in.if_contains("description"); d && d->is_string())
            out["description"] = *d;
        out["key"] = key;
        out["id"] = uuids_.next();
        out["resource_id"] = resource_id;
        out["resource_key"] = resource_key;
        out["organization_id"] = ids_.organization_id;
        out["project_id"] = ids_.project_id;
        out["environment_id"] = ids_.environment_id;
        out["created_at"] = now;
        out["updated_at"] = now;
        out["built_in"] = false;
        return out;
    }

    // The attribute definitions of a resource type from `ResourceCreate.attributes` (key to
    // `AttributeBlockEditable` {type, description}): a definition that keeps its key keeps its id
    // and creation time, as for actions.
    void set_attributes(resource_record& r, const std::optional<boost::json::object>& edited,
                        const std::string& now) {
        if (!edited) {
            r.attribute_reads.clear();
            r.attributes.reset();
            return;
        }
        boost::json::object reads;
        for (const auto& [key, block] : *edited) {
            const auto in = block.is_object() ? block.get_object() : boost::json::object{};
            auto read = attribute_read(std::string(key), in, r.key, r.id, now);
            if (const auto* old = find_block(r.attribute_reads, key); old && old->contains("id")) {
                read["id"] = old->at("id");
                read["created_at"] = old->at("created_at");
            }
            reads.emplace(key, std::move(read));
        }
        r.attribute_reads = std::move(reads);
        r.attributes.emplace();
        derive_attributes(r);
    }

    // A resource's relations from `ResourceCreate.relations` (relation key to the subject
    // resource's key or id; https://api.permit.io/v2/redoc, `ResourceCreate`): each named as its
    // key, as when a relation is made without a name. A relation that keeps its key and subject
    // keeps its id, name, description and creation time. The subject must exist, or be the resource
    // itself: 404 otherwise. [UNCONFIRMED] The API's answer to an unknown subject is not
    // documented; 404 is what it answers for every unknown object a request names.
    void set_relations(resource_record& r, const std::optional<boost::json::object>& edited,
                       const std::string& now) {
        boost::json::object reads;
        if (edited)
            for (const auto& [key, subject] : *edited) {
                if (!subject.is_string())
                    throw unprocessable(boost::json::array{"body", "relations", key},
                                        "str type expected", "type_error.str");
                const auto resolved = subject_of(r, subject.get_string());
                const auto* old = find_block(r.relation_reads, key);
                if (old && text_of(*old, "subject_resource") == resolved.first) {
                    reads.emplace(key, *old);
                    continue;
                }
                reads.emplace(key, relation_read(r, std::string(key), std::string(key), nullptr,
                                                 resolved, now));
            }
        r.relation_reads = std::move(reads);
        derive_relations(r);
    }

    /// `DerivationSettings`, `{"no_direct_roles_on_object": false}` unless `when` says true.
    static boost::json::object derivation_settings(const boost::json::value* when) {
        bool flag = false;
        if (when && when->is_object())
            if (const auto* v = when->get_object().if_contains("no_direct_roles_on_object");
                v && v->is_bool())
                flag = v->get_bool();
        return {{"no_direct_roles_on_object", flag}};
    }

    /// A derivation rule as stored (a `DerivedRoleRuleRead` without its ids, which `rule_read`
    /// adds): the related resource by key when it exists, `when` filled in.
    boost::json::object derivation_rule(const boost::json::object& in) const {
        auto on_resource = text_of(in, "on_resource");
        if (const auto* on = resources_.find(on_resource)) on_resource = on->key;
        return {{"role", text_of(in, "role")},
                {"on_resource", on_resource},
                {"linked_by_relation", text_of(in, "linked_by_relation")},
                {"when", derivation_settings(in.if_contains("when"))}};
    }

    /// Whether two stored rules derive through the same role, resource and relation (their
    /// `when` aside: a rule is named by those three, as `DELETE .../implicit_grants` names it).
    static bool same_rule(const boost::json::value& a, const boost::json::object& b) {
        if (!a.is_object()) return false;
        const auto& o = a.get_object();
        for (auto name : {"role", "on_resource", "linked_by_relation"})
            if (text_of(o, name) != text_of(b, name)) return false;
        return true;
    }

    /// A role's derivation as stored from a `DerivedRoleBlockEdit`: a `DerivedRoleBlockRead` with
    /// the block's id (kept from `old`, the stored one, if any) and its rules without their ids.
    boost::json::object derivation_block(const boost::json::value& edit,
                                         const boost::json::value* old) {
        const boost::json::object empty;
        const auto& in = edit.is_object() ? edit.get_object() : empty;
        const boost::json::value* old_id = nullptr;
        if (old && old->is_object()) old_id = old->get_object().if_contains("id");
        boost::json::array rules;
        if (const auto* list = in.if_contains("users_with_role"); list && list->is_array())
            for (const auto& rule : list->get_array())
                if (rule.is_object()) rules.push_back(derivation_rule(rule.get_object()));
        return {{"id", old_id ? *old_id : boost::json::value(uuids_.next())},
                {"when", derivation_settings(in.if_contains("when"))},
                {"users_with_role", std::move(rules)}};
    }

    /// The stored derivation of a role, made empty if it had none.
    boost::json::object& derivation_of(boost::json::object& role) {
        auto* block = role.if_contains("granted_to");
        if (!block || !block->is_object()) {
            role["granted_to"] = derivation_block(boost::json::object{}, nullptr);
            block = role.if_contains("granted_to");
        }
        auto& o = block->get_object();
        if (!o.contains("when")) o["when"] = derivation_settings(nullptr);
        if (auto* rules = o.if_contains("users_with_role"); !rules || !rules->is_array())
            o["users_with_role"] = boost::json::array{};
        return o;
    }

    /// `DerivedRoleRuleRead`: a stored rule of a role of `owner` with the ids of the role, the
    /// resource type and the relation it names (ids that stay the same for a name the emulator
    /// does not hold).
    boost::json::object rule_read(const resource_record& owner,
                                  const boost::json::object& rule) const {
        boost::json::object out = rule;
        const auto role = text_of(rule, "role");
        const auto on_resource = text_of(rule, "on_resource");
        const auto relation = text_of(rule, "linked_by_relation");
        if (!out.contains("when")) out["when"] = derivation_settings(nullptr);
        const auto* on = resources_.find(on_resource);
        const boost::json::object* on_role = nullptr;
        if (on && on->roles) on_role = find_block(*on->roles, role);
        out["role_id"] =
            on_role ? text_of(*on_role, "id") : stable_id("role " + on_resource + " " + role);
        out["resource_id"] = on ? on->id : stable_id("resource " + on_resource);
        out["relation_id"] = relation_id(owner, relation);
        return out;
    }

    /// `ResourceRoleRead` of a stored role of `owner`: its derivation's rules with their ids.
    boost::json::object render_role(const resource_record& owner,
                                    const boost::json::object& stored) const {
        boost::json::object out = stored;
        if (auto* block = out.if_contains("granted_to"); block && block->is_object())
            if (auto* rules = block->get_object().if_contains("users_with_role");
                rules && rules->is_array())
                for (auto& rule : rules->get_array())
                    if (rule.is_object()) rule = rule_read(owner, rule.get_object());
        return out;
    }

    /// The action key of a resource role's permission: an action's key, `"<resource>:<action>"`
    /// of the role's own type, or an action's id (`AddRolePermissions`: "either a resource action
    /// id, or `{resource_key}:{action_key}`", https://api.permit.io/v2/redoc). A role of a type
    /// grants only that type's actions, so another type's permission is refused:
    /// [UNCONFIRMED] with the API's `INVALID_PERMISSION_FORMAT`, as a 422.
    static std::string own_action(const resource_record& r, std::string_view permission) {
        for (const auto& [key, action] : r.actions)
            if (action.id == permission) return key;
        const auto colon = permission.find(':');
        if (colon == std::string_view::npos) return std::string(permission);
        const auto type = permission.substr(0, colon);
        if (type != r.key && type != r.id)
            throw api_failure{422,
                              error_details("INVALID_PERMISSION_FORMAT", "Invalid permission",
                                            "The permission '" + std::string(permission) +
                                                "' is not an action of resource '" + r.key +
                                                "': a resource role grants only its own resource's "
                                                "actions.")};
        return std::string(permission.substr(colon + 1));
    }

    /// A list of permissions as stored on a role of `r`: bare action keys, each once.
    static boost::json::array own_actions(const resource_record& r, const boost::json::value& in) {
        boost::json::array out;
        if (in.is_array())
            for (const auto& item : in.get_array()) {
                if (!item.is_string()) continue;
                boost::json::value action = boost::json::string(own_action(r, item.get_string()));
                if (std::find(out.begin(), out.end(), action) == out.end())
                    out.push_back(std::move(action));
            }
        return out;
    }

    /// `ResourceRoleRead` of role `key` of `r` from a `RoleBlockEditable` or a
    /// `ResourceRoleCreate`; a role that keeps its key (`old`) keeps its id and creation time.
    boost::json::object role_read(const resource_record& r, const std::string& key,
                                  const boost::json::object& block, const boost::json::object* old,
                                  const std::string& now) {
        const auto* permissions = block.if_contains("permissions");
        boost::json::object out{
            {"name", block.contains("name") ? block.at("name") : boost::json::value(key)},
            {"key", key},
            {"id", old ? old->at("id") : boost::json::value(uuids_.next())},
            {"organization_id", ids_.organization_id},
            {"project_id", ids_.project_id},
            {"environment_id", ids_.environment_id},
            {"resource_id", r.id},
            {"resource", r.key},
            {"created_at", old ? old->at("created_at") : boost::json::value(now)},
            {"updated_at", now},
            {"permissions", permissions ? own_actions(r, *permissions) : boost::json::array{}},
            {"extends", boost::json::array{}}};
        for (const auto* field : {"description", "attributes", "extends"})
            if (const auto* v = block.if_contains(field); v && !v->is_null()) out[field] = *v;
        if (const auto* g = block.if_contains("granted_to"); g && !g->is_null())
            out["granted_to"] =
                derivation_block(*g, old ? old->if_contains("granted_to") : nullptr);
        return out;
    }

    // A resource's roles from `ResourceCreate.roles` (role key to `RoleBlockEditable` {name,
    // description, permissions, attributes, extends, granted_to};
    // https://api.permit.io/v2/redoc). Permissions as `own_action` reads them, stored bare. A
    // role that keeps its key keeps its id and creation time. The derivations are not checked
    // against the relations here, unlike those of the resource role routes: a resource may be
    // created before the resources and relations its derivations name.
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
            const boost::json::object* old = nullptr;
            if (r.roles)
                if (const auto* o = r.roles->if_contains(key); o && o->is_object())
                    old = &o->get_object();
            read.emplace(key, role_read(r, std::string(key), block, old, now));
        }
        r.roles = std::move(read);
    }

    /// Checks what a resource role's body names: the roles it extends are roles of `r` (404
    /// otherwise, as for the roles a tenant-level role extends), and each rule of its derivation
    /// fits the schema (`check_rule`).
    void check_role_references(const resource_record& r, const boost::json::object& block) const {
        if (const auto* extends = block.if_contains("extends"); extends && extends->is_array())
            for (const auto& parent : extends->get_array())
                if (parent.is_string()) require_resource_role(r, parent.get_string());
        if (const auto* g = block.if_contains("granted_to"); g && g->is_object())
            if (const auto* rules = g->get_object().if_contains("users_with_role");
                rules && rules->is_array())
                for (const auto& rule : rules->get_array())
                    if (rule.is_object()) check_rule(r, rule.get_object());
    }

    /// Checks a derivation rule of a role of `r`: `linked_by_relation` is a relation of `r` whose
    /// subject is `on_resource`, and `role` is a role of `on_resource` (the rule reads "a user with
    /// `role` on the `on_resource` linked to this instance by `linked_by_relation`",
    /// https://docs.permit.io/modeling/google-drive). [UNCONFIRMED] The API's answer to a rule that
    /// does not fit is not documented: a 422 with `INVALID_INPUT`.
    void check_rule(const resource_record& r, const boost::json::object& rule) const {
        const auto role = text_of(rule, "role");
        const auto on_resource = text_of(rule, "on_resource");
        const auto relation = text_of(rule, "linked_by_relation");
        auto invalid = [](std::string message) {
            return api_failure{422, error_details("INVALID_INPUT", "The derivation does not fit",
                                                  std::move(message))};
        };
        const auto* read = r.relation_reads.if_contains(relation);
        if (!read || !read->is_object())
            throw invalid("Resource '" + r.key + "' has no relation '" + relation + "'.");
        const auto* on = resources_.find(on_resource);
        const auto subject = text_of(read->get_object(), "subject_resource");
        if (!on || on->key != subject)
            throw invalid("The relation '" + relation + "' of resource '" + r.key + "' links to '" +
                          subject + "', not to '" + on_resource + "'.");
        if (!on->roles || !find_block(*on->roles, role))
            throw invalid("Resource '" + on->key + "' has no role '" + role + "'.");
    }

    /// Removes, from the derivations of every role of `r`, the rules `drop` picks; true when it
    /// removed one.
    template <class Pred>
    static bool drop_rules(resource_record& r, Pred drop) {
        bool changed = false;
        if (!r.roles) return false;
        for (auto& [key, role] : *r.roles) {
            if (!role.is_object()) continue;
            auto* block = role.get_object().if_contains("granted_to");
            if (!block || !block->is_object()) continue;
            auto* rules = block->get_object().if_contains("users_with_role");
            if (!rules || !rules->is_array()) continue;
            auto& list = rules->get_array();
            for (auto it = list.begin(); it != list.end();) {
                if (it->is_object() && drop(it->get_object())) {
                    it = list.erase(it);
                    changed = true;
                } else {
                    ++it;
                }
            }
        }
        return changed;
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
        if (const auto* r = instances_.find(instance)) return r->id;
        auto [it, inserted] = instance_ids_.try_emplace(instance);
        if (inserted) it->second = uuids_.next();
        return it->second;
    }

    void erase_assignment(std::uint64_t seq) {
        const auto& a = assignments_.at(seq);
        assignment_index_.erase(index_key({a.user, a.role, a.tenant, a.resource_instance}));
        if (a.resource_instance) rebac_.unassign(a.user, a.role, *a.resource_instance);
        if (auto it = tenant_assignments_.find(a.tenant);
            !a.resource_instance && it != tenant_assignments_.end()) {
            it->second.erase(seq);
            if (it->second.empty()) tenant_assignments_.erase(it);
        }
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
    keyed_collection<instance_record> instances_;
    keyed_collection<tuple_record> tuples_;
    rebac::graph rebac_;  // the PDP's ReBAC data, kept with the records above
    abac::store abac_;    // condition sets and their rules
    std::map<std::uint64_t, assignment_record> assignments_;
    std::unordered_map<std::string, std::uint64_t> assignment_index_;
    std::unordered_map<std::string, std::set<std::uint64_t>> assignments_by_user_;
    // tenant -> the tenant-level (not resource-instance) assignments in it
    std::unordered_map<std::string, std::set<std::uint64_t>> tenant_assignments_;
    std::set<std::pair<std::string, std::string>>
        memberships_;  // (tenant, user) added without a role
    mutable std::unordered_map<std::string, std::string> instance_ids_;
    // The users' attribute definitions (`ResourceAttributeRead` by key) and the id of their
    // resource type, made when the first is defined.
    boost::json::object user_attribute_reads_;
    std::string user_resource_id_;
    std::function<void(change)> sink_;
};

}  // namespace permit::testing::detail
