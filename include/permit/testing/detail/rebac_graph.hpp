// The PDP's ReBAC, sans-io: resource instances with their tenants, relationship tuples, roles
// assigned on instances, the resource roles' permissions and derivations, and the decision
// "which roles has this user on this instance, and do they grant this action".
//
// The PDP computes instance roles in a closed-source OPA built-in (`permit_rebac.roles`,
// permitio/policy-library `permit/rebac.rego`); the algorithm here is the one Permit's docs and
// the official SDKs' tests against the live API agree with
// (https://docs.permit.io/modeling/google-drive, permit-python `tests/test_rebac_e2e.py`):
//
//   roles(u, O) = the roles assigned to u on O, plus each role R of O's type with a derivation
//                 rule (role r, on resource S, linked by relation l) such that some tuple
//                 (S:s, l, O) exists and r is in roles(u, S:s); a role whose derivation (or rule)
//                 says `no_direct_roles_on_object` is not derived when u has a role assigned on O.
//   allow(u, a, T:k in tenant t) = O = T:k exists in tenant t, and some role in roles(u, O)
//                 grants a on T (with the roles it extends).
//
// [UNCONFIRMED] The built-in's exact rules are not public: a cycle of tuples is cut (an instance
// whose roles are being computed has none on the way back), a request tenant other than the
// instance's denies, and a derivation names the related role itself (a role that extends it does
// not count). Each lookup is by index (tuples by object, relation and subject type; assignments by
// user and instance), and one decision computes each instance's roles at most once.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace permit::testing::detail::rebac {

/// One rule of a role derivation (`DerivedRoleRuleRead`): a user with `role` on an instance of
/// `on_resource` linked to the object by the object's relation `relation` gets the derived role.
struct derivation_rule {
    std::string role;
    std::string on_resource;
    std::string relation;
    /// The rule's `when.no_direct_roles_on_object`.
    bool superseded_by_direct_role = false;
};

/// A role defined on a resource type (`ResourceRoleRead`), as the decisions need it.
struct resource_role {
    /// The actions of its own type it grants.
    std::set<std::string> actions;
    /// Roles of the same type whose actions it grants too.
    std::vector<std::string> extends;
    /// `granted_to.users_with_role`.
    std::vector<derivation_rule> derived_from;
    /// `granted_to.when.no_direct_roles_on_object`.
    bool superseded_by_direct_role = false;
};

/// `"type:key"`.
inline std::string instance_id(std::string_view type, std::string_view key) {
    std::string out(type);
    out += ':';
    out += key;
    return out;
}

/// The type of `"type:key"`.
inline std::string_view type_of(std::string_view instance) {
    return instance.substr(0, instance.find(':'));
}

class graph {
  public:
    using role_set = std::set<std::string>;

    // ----- the schema -------------------------------------------------------------------------

    /// Replaces the roles of resource type `type`.
    void set_roles(const std::string& type, std::map<std::string, resource_role> roles) {
        types_[type] = std::move(roles);
    }
    /// Forgets the roles of `type`.
    void remove_type(const std::string& type) { types_.erase(type); }

    // ----- the facts --------------------------------------------------------------------------

    /// Adds or moves instance `"type:key"` to `tenant`.
    void put_instance(const std::string& instance, std::string tenant) {
        tenants_[instance] = std::move(tenant);
    }
    /// The tenant of an instance, or null when there is no such instance.
    const std::string* tenant_of(const std::string& instance) const {
        auto it = tenants_.find(instance);
        return it == tenants_.end() ? nullptr : &it->second;
    }
    /// Removes an instance with the tuples that name it and the roles assigned on it.
    void remove_instance(const std::string& instance) {
        tenants_.erase(instance);
        // As object: every tuple (s, l, instance).
        if (auto it = by_object_.find(instance); it != by_object_.end()) {
            for (const auto& [relation, by_type] : it->second)
                for (const auto& [subject_type, keys] : by_type)
                    for (const auto& key : keys)
                        erase_subject_link(instance_id(subject_type, key), relation, instance);
            tuple_count_ -= count_links(it->second);
            by_object_.erase(it);
        }
        // As subject: every tuple (instance, l, o).
        if (auto it = by_subject_.find(instance); it != by_subject_.end()) {
            const auto links = std::move(it->second);
            by_subject_.erase(it);
            for (const auto& [relation, object] : links)
                erase_object_link(instance, relation, object);
            tuple_count_ -= links.size();
        }
        if (auto it = assigned_on_.find(instance); it != assigned_on_.end()) {
            for (const auto& [user, roles] : it->second) {
                auto u = assignments_.find(user);
                if (u == assignments_.end()) continue;
                u->second.erase(instance);
                if (u->second.empty()) assignments_.erase(u);
            }
            assigned_on_.erase(it);
        }
    }

