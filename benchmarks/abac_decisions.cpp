// The emulator's ABAC decisions with 10,000 condition sets and 100,000 users with attributes
// loaded: the emulator's CPU time per `check` (p50, p99) allowed and denied by condition-set
// rules, on a permission that 2,000 rules name, with a request attribute that turns a denial into
// a grant, and for RBAC on the same emulator; each against the same RBAC check on an emulator with
// no condition sets, measured side by side; and the loaded emulator's memory and load time.
// Prints one JSON object per line: one per case, then one for the load.
//
//   bench-abac-decisions http|handler [--users N] [--sets S] [--rounds R] [--checks C] [--apart]
//
// http     Two emulators (`permit::testing::emulator`) in this process, each on a thread of its
//          own: the reference, with no condition sets, and the loaded one, which starts with the
//          schema and gets its users through `POST /bulk/users` (1,000 per call, two calls in
//          flight), its condition sets through `POST /condition_sets` (parents before children)
//          and its rules through `POST /set_rules`, in order. Each decision is a
//          `permit::client::check` (`POST /allowed` on 127.0.0.1), and its cost is the CPU time of
//          the emulator's thread from before the request is sent until the thread waits for the
//          next one: reading the request, routing it, deciding, writing the answer. The two
//          emulators and the client run on one CPU (with --apart, the client on another).
// handler  The same two states held by the emulator's sans-io router (`detail::router`, which the
//          emulator's thread calls for each request), the loaded one from a seed
//          (`emulator_config::initial_state`, as `permit-emulator --seed` loads one). Each
//          decision is one `router::handle` of `POST /allowed`, timed with this thread's CPU
//          clock: the decision without the HTTP layer.
//
// The data (https://docs.permit.io/api/working-with-abac/condition-sets), in tenant `default`:
//   - 100 resource types r0..r99, each with the actions read, write, delete and share, and the
//     attributes classification, size, region, labels, owner_dept and archived;
//   - the role `member`, granting r99:read;
//   - N users (--users, default 100,000, at least 10,000) u<i>, each a member in `default`, with an
//   email at
//     example.com or corp.example.com and the attributes department (10 values), plan (free,
//     pro, business, enterprise), age (18 to 67), region (6 values), level (1 to 10) and tags
//     (two of t0..t19), spread by a hash of i;
//   - S condition sets (--sets, default 10,000, a multiple of 200, at least 4,000): S/2 user sets
//     us<j> and S/200 resource sets rs<t>_<k> on each resource type, of these kinds (operators
//     of https://docs.permit.io/api/working-with-abac/operators, parameters from a hash of j or k):
//       us, j mod 4 = 0   department equals D and age greater-than A
//       us, j mod 4 = 1   plan in [P, P'] and tags array_contains T
//       us, j mod 4 = 2   email contains "@corp." and level between [L, L+4]; parent us<j-1>
//       us, j mod 4 = 3   anyOf(region equals R, region equals R') and age less-than-equals A;
//                         parent us<j-1> (so two ancestors)
//       rs, k mod 5 = 0   classification in [C, C'] and size less-than Z
//       rs, k mod 5 = 1   region equals {"ref": "user.region"} and labels array_contains L
//       rs, k mod 5 = 2   owner_dept equals D and size between [Z, Z+400]
//       rs, k mod 5 = 3   archived equals false, size greater-than-equals Z
//       rs, k mod 5 = 4   labels array_contains L; parent rs<t>_<k-1>
//   - the rules: 25 on each of the 399 permissions r<t>:<action> other than r0:read, rule m of
//     permission p = 4t + a joining user set us<(25p + m) mod S/2> and resource set
//     rs<t>_<(7m + 3a + t) mod S/200>; and 2,000 on the hot permission r0:read, rule m joining
//     us<m> and rs0_<m mod S/200>: 11,975 rules.
// The resources' attributes come with each check (`resource.attributes`), the users' from the
// emulator's store, merged with the request's (which win).
//
// The cases, 400 checks each (the permission is one of r1..r98's, drawn for each, unless said):
//   ABAC, allowed               a user in the user set of one of the permission's 25 rules (its
//                               place among them taken in turn), on a resource in that rule's
//                               resource set
//   ABAC, denied                a resource in no resource set, by the user (of 64 tried) in the
//                               most user sets of the permission's rules: every set of the side
//                               of the rules with fewer distinct sets, and the partners of those
//                               that hold
//   hot permission, allowed     as "ABAC, allowed" on r0:read, the allowing rule's place spread
//                               over the 2,000 (an earlier rule may allow first)
//   hot permission, denied      as "ABAC, denied" on r0:read (the user of 4 tried): its rules
//                               name 2,000 user sets and 50 resource sets, so the 50 are
//                               evaluated
//   request attribute, allowed  a user whose stored plan keeps them out of a rule's user set, with
//                               a request attribute `plan` that puts them in (that check without
//                               the attribute, denied, is made once per item before the rounds)
//   RBAC                        r99:read, by a user whose role `member` grants it (25 rules name
//                               r99:read; RBAC decides first)
// and on the reference, which has the same schema, the role and one user and no condition set:
//   RBAC, no condition sets     u0's r99:read: the same check as "RBAC", the reference of every
//                               ratio
// Each check's expected answer, and the number of condition sets its decision evaluates, come from
// a model of the data written here in plain C++ (`user_in`, `resource_in`, `decide`), which
// decides as the policy does and walks the rules in the order in which the emulator stores them.
//
// The cases take turns: R rounds (default 20), each running C checks (default 500) of every case,
// starting from a different case each round, so that a slow moment of a shared machine falls on
// one round of every case rather than on all of one case. Before them, every case runs C checks
// that are not counted. Every answer is checked: a check that is not answered as expected stops
// the run, so that a fast wrong answer cannot count. Ratios are a case's figure divided by the
// reference's ("RBAC, no condition sets").
//
// Memory: VmRSS of this process (/proc/self/status, after malloc_trim) before and after the
// loaded state is loaded (and, over HTTP, after its users), and the peak (VmHWM).
#include "decision_bench.hpp"