    /// Adds tuple (subject, relation, object); false when it was there.
    bool add_tuple(const std::string& subject, const std::string& relation,
                   const std::string& object) {
        auto& keys = by_object_[object][relation][std::string(type_of(subject))];
        const auto key = std::string(subject.substr(subject.find(':') + 1));
        if (!keys.insert(key).second) return false;
        by_subject_[subject].insert({relation, object});
        ++tuple_count_;
        return true;
    }
    /// Removes tuple (subject, relation, object); false when it was not there.
    bool remove_tuple(const std::string& subject, const std::string& relation,
                      const std::string& object) {
        auto it = by_subject_.find(subject);
        if (it == by_subject_.end() || it->second.erase({relation, object}) == 0) return false;
        if (it->second.empty()) by_subject_.erase(it);
        erase_object_link(subject, relation, object);
        --tuple_count_;
        return true;
    }
    /// Whether tuple (subject, relation, object) exists.
    bool has_tuple(const std::string& subject, const std::string& relation,
                   const std::string& object) const {
        auto it = by_subject_.find(subject);
        return it != by_subject_.end() && it->second.count({relation, object}) > 0;
    }
    /// How many tuples there are.
    std::size_t tuple_count() const { return tuple_count_; }

    /// One tuple, in `"type:key"` form.
    struct tuple_ref {
        std::string subject, relation, object;
    };
    /// The tuples that name `instance`, as subject or as object: found through the indexes, not
    /// by a scan.
    std::vector<tuple_ref> tuples_naming(const std::string& instance) const {
        std::vector<tuple_ref> out;
        if (auto it = by_object_.find(instance); it != by_object_.end())
            for (const auto& [relation, by_type] : it->second)
                for (const auto& [subject_type, keys] : by_type)
                    for (const auto& key : keys)
                        out.push_back({instance_id(subject_type, key), relation, instance});
        if (auto it = by_subject_.find(instance); it != by_subject_.end())
            for (const auto& [relation, object] : it->second)
                out.push_back({instance, relation, object});
        return out;
    }
    /// The roles assigned on `instance`, by user (empty when none).
    std::vector<std::pair<std::string, std::string>> assignments_on(
        const std::string& instance) const {
        std::vector<std::pair<std::string, std::string>> out;
        if (auto it = assigned_on_.find(instance); it != assigned_on_.end())
            for (const auto& [user, roles] : it->second)
                for (const auto& role : roles) out.emplace_back(user, role);
        return out;
    }

    /// Assigns `role` to `user` on `instance`; false when it was.
    bool assign(const std::string& user, const std::string& role, const std::string& instance) {
        if (!assignments_[user][instance].insert(role).second) return false;
        assigned_on_[instance][user].insert(role);
        return true;
    }
    /// Removes that assignment; false when there was none.
    bool unassign(const std::string& user, const std::string& role, const std::string& instance) {
        auto u = assignments_.find(user);
        if (u == assignments_.end()) return false;
        auto i = u->second.find(instance);
        if (i == u->second.end() || i->second.erase(role) == 0) return false;
        if (i->second.empty()) u->second.erase(i);
        if (u->second.empty()) assignments_.erase(u);
        auto& on = assigned_on_[instance];
        on[user].erase(role);
        if (on[user].empty()) on.erase(user);
        if (on.empty()) assigned_on_.erase(instance);
        return true;
    }
    /// Removes every role assigned to `user` on an instance.
    void remove_user(const std::string& user) {
        auto u = assignments_.find(user);
        if (u == assignments_.end()) return;
        for (const auto& [instance, roles] : u->second) {
            auto on = assigned_on_.find(instance);
            if (on == assigned_on_.end()) continue;
            on->second.erase(user);
            if (on->second.empty()) assigned_on_.erase(on);
        }
        assignments_.erase(u);
    }

    // ----- the decisions ----------------------------------------------------------------------

    /// The roles `user` has on `instance`, assigned or derived.
    role_set roles_of(const std::string& user, const std::string& instance) const {
        decision d;
        return roles(user, instance, d);
    }

    /// Whether `user` may do `action` on `type:key` in `tenant` through ReBAC. Without a key, or
    /// for an instance that does not exist or lives in another tenant, ReBAC grants nothing.
    bool allows(const std::string& user, std::string_view action, std::string_view type,
                std::string_view key, std::string_view tenant) const {
        if (key.empty()) return false;
        // A user with no role on any instance has none derived either.
        if (!assignments_.contains(user)) return false;
        const auto instance = instance_id(type, key);
        const auto* t = tenant_of(instance);
        if (!t || *t != tenant) return false;
        decision d;
        for (const auto& role : roles(user, instance, d))
            if (grants(std::string(type), role, action)) return true;
        return false;
    }

    /// Every instance on which `user` has a role, assigned or derived, with those roles: the
    /// instances reachable through tuples from those the user has roles assigned on, each
    /// decided as `roles_of` decides it.
    std::map<std::string, role_set> instances_of(const std::string& user) const {
        std::map<std::string, role_set> out;
        auto u = assignments_.find(user);
        if (u == assignments_.end()) return out;
        std::vector<std::string> to_visit;
        std::unordered_set<std::string> seen;
        for (const auto& [instance, roles] : u->second)
            if (seen.insert(instance).second) to_visit.push_back(instance);
        decision d;
        while (!to_visit.empty()) {
            const auto instance = std::move(to_visit.back());
            to_visit.pop_back();
            const auto& roles = this->roles(user, instance, d);
            if (roles.empty()) continue;
            out.emplace(instance, roles);
            if (auto links = by_subject_.find(instance); links != by_subject_.end())
                for (const auto& [relation, object] : links->second)
                    if (seen.insert(object).second) to_visit.push_back(object);
        }
        return out;
    }

    /// A role assignment on an instance: the instance (`"type:key"`) and the role.
    using assignment = std::pair<std::string, std::string>;

    /// The users who may do `action` on `type:key` in `tenant` through ReBAC (`permit_rebac.
    /// linked_users`, permitio/policy-library `permit/authorized_users.rego`), each with the role
    /// assignments at the roots of the derivations that give it a role granting the action: the
    /// assignment on the instance itself for a role assigned there, else, through each rule that
    /// derives the role, the roots of the related role on the linked instances. Nothing without
    /// a key, or for an instance that does not exist or lives in another tenant (as `allows`).
    ///
    /// The users are found from the instance backwards, by index: the roles of its type that
    /// grant the action, the roles those derive from on the instances linked to it by the rules'
    /// relations, and so on, with the holders of each (role, instance) met on the way as
    /// candidates; only the candidates are then decided, as `roles_of` decides. Users with no
    /// role on any of those instances are never looked at.
    std::map<std::string, std::set<assignment>> linked_users(std::string_view action,
                                                             std::string_view type,
                                                             std::string_view key,
                                                             std::string_view tenant) const {
        std::map<std::string, std::set<assignment>> out;
        if (key.empty()) return out;
        const auto instance = instance_id(type, key);
        const auto* t = tenant_of(instance);
        if (!t || *t != tenant) return out;
        const std::string type_key(type);
        auto roles_of_type = types_.find(type_key);
        if (roles_of_type == types_.end()) return out;
        std::vector<assignment> to_visit;
        std::set<assignment> seen;
        for (const auto& [name, role] : roles_of_type->second)
            if (grants(type_key, name, action) && seen.emplace(instance, name).second)
                to_visit.emplace_back(instance, name);
        std::set<std::string> candidates;
        while (!to_visit.empty()) {
            const auto [object, role_name] = std::move(to_visit.back());
            to_visit.pop_back();
            if (auto on = assigned_on_.find(object); on != assigned_on_.end())
                for (const auto& [user, roles] : on->second)
                    if (roles.count(role_name)) candidates.insert(user);
            const auto* role = find_role(type_of(object), role_name);
            const auto* links = find_links(object);
            if (!role || !links) continue;
            for (const auto& rule : role->derived_from) {
                auto by_relation = links->find(rule.relation);
                if (by_relation == links->end()) continue;
                auto subjects = by_relation->second.find(rule.on_resource);
                if (subjects == by_relation->second.end()) continue;
                for (const auto& subject : subjects->second) {
                    assignment next{instance_id(rule.on_resource, subject), rule.role};
                    if (seen.insert(next).second) to_visit.push_back(std::move(next));
                }
            }
        }
        for (const auto& user : candidates) {
            decision d;
            const role_set held = roles(user, instance, d);
            std::set<assignment> roots, visited;
            for (const auto& name : held)
                if (grants(type_key, name, action))
                    roots_of(user, instance, name, d, roots, visited);
            if (!roots.empty()) out.emplace(user, std::move(roots));
        }
        return out;
    }