#include <permit/permit.hpp>
#include <permit/testing/detail/router.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using namespace decision_bench;

// ---- the data -------------------------------------------------------------------------------

constexpr int resource_types = 100;
constexpr int actions = 4;
const char* const action_names[actions] = {"read", "write", "delete", "share"};
constexpr int rules_per_permission = 25;
constexpr int hot_rules = 2000;
constexpr int hot_type = 0;    // r0:read, named by hot_rules rules
constexpr int rbac_type = 99;  // r99:read, granted by the role every user has
constexpr const char* tenant = "default";
constexpr const char* member_role = "member";

const char* const departments[] = {"engineering", "sales",      "marketing", "finance", "legal",
                                   "support",     "operations", "research",  "design",  "hr"};
const char* const plans[] = {"free", "pro", "business", "enterprise"};
const char* const regions[] = {"us-east",    "us-west",  "eu-west",
                               "eu-central", "ap-south", "ap-east"};
const char* const classifications[] = {"public", "internal", "confidential", "secret",
                                       "restricted"};

struct shape {
    int users = 100'000;
    int sets = 10'000;
    int user_sets() const { return sets / 2; }
    int sets_per_type() const { return sets / 2 / resource_types; }
    int rules() const { return (resource_types * actions - 1) * rules_per_permission + hot_rules; }
};

/// A hash of (i, salt), from which every attribute and parameter is drawn (splitmix64's
/// finaliser).
std::uint32_t mix(std::uint64_t i, std::uint64_t salt) {
    std::uint64_t z =
        i * 0x9E3779B97F4A7C15ull + salt * 0xBF58476D1CE4E5B9ull + 0x94D049BB133111EBull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<std::uint32_t>(z ^ (z >> 31));
}

std::string user_key(int i) {
    return numbered("u", i);
}
std::string resource_key(int t) {
    return numbered("r", t);
}
std::string user_set_key(int j) {
    return numbered("us", j);
}
std::string resource_set_key(int t, int k) {
    auto out = numbered("rs", t);
    out += '_';
    out += std::to_string(k);
    return out;
}
std::string permission(int t, int a) {
    return resource_key(t) + ":" + action_names[a];
}

/// A user's stored facts.
struct person {
    std::string email;
    std::string department, plan, region;
    int age = 0, level = 0;
    std::string tags[2];
};

person person_of(int i) {
    person p;
    p.email = user_key(i) + (mix(i, 8) % 2 ? "@corp.example.com" : "@example.com");
    p.department = departments[mix(i, 1) % 10];
    p.plan = plans[mix(i, 2) % 4];
    p.age = 18 + static_cast<int>(mix(i, 3) % 50);
    p.region = regions[mix(i, 4) % 6];
    p.level = 1 + static_cast<int>(mix(i, 5) % 10);
    const auto a = mix(i, 6) % 20;
    p.tags[0] = numbered("t", a);
    p.tags[1] = numbered("t", (a + 1 + mix(i, 7) % 19) % 20);
    return p;
}

json::object person_attributes(const person& p) {
    return {{"department", p.department},
            {"plan", p.plan},
            {"age", p.age},
            {"region", p.region},
            {"level", p.level},
            {"tags", json::array{p.tags[0], p.tags[1]}}};
}

json::object user_json(int i) {
    const auto p = person_of(i);
    return {
        {"key", user_key(i)},
        {"email", p.email},
        {"attributes", person_attributes(p)},
        {"role_assignments", json::array{json::object{{"role", member_role}, {"tenant", tenant}}}}};
}

permit::user_create user_create_of(int i) {
    const auto p = person_of(i);
    return {.key = user_key(i),
            .email = p.email,
            .attributes = person_attributes(p),
            .role_assignments = {{.role = member_role, .tenant = tenant}}};
}

/// A resource's attributes, as a check sends them.
struct thing {
    std::string classification;
    int size = 0;
    std::string region;
    std::vector<std::string> labels;
    std::string owner_dept;
    bool archived = false;
};

json::object thing_json(const thing& r) {
    json::array labels;
    for (const auto& l : r.labels) labels.emplace_back(l);
    return {{"classification", r.classification},
            {"size", r.size},
            {"region", r.region},
            {"labels", std::move(labels)},
            {"owner_dept", r.owner_dept},
            {"archived", r.archived}};
}

/// A resource in no resource set.
thing unmatched_thing() {
    return {.classification = "unlisted",
            .size = 0,
            .region = "nowhere",
            .labels = {},
            .owner_dept = "nobody",
            .archived = true};
}

// The parameters of the sets, by kind (see the header comment).
struct user_set_params {
    int kind;
    int parent;  // -1: none
    std::string s1, s2;
    int n1 = 0;
};

user_set_params user_set_of(int j) {
    user_set_params u{j % 4, -1, {}, {}, 0};
    switch (u.kind) {
        case 0:
            u.s1 = departments[mix(j, 11) % 10];
            u.n1 = 20 + static_cast<int>(mix(j, 12) % 30);
            break;
        case 1: {
            const auto p1 = mix(j, 13) % 4;
            u.s1 = plans[p1];
            u.s2 = plans[(p1 + 1 + mix(j, 14) % 3) % 4];
            u.n1 = static_cast<int>(mix(j, 15) % 20);
            break;
        }
        case 2:
            u.parent = j - 1;
            u.n1 = 1 + static_cast<int>(mix(j, 16) % 6);
            break;
        default: {
            u.parent = j - 1;
            const auto r1 = mix(j, 17) % 6;
            u.s1 = regions[r1];
            u.s2 = regions[(r1 + 1 + mix(j, 18) % 5) % 6];
            u.n1 = 25 + static_cast<int>(mix(j, 19) % 40);
            break;
        }
    }
    return u;
}

json::object leaf(std::string_view path, std::string_view op, json::value operand) {
    return {{path, json::object{{op, std::move(operand)}}}};
}

json::value user_set_conditions(const user_set_params& u) {
    switch (u.kind) {
        case 0:
            return json::object{
                {"allOf", json::array{leaf("user.department", "equals", json::string(u.s1)),
                                      leaf("user.age", "greater-than", u.n1)}}};
        case 1:
            return json::object{
                {"allOf", json::array{leaf("user.plan", "in", json::array{u.s1, u.s2}),
                                      leaf("user.tags", "array_contains",
                                           json::string(numbered("t", u.n1)))}}};
        case 2:
            return json::object{
                {"allOf", json::array{leaf("user.email", "contains", "@corp."),
                                      leaf("user.level", "between", json::array{u.n1, u.n1 + 4})}}};
        default:
            return json::object{
                {"allOf",
                 json::array{
                     json::object{
                         {"anyOf", json::array{leaf("user.region", "equals", json::string(u.s1)),
                                               leaf("user.region", "equals", json::string(u.s2))}}},
                     leaf("user.age", "less-than-equals", u.n1)}}};
    }
}

struct resource_set_params {
    int kind;
    int parent;  // -1: none; else k - 1
    std::string s1, s2;
    int n1 = 0;
};

resource_set_params resource_set_of(const shape& s, int t, int k) {
    const std::uint64_t g = std::uint64_t(t) * std::uint64_t(s.sets_per_type()) + std::uint64_t(k);
    resource_set_params r{k % 5, -1, {}, {}, 0};
    switch (r.kind) {
        case 0: {
            const auto c1 = mix(g, 21) % 5;
            r.s1 = classifications[c1];
            r.s2 = classifications[(c1 + 1 + mix(g, 22) % 4) % 5];
            r.n1 = 200 + static_cast<int>(mix(g, 23) % 800);
            break;
        }
        case 1:
            r.n1 = static_cast<int>(mix(g, 24) % 10);
            break;
        case 2:
            r.s1 = departments[mix(g, 25) % 10];
            r.n1 = static_cast<int>(mix(g, 26) % 500);
            break;
        case 3:
            r.n1 = static_cast<int>(mix(g, 27) % 500);
            break;
        default:
            r.parent = k - 1;
            r.n1 = static_cast<int>(mix(g, 28) % 10);
            break;
    }
    return r;
}

json::value resource_set_conditions(const resource_set_params& r) {
    switch (r.kind) {
        case 0:
            return json::object{{"allOf", json::array{leaf("resource.classification", "in",
                                                           json::array{r.s1, r.s2}),
                                                      leaf("resource.size", "less-than", r.n1)}}};
        case 1:
            return json::object{{"allOf", json::array{leaf("resource.region", "equals",
                                                           json::object{{"ref", "user.region"}}),
                                                      leaf("resource.labels", "array_contains",
                                                           json::string(numbered("l", r.n1)))}}};
        case 2:
            return json::object{
                {"allOf",
                 json::array{leaf("resource.owner_dept", "equals", json::string(r.s1)),
                             leaf("resource.size", "between", json::array{r.n1, r.n1 + 400})}}};
        case 3:
            return json::object{{"resource.archived", json::object{{"equals", false}}},
                                {"resource.size", json::object{{"greater-than-equals", r.n1}}}};
        default:
            return leaf("resource.labels", "array_contains", json::string(numbered("l", r.n1)));
    }
}

/// The user sets, then the resource sets; `depth` 0 for sets without a parent, 1 for those whose
/// parent has none, 2 for the rest, or -1 for all.
json::array condition_sets_json(const shape& s, int depth = -1) {
    const auto depth_of = [](int kind, bool user) {
        if (user) return kind < 2 ? 0 : kind - 1;
        return kind == 4 ? 1 : 0;
    };
    json::array out;
    for (int j = 0; j < s.user_sets(); ++j) {
        const auto u = user_set_of(j);
        if (depth >= 0 && depth_of(u.kind, true) != depth) continue;
        json::object set{{"key", user_set_key(j)},
                         {"name", "User set " + std::to_string(j)},
                         {"type", "userset"},
                         {"conditions", user_set_conditions(u)}};
        if (u.parent >= 0) set["parent_id"] = user_set_key(u.parent);
        out.push_back(std::move(set));
    }
    for (int t = 0; t < resource_types; ++t)
        for (int k = 0; k < s.sets_per_type(); ++k) {
            const auto r = resource_set_of(s, t, k);
            if (depth >= 0 && depth_of(r.kind, false) != depth) continue;
            json::object set{{"key", resource_set_key(t, k)},
                             {"name", "Resource set " + resource_set_key(t, k)},
                             {"type", "resourceset"},
                             {"resource_id", resource_key(t)},
                             {"conditions", resource_set_conditions(r)}};
            if (r.parent >= 0) set["parent_id"] = resource_set_key(t, r.parent);
            out.push_back(std::move(set));
        }
    return out;
}

/// The rules of permission (t, a), in the order they are created: (user set j, resource set k).
std::vector<std::pair<int, int>> rules_of(const shape& s, int t, int a) {
    std::vector<std::pair<int, int>> out;
    if (t == hot_type && a == 0) {
        for (int m = 0; m < hot_rules; ++m) out.emplace_back(m, m % s.sets_per_type());
        return out;
    }
    const int p = t * actions + a;
    for (int m = 0; m < rules_per_permission; ++m)
        out.emplace_back((p * rules_per_permission + m) % s.user_sets(),
                         (7 * m + 3 * a + t) % s.sets_per_type());
    return out;
}