    /// The actions `role` of `type` grants, with those of the roles it extends.
    std::set<std::string> actions_of(const std::string& type, const std::string& role) const {
        std::set<std::string> out;
        auto t = types_.find(type);
        if (t == types_.end()) return out;
        std::vector<std::string> to_visit{role};
        std::unordered_set<std::string> seen;
        while (!to_visit.empty()) {
            const auto name = std::move(to_visit.back());
            to_visit.pop_back();
            if (!seen.insert(name).second) continue;
            auto r = t->second.find(name);
            if (r == t->second.end()) continue;
            out.insert(r->second.actions.begin(), r->second.actions.end());
            to_visit.insert(to_visit.end(), r->second.extends.begin(), r->second.extends.end());
        }
        return out;
    }

    /// Whether `role` of `type`, with the roles it extends, grants `action`.
    bool grants(const std::string& type, const std::string& role, std::string_view action) const {
        auto t = types_.find(type);
        if (t == types_.end()) return false;
        std::vector<const std::string*> to_visit{&role};
        std::unordered_set<std::string> seen;
        while (!to_visit.empty()) {
            const std::string& name = *to_visit.back();
            to_visit.pop_back();
            if (!seen.insert(name).second) continue;
            auto r = t->second.find(name);
            if (r == t->second.end()) continue;
            if (r->second.actions.count(std::string(action))) return true;
            for (const auto& base : r->second.extends) to_visit.push_back(&base);
        }
        return false;
    }

  private:
    using keys = std::set<std::string>;
    // object -> relation -> subject type -> subject keys
    using object_links = std::unordered_map<std::string, std::unordered_map<std::string, keys>>;

    /// One decision's memory: the instances whose roles are known, and those being computed.
    struct decision {
        std::unordered_map<std::string, role_set> known;
        std::unordered_set<std::string> in_progress;
    };

    const role_set& roles(const std::string& user, const std::string& instance, decision& d) const {
        static const role_set none;
        if (auto it = d.known.find(instance); it != d.known.end()) return it->second;
        if (!d.in_progress.insert(instance).second) return none;  // a cycle: cut here
        role_set direct;
        if (auto u = assignments_.find(user); u != assignments_.end())
            if (auto i = u->second.find(instance); i != u->second.end()) direct = i->second;
        role_set out = direct;
        const auto type = std::string(type_of(instance));
        auto t = types_.find(type);
        const auto* links = find_links(instance);
        if (t != types_.end() && links)
            for (const auto& [name, role] : t->second) {
                if (out.count(name) || role.derived_from.empty()) continue;
                if (role.superseded_by_direct_role && !direct.empty()) continue;
                if (derives(user, role, *links, !direct.empty(), d)) out.insert(name);
            }
        d.in_progress.erase(instance);
        return d.known[instance] = std::move(out);
    }

    bool derives(const std::string& user, const resource_role& role, const object_links& links,
                 bool has_direct, decision& d) const {
        for (const auto& rule : role.derived_from) {
            if (rule.superseded_by_direct_role && has_direct) continue;
            auto by_relation = links.find(rule.relation);
            if (by_relation == links.end()) continue;
            auto subjects = by_relation->second.find(rule.on_resource);
            if (subjects == by_relation->second.end()) continue;
            for (const auto& key : subjects->second)
                if (roles(user, instance_id(rule.on_resource, key), d).count(rule.role))
                    return true;
        }
        return false;
    }