json::array rules_json(const shape& s) {
    json::array out;
    for (int t = 0; t < resource_types; ++t)
        for (int a = 0; a < actions; ++a)
            for (const auto& [j, k] : rules_of(s, t, a))
                out.push_back(json::object{{"user_set", user_set_key(j)},
                                           {"permission", permission(t, a)},
                                           {"resource_set", resource_set_key(t, k)}});
    return out;
}

json::object resource_json(int t) {
    json::object acts;
    for (const auto* a : action_names) acts[a] = json::object{};
    json::object attributes;
    for (const auto& [name, type] :
         {std::pair{"classification", "string"}, std::pair{"size", "number"},
          std::pair{"region", "string"}, std::pair{"labels", "array"},
          std::pair{"owner_dept", "string"}, std::pair{"archived", "bool"}})
        attributes[name] = json::object{{"type", type}};
    return {{"key", resource_key(t)},
            {"name", "Resource " + std::to_string(t)},
            {"actions", std::move(acts)},
            {"attributes", std::move(attributes)}};
}

/// The schema both emulators have: the resource types and the role.
json::object schema_seed() {
    json::array resources;
    for (int t = 0; t < resource_types; ++t) resources.push_back(resource_json(t));
    return {{"resources", std::move(resources)},
            {"roles", json::array{json::object{
                          {"key", member_role},
                          {"name", "Member"},
                          {"permissions", json::array{json::string(permission(rbac_type, 0))}}}}}};
}

/// The loaded state's seed: the schema and, with `with_data`, the users, sets and rules.
json::object loaded_seed(const shape& s, bool with_data) {
    auto seed = schema_seed();
    if (!with_data) return seed;
    json::array users;
    users.reserve(static_cast<std::size_t>(s.users));
    for (int i = 0; i < s.users; ++i) users.push_back(user_json(i));
    seed["users"] = std::move(users);
    seed["condition_sets"] = condition_sets_json(s);
    seed["condition_set_rules"] = rules_json(s);
    return seed;
}

/// The reference's seed: the schema and u0, no condition set.
json::object reference_seed() {
    auto seed = schema_seed();
    seed["users"] = json::array{user_json(0)};
    return seed;
}

// ---- the model: the expected decisions ------------------------------------------------------

bool user_in(int j, const person& p) {
    const auto u = user_set_of(j);
    bool own = false;
    switch (u.kind) {
        case 0:
            own = p.department == u.s1 && p.age > u.n1;
            break;
        case 1: {
            const auto tag = numbered("t", u.n1);
            own = (p.plan == u.s1 || p.plan == u.s2) && (p.tags[0] == tag || p.tags[1] == tag);
            break;
        }
        case 2:
            own = p.email.find("@corp.") != std::string::npos && u.n1 <= p.level &&
                  p.level <= u.n1 + 4;
            break;
        default:
            own = (p.region == u.s1 || p.region == u.s2) && p.age <= u.n1;
            break;
    }
    return own && (u.parent < 0 || user_in(u.parent, p));
}

bool has_label(const thing& r, int n) {
    return std::find(r.labels.begin(), r.labels.end(), numbered("l", n)) != r.labels.end();
}

bool resource_in(const shape& s, int t, int k, const thing& r, const person& p) {
    const auto rs = resource_set_of(s, t, k);
    bool own = false;
    switch (rs.kind) {
        case 0:
            own = (r.classification == rs.s1 || r.classification == rs.s2) && r.size < rs.n1;
            break;
        case 1:
            own = r.region == p.region && has_label(r, rs.n1);
            break;
        case 2:
            own = r.owner_dept == rs.s1 && rs.n1 <= r.size && r.size <= rs.n1 + 400;
            break;
        case 3:
            own = !r.archived && r.size >= rs.n1;
            break;
        default:
            own = has_label(r, rs.n1);
            break;
    }
    return own && (rs.parent < 0 || resource_in(s, t, rs.parent, r, p));
}

struct outcome {
    bool allowed = false;
    int sets_evaluated = 0;  // distinct condition sets whose match the decision computes
    int user_sets_matched = 0;
};

/// The decision on (r<t>, action a) for a user with the facts `p` (request attributes applied)
/// on a resource with the attributes `r`: RBAC (every user is a member: r99:read), then the rules
/// as the emulator takes them: grouped by the side that names fewer distinct sets, each set of
/// that side evaluated, and for each that holds, the sets it is paired with. `sets_evaluated`
/// counts those sets (each once) as if no rule stopped the walk: exact for a denial, an upper
/// bound for a grant, where the emulator stops at the first rule that allows (in an order of its
/// hash table). `user_sets_matched` counts the distinct user sets of the rules that hold.
outcome decide(const shape& s, int t, int a, const person& p, const thing& r) {
    outcome out;
    if (t == rbac_type && a == 0) {
        out.allowed = true;
        return out;
    }
    std::map<int, std::vector<int>> by_user, by_resource;
    for (const auto& [j, k] : rules_of(s, t, a)) {
        by_user[j].push_back(k);
        by_resource[k].push_back(j);
    }
    for (const auto& [j, partners] : by_user) out.user_sets_matched += user_in(j, p);
    const bool resources_first = by_resource.size() <= by_user.size();
    std::set<int> partners_evaluated;
    for (const auto& [first, partners] : resources_first ? by_resource : by_user) {
        if (!(resources_first ? resource_in(s, t, first, r, p) : user_in(first, p))) continue;
        for (const int partner : partners) {
            partners_evaluated.insert(partner);
            if (resources_first ? user_in(partner, p) : resource_in(s, t, partner, r, p))
                out.allowed = true;
        }
    }
    out.sets_evaluated = static_cast<int>((resources_first ? by_resource : by_user).size() +
                                          partners_evaluated.size());
    return out;
}

/// Attributes for a resource in resource set rs<t>_<k> (and its parent), the rest drawn from
/// `salt`.
thing thing_in(const shape& s, int t, int k, const person& p, std::uint64_t salt) {
    thing r{.classification = classifications[mix(salt, 51) % 5],
            .size = static_cast<int>(mix(salt, 52) % 1000),
            .region = regions[mix(salt, 53) % 6],
            .labels = {numbered("l", mix(salt, 54) % 10)},
            .owner_dept = departments[mix(salt, 55) % 10],
            .archived = mix(salt, 56) % 2 == 1};
    const auto apply = [&](const resource_set_params& rs) {
        switch (rs.kind) {
            case 0:
                r.classification = rs.s1;
                r.size = static_cast<int>(mix(salt, 57) % std::uint32_t(rs.n1));
                break;
            case 1:
                r.region = p.region;
                r.labels.push_back(numbered("l", rs.n1));
                break;
            case 2:
                r.owner_dept = rs.s1;
                r.size = rs.n1 + static_cast<int>(mix(salt, 58) % 401);
                break;
            case 3:
                r.archived = false;
                r.size = rs.n1 + static_cast<int>(mix(salt, 59) % std::uint32_t(1000 - rs.n1));
                break;
            default:
                r.labels.push_back(numbered("l", rs.n1));
                break;
        }
    };
    const auto rs = resource_set_of(s, t, k);
    if (rs.parent >= 0) apply(resource_set_of(s, t, rs.parent));
    apply(rs);
    return r;
}

// ---- the cases ------------------------------------------------------------------------------

struct check_item {
    permit::check_query query;
    bool expected = true;
    int sets_evaluated = 0;
    std::string body;  // the body of POST /allowed, for the handler
    // The same check without its request attributes, denied: checked once before the rounds.
    std::optional<permit::check_query> twin;
    std::string twin_body;
};

struct check_case : decision_case<check_item> {
    int rules = 0;  // the rules naming the checked permission
};

/// The body `permit::client::check` sends for this query (the tenant is copied into the
/// resource's context, as the client does, by `query_of`).
std::string allowed_body(const permit::check_query& q) {
    return json::serialize(json::value_from(q));
}

permit::check_query query_of(int i, int t, int a, const thing* r,
                             json::object user_attributes = {}) {
    permit::check_query q{.user = {.key = user_key(i)},
                          .action = action_names[a],
                          .resource = {.type = resource_key(t), .tenant = tenant}};
    q.user.attributes = std::move(user_attributes);
    if (r) q.resource.attributes = thing_json(*r);
    q.resource.context["tenant"] = tenant;
    return q;
}

check_item item(permit::check_query q, const outcome& o) {
    check_item c{std::move(q), o.allowed, o.sets_evaluated, {}, std::nullopt, {}};
    c.body = allowed_body(c.query);
    return c;
}

constexpr int items_per_case = 400;

/// A user of the user set us<j>, the first from `start` on; throws when there is none.
int user_of_set(const shape& s, int j, int start) {
    for (int d = 0; d < s.users; ++d) {
        const int i = (start + d) % s.users;
        if (user_in(j, person_of(i))) return i;
    }
    throw std::runtime_error("no user in " + user_set_key(j));
}

/// One of r1..r98 (neither the hot permission's type nor the RBAC one) and an action.
std::pair<int, int> permission_at(int n) {
    return {1 + static_cast<int>(mix(n, 41) % 98), static_cast<int>(mix(n, 42) % actions)};
}

/// Checks allowed by rule `m` of permission (t, a).
check_item allowed_by(const shape& s, int t, int a, int m, int n) {
    const auto [j, k] = rules_of(s, t, a).at(static_cast<std::size_t>(m));
    const int i = user_of_set(s, j, static_cast<int>(mix(n, 43) % std::uint32_t(s.users)));
    const auto p = person_of(i);
    const auto r = thing_in(s, t, k, p, std::uint64_t(n) * 7 + std::uint64_t(t));
    const auto o = decide(s, t, a, p, r);
    if (!o.allowed) throw std::runtime_error("the model denies a check built to be allowed");
    return item(query_of(i, t, a, &r), o);
}

/// A check on a resource in no resource set, by the user (of `tries`) in the most user sets of
/// the permission's rules.
check_item denied_on(const shape& s, int t, int a, int n, int tries) {
    const auto r = unmatched_thing();
    int best = -1;
    outcome best_outcome;
    for (int x = 0; x < tries; ++x) {
        const int i = static_cast<int>(mix(std::uint64_t(n) * 1000 + std::uint64_t(x), 44) %
                                       std::uint32_t(s.users));
        const auto o = decide(s, t, a, person_of(i), r);
        if (o.allowed) throw std::runtime_error("the model allows a resource in no resource set");
        if (best < 0 || o.user_sets_matched > best_outcome.user_sets_matched) {
            best = i;
            best_outcome = o;
        }
    }
    return item(query_of(best, t, a, &r), best_outcome);
}