    /// The roles assigned to `user` on `instance`, or null when there are none.
    const role_set* assigned(const std::string& user, const std::string& instance) const {
        auto u = assignments_.find(user);
        if (u == assignments_.end()) return nullptr;
        auto i = u->second.find(instance);
        return i == u->second.end() ? nullptr : &i->second;
    }

    /// Role `role` of resource type `type`, or null.
    const resource_role* find_role(std::string_view type, const std::string& role) const {
        auto t = types_.find(std::string(type));
        if (t == types_.end()) return nullptr;
        auto r = t->second.find(role);
        return r == t->second.end() ? nullptr : &r->second;
    }

    /// Adds to `out` the assignments from which `user` holds `role` on `instance`, which
    /// `roles(user, instance, d)` has: the assignment itself, or the roots of the related roles
    /// through the rules that derive it, as `roles` derives it. `visited` cuts cycles.
    void roots_of(const std::string& user, const std::string& instance, const std::string& role,
                  decision& d, std::set<assignment>& out, std::set<assignment>& visited) const {
        if (!visited.emplace(instance, role).second) return;
        const auto* direct = assigned(user, instance);
        if (direct && direct->count(role)) {
            out.emplace(instance, role);
            return;
        }
        const bool has_direct = direct && !direct->empty();
        const auto* r = find_role(type_of(instance), role);
        const auto* links = find_links(instance);
        if (!r || !links || (r->superseded_by_direct_role && has_direct)) return;
        for (const auto& rule : r->derived_from) {
            if (rule.superseded_by_direct_role && has_direct) continue;
            auto by_relation = links->find(rule.relation);
            if (by_relation == links->end()) continue;
            auto subjects = by_relation->second.find(rule.on_resource);
            if (subjects == by_relation->second.end()) continue;
            for (const auto& key : subjects->second) {
                const auto subject = instance_id(rule.on_resource, key);
                if (roles(user, subject, d).count(rule.role))
                    roots_of(user, subject, rule.role, d, out, visited);
            }
        }
    }

    const object_links* find_links(const std::string& object) const {
        auto it = by_object_.find(object);
        return it == by_object_.end() ? nullptr : &it->second;
    }

    static std::size_t count_links(const object_links& links) {
        std::size_t n = 0;
        for (const auto& [relation, by_type] : links)
            for (const auto& [type, k] : by_type) n += k.size();
        return n;
    }

    void erase_object_link(const std::string& subject, const std::string& relation,
                           const std::string& object) {
        auto o = by_object_.find(object);
        if (o == by_object_.end()) return;
        auto r = o->second.find(relation);
        if (r == o->second.end()) return;
        auto t = r->second.find(std::string(type_of(subject)));
        if (t == r->second.end()) return;
        t->second.erase(std::string(subject.substr(subject.find(':') + 1)));
        if (t->second.empty()) r->second.erase(t);
        if (r->second.empty()) o->second.erase(r);
        if (o->second.empty()) by_object_.erase(o);
    }

    void erase_subject_link(const std::string& subject, const std::string& relation,
                            const std::string& object) {
        auto s = by_subject_.find(subject);
        if (s == by_subject_.end()) return;
        s->second.erase({relation, object});
        if (s->second.empty()) by_subject_.erase(s);
    }

    std::unordered_map<std::string, std::map<std::string, resource_role>> types_;
    std::unordered_map<std::string, std::string> tenants_;  // instance -> tenant
    std::unordered_map<std::string, object_links> by_object_;
    // subject -> {(relation, object)}
    std::unordered_map<std::string, std::set<std::pair<std::string, std::string>>> by_subject_;
    std::size_t tuple_count_ = 0;
    // user -> instance -> roles, and the same by instance for the cascades
    std::unordered_map<std::string, std::unordered_map<std::string, role_set>> assignments_;
    std::unordered_map<std::string, std::unordered_map<std::string, role_set>> assigned_on_;
};

}  // namespace permit::testing::detail::rebac