/// A user kept out of a rule's user set by their stored plan, and the request attribute `plan`
/// that puts them in; nullopt when the n-th try finds none.
std::optional<check_item> flipped(const shape& s, int n) {
    const auto [t, a] = permission_at(n);
    const auto rules = rules_of(s, t, a);
    for (int d = 0; d < rules_per_permission; ++d) {
        const auto [j, k] = rules[static_cast<std::size_t>((n + d) % rules_per_permission)];
        if (j % 4 == 0) continue;              // its chain has no plan condition
        const int plan_set = j - (j % 4 - 1);  // the set of kind 1 in its chain
        const auto wanted = user_set_of(plan_set).s1;
        const int start = static_cast<int>(mix(n, 45) % std::uint32_t(s.users));
        for (int e = 0; e < s.users; ++e) {
            const int i = (start + e) % s.users;
            auto p = person_of(i);
            const auto u = user_set_of(plan_set);
            if (p.plan == u.s1 || p.plan == u.s2) continue;  // the stored plan already fits
            const auto stored = p;
            p.plan = wanted;
            if (!user_in(j, p)) continue;
            const auto r = thing_in(s, t, k, p, std::uint64_t(n) * 11 + 5);
            const auto with = decide(s, t, a, p, r);
            const auto without = decide(s, t, a, stored, r);
            if (!with.allowed || without.allowed) continue;
            auto c = item(query_of(i, t, a, &r, json::object{{"plan", wanted}}), with);
            c.twin = query_of(i, t, a, &r);
            c.twin_body = allowed_body(*c.twin);
            return c;
        }
    }
    return std::nullopt;
}

check_case make_case(std::string name, int rules) {
    check_case c;
    c.name = std::move(name);
    c.rules = rules;
    return c;
}

std::vector<check_case> make_cases(const shape& s) {
    std::vector<check_case> cases;
    auto allowed = make_case("ABAC, allowed", rules_per_permission);
    auto denied = make_case("ABAC, denied", rules_per_permission);
    auto hot_allowed = make_case("hot permission, allowed", hot_rules);
    auto hot_denied = make_case("hot permission, denied", hot_rules);
    auto flip = make_case("request attribute, allowed", rules_per_permission);
    auto rbac = make_case("RBAC", rules_per_permission);
    constexpr int hot_step = hot_rules / items_per_case;
    for (int n = 0; n < items_per_case; ++n) {
        const auto [t, a] = permission_at(n);
        allowed.items.push_back(allowed_by(s, t, a, n % rules_per_permission, n));
        denied.items.push_back(denied_on(s, t, a, n, 64));
        hot_allowed.items.push_back(
            allowed_by(s, hot_type, 0, n * hot_step + static_cast<int>(mix(n, 46) % hot_step), n));
        hot_denied.items.push_back(denied_on(s, hot_type, 0, n, 4));
        if (auto c = flipped(s, n)) flip.items.push_back(std::move(*c));
        const int i = static_cast<int>(mix(n, 47) % std::uint32_t(s.users));
        rbac.items.push_back(item(query_of(i, rbac_type, 0, nullptr),
                                  decide(s, rbac_type, 0, person_of(i), unmatched_thing())));
    }
    if (flip.items.empty()) throw std::runtime_error("no check whose request attribute flips it");
    for (auto* c : {&allowed, &denied, &hot_allowed, &hot_denied, &flip, &rbac})
        cases.push_back(std::move(*c));
    auto reference = make_case("RBAC, no condition sets", 0);
    reference.on_reference = true;
    reference.items.push_back(item(query_of(0, rbac_type, 0, nullptr), outcome{true, 0, 0}));
    cases.push_back(std::move(reference));
    return cases;
}
constexpr std::string_view reference_case = "RBAC, no condition sets";

// ---- measuring ------------------------------------------------------------------------------

struct options {
    std::string via;
    shape data;
    int rounds = 20;
    int checks = 500;
    bool apart = false;  // http: the client on another CPU than the emulators
};

json::object case_result(const options& o, const check_case& c, const check_case& reference) {
    double sets = 0;
    for (const auto& it : c.items) sets += it.sets_evaluated;
    json::object out{{"via", o.via},
                     {"case", c.name},
                     {"users", c.on_reference ? 1 : o.data.users},
                     {"condition_sets", c.on_reference ? 0 : o.data.sets},
                     {"rules", c.rules},
                     {"sets_evaluated", sets / double(c.items.size())},
                     {"decisions", c.cpu_us.size()},
                     {"allowed", c.items.front().expected}};
    add_cpu_figures(out, c, reference);
    out["reference"] = reference_case;
    add_round_trip(out, c);
    return out;
}

struct load_result {
    double seconds = 0;         // loading the users, sets and rules
    double seed_seconds = 0;    // building the seed (handler)
    double users_seconds = 0;   // http: the users
    double sets_seconds = 0;    // http: the condition sets
    double rules_seconds = 0;   // http: the rules
    double emulator_cpu_s = 0;  // the emulator's thread while loading (http)
    double rss_before_mb = 0;   // both states, the loaded one with its schema only
    double rss_users_mb = 0;    // http: after the users
    double rss_after_mb = 0;
};

void print_results(const options& o, std::vector<check_case>& cases, const load_result& load) {
    const auto ref = std::find_if(cases.begin(), cases.end(),
                                  [](const check_case& c) { return c.name == reference_case; });
    for (const auto& c : cases) std::cout << json::serialize(case_result(o, c, *ref)) << '\n';
    json::object out{
        {"via", o.via},
        {"case", "load"},
        {"users", o.data.users},
        {"condition_sets", o.data.sets},
        {"user_sets", o.data.user_sets()},
        {"resource_sets", o.data.sets_per_type() * resource_types},
        {"rules", o.data.rules()},
        {"resource_types", resource_types},
        {"load_seconds", load.seconds},
        {"rss_before_mb", load.rss_before_mb},
        {"rss_after_mb", load.rss_after_mb},
        {"loaded_mb", load.rss_after_mb - load.rss_before_mb},
        {"peak_rss_mb", peak_rss_mb()},
    };
    if (o.via == "http") {
        out["users_seconds"] = load.users_seconds;
        out["sets_seconds"] = load.sets_seconds;
        out["rules_seconds"] = load.rules_seconds;
        out["emulator_load_cpu_seconds"] = load.emulator_cpu_s;
        out["users_mb"] = load.rss_users_mb - load.rss_before_mb;
        out["sets_and_rules_mb"] = load.rss_after_mb - load.rss_users_mb;
    }
    if (o.via == "handler") out["seed_build_seconds"] = load.seed_seconds;
    std::cout << json::serialize(out) << '\n';
}

void expect(const permit::check_query& q, bool expected, bool allowed) {
    if (allowed != expected)
        throw std::runtime_error("check(" + q.user.key + ", " + q.action + ", " + q.resource.type +
                                 " " + json::serialize(q.resource.attributes) + ", user " +
                                 json::serialize(q.user.attributes) + ") was " +
                                 (allowed ? "allowed" : "denied") + ", expected " +
                                 (expected ? "allowed" : "denied"));
}

// ---- handler: the router in this thread -----------------------------------------------------

void run_handler(const options& o) {
    using permit::testing::detail::router;
    permit::testing::emulator_config reference_config, loaded_config;
    reference_config.initial_state = reference_seed();
    router reference(reference_config);
    reference_config.initial_state = nullptr;  // read by the constructor only

    auto cases = make_cases(o.data);
    load_result load;
    load.rss_before_mb = rss_mb();
    const auto seed_started = steady::now();
    loaded_config.initial_state = loaded_seed(o.data, true);
    load.seed_seconds = std::chrono::duration<double>(steady::now() - seed_started).count();
    const auto started = steady::now();
    router loaded(loaded_config);
    load.seconds = std::chrono::duration<double>(steady::now() - started).count();
    loaded_config.initial_state = nullptr;
    if (loaded.data().user_count() != std::size_t(o.data.users) ||
        loaded.data().abac().set_count() != std::size_t(o.data.sets) ||
        loaded.data().abac().rule_count() != std::size_t(o.data.rules()))
        throw std::runtime_error("the seed did not load every user, condition set and rule");
    load.rss_after_mb = rss_mb();

    const std::string authorization = std::string("Bearer ") + api_key;
    const auto target = permit::testing::detail::parse_target("/allowed");
    auto decide_body = [&](router& r, const std::string& body) {
        auto reply = r.handle("POST", *target, std::string_view(authorization), body);
        if (reply.status != 200)
            throw std::runtime_error("/allowed answered " + std::to_string(reply.status) + ": " +
                                     json::serialize(reply.body));
        return allowed_in(reply.body);
    };
    for (const auto& c : cases)
        for (const auto& it : c.items)
            if (it.twin) expect(*it.twin, false, decide_body(loaded, it.twin_body));
    const clockid_t self = CLOCK_THREAD_CPUTIME_ID;
    run_rounds(cases, o.rounds, o.checks, [&](check_case& c, const check_item& it, bool counted) {
        router& r = c.on_reference ? reference : loaded;
        const double before = clock_us(self);
        auto reply = r.handle("POST", *target, std::string_view(authorization), it.body);
        const double after = clock_us(self);
        if (reply.status != 200)
            throw std::runtime_error("/allowed answered " + std::to_string(reply.status) + ": " +
                                     json::serialize(reply.body));
        expect(it.query, it.expected, allowed_in(reply.body));
        if (counted) c.cpu_us.push_back(after - before);
    });
    print_results(o, cases, load);
}

// ---- http: two emulators, each on its own thread --------------------------------------------

struct http_run {
    const options& o;
    served& reference;
    served& loaded;
    permit::client& to_reference;
    permit::client& to_loaded;
    std::vector<check_case> cases;
    load_result load;
    int next_user = 0;
    std::size_t next_request = 0;
    std::string error;
};

constexpr int users_per_call = 1000;

asio::awaitable<void> users_worker(http_run& run) {
    while (run.error.empty() && run.next_user < run.o.data.users) {
        std::vector<permit::user_create> batch;
        const int first = run.next_user;
        run.next_user = std::min(first + users_per_call, run.o.data.users);
        for (int i = first; i < run.next_user; ++i) batch.push_back(user_create_of(i));
        permit::diagnostics diag;
        auto [ec] = co_await run.to_loaded.users.bulk_create(std::move(batch), diag,
                                                             asio::as_tuple(asio::use_awaitable));
        if (ec && run.error.empty()) run.error = "users.bulk_create: " + diag.to_string();
    }
}

// The raw requests, built outside the coroutines (g++ 12 mishandles some braced initialisers in
// a coroutine's body).
permit::raw_request post_request(const std::string& target, const json::value& body) {
    return {.method = permit::http_method::post, .target = target, .body = body};
}
permit::raw_request rules_page_request(int page) {
    return {.target =
                "/v2/facts/{proj_id}/{env_id}/set_rules?per_page=100&page=" + std::to_string(page)};
}
permit::raw_request sets_count_request() {
    return {.target =
                "/v2/schema/{proj_id}/{env_id}/condition_sets?per_page=1&include_total_count=true"};
}

/// POSTs each of `bodies` to `target`, taking the next one until none is left.
asio::awaitable<void> post_worker(http_run& run, const std::string& target,
                                  const json::array& bodies) {
    while (run.error.empty() && run.next_request < bodies.size()) {
        auto req = post_request(target, bodies[run.next_request++]);
        permit::diagnostics diag;
        auto [ec, reply] = co_await run.to_loaded.request(std::move(req), diag,
                                                          asio::as_tuple(asio::use_awaitable));
        if (ec && run.error.empty()) run.error = "POST " + target + ": " + diag.to_string();
    }
}

/// How many rules the emulator lists (`GET /set_rules` has no total count: page by page).
asio::awaitable<std::int64_t> count_rules(permit::client& permit) {
    std::int64_t total = 0;
    for (int page = 1;; ++page) {
        const auto r = co_await permit.request(rules_page_request(page));
        const auto n = static_cast<std::int64_t>(r.body.as_array().size());
        total += n;
        if (n < 100) co_return total;
    }
}

asio::awaitable<std::int64_t> count_sets(permit::client& permit) {
    const auto r = co_await permit.request(sets_count_request());
    co_return r.body.at("total_count").to_number<std::int64_t>();
}

asio::awaitable<void> http_main(http_run& run) {
    using namespace asio::experimental::awaitable_operators;
    const auto seconds_since = [](steady::time_point t) {
        return std::chrono::duration<double>(steady::now() - t).count();
    };
    try {
        // Loading: the users, two bulk calls in flight, so that the next batch is built while
        // the emulator stores one; the condition sets, two calls in flight, parents before their
        // children; the rules one at a time, in the order of `rules_of`.
        const double cpu_before = clock_us(run.loaded.clock) / 1e6;
        const auto started = steady::now();
        co_await (users_worker(run) && users_worker(run));
        if (!run.error.empty()) throw std::runtime_error(run.error);
        run.load.users_seconds = seconds_since(started);
        run.load.rss_users_mb = rss_mb();
        const auto sets_started = steady::now();
        for (int depth = 0; depth <= 2; ++depth) {
            const auto bodies = condition_sets_json(run.o.data, depth);
            const std::string target = "/v2/schema/{proj_id}/{env_id}/condition_sets";
            run.next_request = 0;
            co_await (post_worker(run, target, bodies) && post_worker(run, target, bodies));
            if (!run.error.empty()) throw std::runtime_error(run.error);
        }
        run.load.sets_seconds = seconds_since(sets_started);
        const auto rules_started = steady::now();
        {
            const auto bodies = rules_json(run.o.data);
            run.next_request = 0;
            co_await post_worker(run, "/v2/facts/{proj_id}/{env_id}/set_rules", bodies);
            if (!run.error.empty()) throw std::runtime_error(run.error);
        }
        run.load.rules_seconds = seconds_since(rules_started);
        run.load.seconds = seconds_since(started);
        run.load.emulator_cpu_s = clock_us(run.loaded.clock) / 1e6 - cpu_before;
        const auto users = co_await count_of(run.to_loaded, "users");
        const auto sets = co_await count_sets(run.to_loaded);
        const auto rules = co_await count_rules(run.to_loaded);
        if (users != run.o.data.users || sets != run.o.data.sets || rules != run.o.data.rules())
            throw std::runtime_error("the emulator holds " + std::to_string(users) + " users, " +
                                     std::to_string(sets) + " condition sets and " +
                                     std::to_string(rules) + " rules");
        run.load.rss_after_mb = rss_mb();

        pin_for_decisions(run.reference, run.loaded, run.o.apart);

        // Deciding, one check at a time.
        auto ask = [&](permit::client& permit,
                       const permit::check_query& q) -> asio::awaitable<bool> {
            permit::diagnostics diag;
            auto [ec, allowed] =
                co_await permit.check(q, diag, asio::as_tuple(asio::use_awaitable));
            if (ec) throw std::runtime_error("check: " + diag.to_string());
            co_return allowed;
        };
        for (const auto& c : run.cases)
            for (const auto& it : c.items)
                if (it.twin) expect(*it.twin, false, co_await ask(run.to_loaded, *it.twin));
        auto one = [&](check_case& c, const check_item& it, bool counted) -> asio::awaitable<void> {
            const served& s = c.on_reference ? run.reference : run.loaded;
            permit::client& permit = c.on_reference ? run.to_reference : run.to_loaded;
            const auto answer = co_await timed_decision(s, [&]() { return ask(permit, it.query); });
            expect(it.query, it.expected, answer.allowed);
            if (counted) {
                c.cpu_us.push_back(answer.cpu_us);
                c.round_us.push_back(answer.round_us);
            }
        };
        co_await run_rounds_async(run.cases, run.o.rounds, run.o.checks, one);
    } catch (const std::exception& e) {
        run.error = e.what();
    }
}

void run_http(const options& o) {
    auto cases = make_cases(o.data);
    auto reference = start(reference_seed());
    auto loaded = start(loaded_seed(o.data, false));
    asio::io_context ioc(1);
    permit::client to_reference(ioc.get_executor(), client_config(reference));
    permit::client to_loaded(ioc.get_executor(), client_config(loaded));
    http_run run{o, reference, loaded, to_reference, to_loaded, std::move(cases)};
    run.load.rss_before_mb = rss_mb();
    asio::co_spawn(ioc, http_main(run), asio::detached);
    ioc.run();
    if (!run.error.empty()) throw std::runtime_error(run.error);
    print_results(o, run.cases, run.load);
}

}  // namespace

int main(int argc, char** argv) {
    const auto usage = [] {
        std::cerr << "usage: bench-abac-decisions http|handler [--users N] [--sets S] "
                     "[--rounds R] [--checks C] [--apart]\n";
        return 2;
    };
    if (argc < 2) return usage();
    options o{.via = argv[1]};
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--apart") {
            o.apart = true;
            continue;
        }
        if (i + 1 >= argc) return usage();
        const long long value = std::atoll(argv[++i]);
        if (arg == "--users")
            o.data.users = static_cast<int>(value);
        else if (arg == "--sets")
            o.data.sets = static_cast<int>(value);
        else if (arg == "--rounds")
            o.rounds = static_cast<int>(value);
        else if (arg == "--checks")
            o.checks = static_cast<int>(value);
        else
            return usage();
    }
    // The hot permission needs 2,000 user sets, and every kind of resource set on every type.
    if ((o.via != "http" && o.via != "handler") || o.rounds < 1 || o.checks < 1 ||
        o.data.users < 10000 || o.data.sets < 2 * hot_rules || o.data.sets % 200 != 0)
        return usage();
    try {
        if (o.via == "http")
            run_http(o);
        else
            run_handler(o);
    } catch (const std::exception& e) {
        std::cerr << "bench-abac-decisions: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
