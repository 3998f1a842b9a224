// The emulator's ReBAC decisions with 1,000,000 relationship tuples loaded: the emulator's CPU
// time per `check` (p50, p99) through three derivation hops, allowed and denied, through one
// hundred, and on an instance where the user has a role of its own; each against the same check
// on an emulator with no tuples, measured side by side; and the loaded emulator's memory and load
// time. Prints one JSON object per line: one per case, then one for the load.
//
//   bench-rebac-decisions http|handler [--tuples N] [--rounds R] [--checks C] [--apart]
//
// http     Two emulators (`permit::testing::emulator`) in this process, each on a thread of its
//          own: the reference, with no tuples, and the loaded one, whose tuples are created
//          through `POST /relationship_tuples/bulk`, 1,000 per call. Each decision is a
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
// The data, a Google-Drive-like model (https://docs.permit.io/modeling/google-drive): resources
// `folder` and `document`, each with a relation `parent` whose subject is a folder, and the roles
// viewer, editor and owner on both, each derived from the same role on the parent folder
// (`granted_to.users_with_role: [{role, on_resource: folder, linked_by_relation: parent}]`). The
// N tuples (--tuples, default 1,000,000, at least 1,990) are 990 folder tuples and N - 990
// document tuples, all in tenant `default`:
//   - 1,000 folders in 10 trees of 100; each tree is a chain 100 levels deep: folder f<100t+k>
//     (level k+1 of tree t) has parent f<100t+k-1>, 10 x 99 = 990 tuples;
//   - N - 990 documents (999,010 of them for 1,000,000 tuples): document d<i> has parent folder
//     f<i mod 1000>, so each folder, at every level, holds 999 or 1,000 documents;
//   - 3,000 users: user u<i> has role viewer, editor or owner ((i / 10) mod 3) on the top-level
//     folder of tree (i mod 10), f<100 (i mod 10)>. Every role grants `read`.
// Each instance is created by the first tuple that names it, except the top-level folders, which
// the seed creates with the role assignments.
//
// The cases, each asking whether a user may `read`:
//   3 hops, allowed   a document of a level-3 folder, by a user with a role on its tree's
//                     top-level folder: document <- folder <- folder <- folder (the user's role);
//                     10 x ~1,000 documents and 300 users per tree, taken in turn
//   3 hops, denied    the same documents, by a user whose role is on another tree
//   100 hops, allowed a document of a level-100 folder, by a user with a role on its tree
//   own role          a top-level folder, by a user with a role on it (no derivation)
// and on the reference, which has the same schema and no tuple:
//   own role, no tuples   folder:ref, by a user with the viewer role on it: the same check as
//                         "own role", and the reference of every ratio
//   RBAC, no tuples       a `document` (no key), by a user with a tenant role granting
//                         `document:read`
// The cases take turns: R rounds (default 20), each running C checks (default 500) of every case,
// starting from a different case each round, so that a slow moment of a shared machine falls on
// one round of every case rather than on all of one case. Before them, every case runs C checks
// that are not counted. Every answer is checked: a check that is not answered as expected stops
// the run, so that a fast wrong answer cannot count. Ratios are a case's figure divided by the
// reference's ("own role, no tuples").
//
// Memory: VmRSS of this process (/proc/self/status, after malloc_trim) before and after the
// loaded state is loaded, the difference per tuple, and the peak (VmHWM).
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
#include <initializer_list>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace decision_bench;

// ---- the data -------------------------------------------------------------------------------

constexpr int trees = 10;
constexpr int folders_per_tree = 100;  // one chain: levels 1 to 100
constexpr int folders = trees * folders_per_tree;
constexpr int folder_tuples = trees * (folders_per_tree - 1);
constexpr int users = 3000;
constexpr const char* tenant = "default";
const char* const role_names[] = {"viewer", "editor", "owner"};

struct shape {
    std::int64_t tuples = 1'000'000;
    std::int64_t documents() const { return tuples - folder_tuples; }
};

std::string folder_key(int g) {
    return numbered("f", g);
}
std::string document_key(std::int64_t i) {
    return numbered("d", i);
}
std::string user_key(int i) {
    return numbered("u", i);
}
int root_of_tree(int t) {
    return t * folders_per_tree;
}

/// The i-th tuple: the folder tuples first, then the documents.
permit::relationship_tuple_create tuple_at(std::int64_t i) {
    if (i < folder_tuples) {
        const int t = static_cast<int>(i) / (folders_per_tree - 1);
        const int k = static_cast<int>(i) % (folders_per_tree - 1) + 1;  // level k+1, k >= 1
        const int g = root_of_tree(t) + k;
        return {.subject = "folder:" + folder_key(g - 1),
                .relation = "parent",
                .object = "folder:" + folder_key(g),
                .tenant = tenant};
    }
    const auto d = i - folder_tuples;
    return {.subject = "folder:" + folder_key(static_cast<int>(d % folders)),
            .relation = "parent",
            .object = "document:" + document_key(d),
            .tenant = tenant};
}

json::object tuple_json(std::int64_t i) {
    const auto t = tuple_at(i);
    return {
        {"subject", t.subject}, {"relation", t.relation}, {"object", t.object}, {"tenant", tenant}};
}

/// A role granting `permissions`, derived from the same role on the parent folder.
json::object derived_role(std::string_view name, std::string_view display,
                          std::initializer_list<std::string_view> permissions) {
    json::array perms;
    for (const auto p : permissions) perms.emplace_back(p);
    return {{"name", display},
            {"permissions", std::move(perms)},
            {"granted_to",
             {{"users_with_role", json::array{json::object{{"role", name},
                                                           {"on_resource", "folder"},
                                                           {"linked_by_relation", "parent"}}}}}}};
}

json::object drive_resource(std::string_view key, std::string_view name,
                            std::initializer_list<std::string_view> actions) {
    json::object acts;
    for (const auto a : actions) acts[a] = json::object{};
    return {{"key", key},
            {"name", name},
            {"actions", std::move(acts)},
            {"relations", {{"parent", "folder"}}},
            {"roles",
             {{"viewer", derived_role("viewer", "Viewer", {"read"})},
              {"editor", derived_role("editor", "Editor", {"read", "update"})},
              {"owner", derived_role("owner", "Owner", {"read", "update", "delete", "share"})}}}};
}

json::array drive_resources() {
    return {drive_resource("folder", "Folder", {"read", "update", "delete", "share"}),
            drive_resource("document", "Document", {"read", "update", "delete", "share"})};
}

json::object instance_json(std::string_view resource, std::string_view key) {
    return {{"key", key}, {"resource", resource}, {"tenant", tenant}};
}

/// The loaded state's seed: the schema, the users, the top-level folders with the users' roles
/// on them and, with `with_tuples`, every tuple.
json::object loaded_seed(const shape& s, bool with_tuples) {
    json::array user_list, instances, assignments;
    for (int t = 0; t < trees; ++t)
        instances.push_back(instance_json("folder", folder_key(root_of_tree(t))));
    for (int i = 0; i < users; ++i) {
        user_list.push_back(json::object{{"key", user_key(i)}});
        assignments.push_back(
            json::object{{"user", user_key(i)},
                         {"role", role_names[(i / trees) % 3]},
                         {"resource_instance", "folder:" + folder_key(root_of_tree(i % trees))},
                         {"tenant", tenant}});
    }
    json::object seed{{"resources", drive_resources()},
                      {"users", std::move(user_list)},
                      {"resource_instances", std::move(instances)},
                      {"role_assignments", std::move(assignments)}};
    if (with_tuples) {
        json::array list;
        list.reserve(static_cast<std::size_t>(s.tuples));
        for (std::int64_t i = 0; i < s.tuples; ++i) list.push_back(tuple_json(i));
        seed["relationship_tuples"] = std::move(list);
    }
    return seed;
}

/// The reference's seed: the same schema, no tuples; `own-user` has the viewer role on
/// folder:ref, `rbac-user` a tenant role granting `document:read`.
json::object reference_seed() {
    return {
        {"resources", drive_resources()},
        {"roles", json::array{json::object{{"key", "reader"},
                                           {"name", "Reader"},
                                           {"permissions", json::array{"document:read"}}}}},
        {"users",
         json::array{json::object{{"key", "own-user"}}, json::object{{"key", "rbac-user"}}}},
        {"resource_instances", json::array{instance_json("folder", "ref")}},
        {"role_assignments",
         json::array{json::object{{"user", "own-user"},
                                  {"role", "viewer"},
                                  {"resource_instance", "folder:ref"},
                                  {"tenant", tenant}},
                     json::object{{"user", "rbac-user"}, {"role", "reader"}, {"tenant", tenant}}}}};
}

// ---- the cases ------------------------------------------------------------------------------

struct check_item {
    std::string user;
    std::string type;
    std::optional<std::string> key;
    bool expected = true;
    std::string body;  // the body of POST /allowed, for the handler
};

using check_case = decision_case<check_item>;

permit::check_resource resource_of(const check_item& c) {
    return {.type = c.type, .key = c.key, .tenant = tenant};
}

/// The body `permit::client::check` sends for this check (with the tenant copied into the
/// resource's context, as the client does).
std::string allowed_body(const check_item& c) {
    permit::check_query q{.user = {.key = c.user}, .action = "read", .resource = resource_of(c)};
    q.resource.context["tenant"] = tenant;
    return json::serialize(json::value_from(q));
}

check_item item(std::string user, std::string type, std::optional<std::string> key, bool expected) {
    check_item c{std::move(user), std::move(type), std::move(key), expected, {}};
    c.body = allowed_body(c);
    return c;
}

/// A user of tree `t`, the n-th of the 300.
int user_of_tree(int t, std::int64_t n) {
    return t + trees * static_cast<int>(n % (users / trees));
}

/// Checks on the documents of the level-`level` folders, one tree after the other; by a user of
/// the document's tree (allowed), or of the next tree (denied).
std::vector<check_item> document_checks(const shape& s, int level, bool allowed) {
    std::vector<check_item> out;
    for (std::int64_t j = 0;; ++j) {
        bool any = false;
        for (int t = 0; t < trees; ++t) {
            const int g = root_of_tree(t) + level - 1;
            const std::int64_t d = g + std::int64_t(folders) * j;
            if (d >= s.documents()) continue;
            any = true;
            const int user_tree = allowed ? t : (t + 1) % trees;
            out.push_back(
                item(user_key(user_of_tree(user_tree, j)), "document", document_key(d), allowed));
        }
        if (!any) break;
    }
    return out;
}

std::vector<check_case> make_cases(const shape& s) {
    std::vector<check_case> cases;
    cases.push_back({"3 hops, allowed", false, document_checks(s, 3, true)});
    cases.push_back({"3 hops, denied", false, document_checks(s, 3, false)});
    cases.push_back({"100 hops, allowed", false, document_checks(s, folders_per_tree, true)});
    check_case own{"own role", false, {}};
    for (int i = 0; i < users; ++i)
        own.items.push_back(item(user_key(i), "folder", folder_key(root_of_tree(i % trees)), true));
    cases.push_back(std::move(own));
    cases.push_back({"own role, no tuples", true, {item("own-user", "folder", "ref", true)}});
    cases.push_back({"RBAC, no tuples", true, {item("rbac-user", "document", std::nullopt, true)}});
    return cases;
}
constexpr std::string_view reference_case = "own role, no tuples";

// ---- measuring ------------------------------------------------------------------------------

struct options {
    std::string via;
    shape data;
    int rounds = 20;
    int checks = 500;
    bool apart = false;  // http: the client on another CPU than the emulators
};

json::object case_result(const options& o, const check_case& c, const check_case& reference) {
    json::object out{{"via", o.via},
                     {"case", c.name},
                     {"tuples", c.on_reference ? 0 : o.data.tuples},
                     {"decisions", c.cpu_us.size()},
                     {"allowed", c.items.front().expected}};
    add_cpu_figures(out, c, reference);
    out["reference"] = reference_case;
    add_round_trip(out, c);
    return out;
}

struct load_result {
    double seconds = 0;         // loading the tuples
    double seed_seconds = 0;    // building the seed (handler)
    double emulator_cpu_s = 0;  // the emulator's thread while loading (http)
    double rss_before_mb = 0;   // both states, the loaded one without its tuples
    double rss_after_mb = 0;
};

void print_results(const options& o, std::vector<check_case>& cases, const load_result& load) {
    const auto ref = std::find_if(cases.begin(), cases.end(),
                                  [](const check_case& c) { return c.name == reference_case; });
    for (const auto& c : cases) std::cout << json::serialize(case_result(o, c, *ref)) << '\n';
    json::object out{
        {"via", o.via},
        {"case", "load"},
        {"tuples", o.data.tuples},
        {"folders", folders},
        {"documents", o.data.documents()},
        {"users", users},
        {"load_seconds", load.seconds},
        {"tuples_per_second", double(o.data.tuples) / load.seconds},
        {"rss_before_mb", load.rss_before_mb},
        {"rss_after_mb", load.rss_after_mb},
        {"bytes_per_tuple",
         (load.rss_after_mb - load.rss_before_mb) * 1024 * 1024 / double(o.data.tuples)},
        {"peak_rss_mb", peak_rss_mb()},
    };
    if (o.via == "http") out["emulator_load_cpu_seconds"] = load.emulator_cpu_s;
    if (o.via == "handler") out["seed_build_seconds"] = load.seed_seconds;
    std::cout << json::serialize(out) << '\n';
}

void expect(const check_item& it, bool allowed) {
    if (allowed != it.expected)
        throw std::runtime_error("check(" + it.user + ", read, " + it.type + ":" +
                                 it.key.value_or("") + ") was " + (allowed ? "allowed" : "denied") +
                                 ", expected " + (it.expected ? "allowed" : "denied"));
}

// ---- handler: the router in this thread -----------------------------------------------------

void run_handler(const options& o) {
    using permit::testing::detail::router;
    permit::testing::emulator_config reference_config, loaded_config;
    reference_config.initial_state = reference_seed();
    router reference(reference_config);
    reference_config.initial_state = nullptr;  // read by the constructor only

    load_result load;
    load.rss_before_mb = rss_mb();
    const auto seed_started = steady::now();
    loaded_config.initial_state = loaded_seed(o.data, true);
    load.seed_seconds = std::chrono::duration<double>(steady::now() - seed_started).count();
    const auto started = steady::now();
    router loaded(loaded_config);
    load.seconds = std::chrono::duration<double>(steady::now() - started).count();
    loaded_config.initial_state = nullptr;
    if (loaded.data().tuple_count() != std::size_t(o.data.tuples) ||
        loaded.data().instance_count() != std::size_t(folders + o.data.documents()))
        throw std::runtime_error("the seed did not load every tuple and instance");
    load.rss_after_mb = rss_mb();

    const std::string authorization = std::string("Bearer ") + api_key;
    auto cases = make_cases(o.data);
    const clockid_t self = CLOCK_THREAD_CPUTIME_ID;
    run_rounds(cases, o.rounds, o.checks, [&](check_case& c, const check_item& it, bool counted) {
        router& r = c.on_reference ? reference : loaded;
        const double before = clock_us(self);
        const auto target = permit::testing::detail::parse_target("/allowed");
        auto reply = r.handle("POST", *target, std::string_view(authorization), it.body);
        const double after = clock_us(self);
        if (reply.status != 200)
            throw std::runtime_error("/allowed answered " + std::to_string(reply.status) + ": " +
                                     json::serialize(reply.body));
        expect(it, allowed_in(reply.body));
        if (counted) c.cpu_us.push_back(after - before);
    });
    print_results(o, cases, load);
}

// ---- http: two emulators, each on its own thread --------------------------------------------

std::vector<permit::relationship_tuple_create> batch_at(const shape& s, std::int64_t first) {
    std::vector<permit::relationship_tuple_create> out;
    for (auto i = first; i < std::min(first + 1000, s.tuples); ++i) out.push_back(tuple_at(i));
    return out;
}

struct http_run {
    const options& o;
    served& reference;
    served& loaded;
    permit::client& to_reference;
    permit::client& to_loaded;
    std::vector<check_case> cases;
    load_result load;
    std::int64_t next_batch = 0;
    std::string error;
};

asio::awaitable<void> load_worker(http_run& run) {
    while (run.error.empty() && run.next_batch < run.o.data.tuples) {
        auto batch = batch_at(run.o.data, run.next_batch);
        run.next_batch += 1000;
        permit::diagnostics diag;
        auto [ec] = co_await run.to_loaded.relationship_tuples.bulk_create(
            std::move(batch), diag, asio::as_tuple(asio::use_awaitable));
        if (ec && run.error.empty()) run.error = "bulk_create: " + diag.to_string();
    }
}

asio::awaitable<void> http_main(http_run& run) {
    using namespace asio::experimental::awaitable_operators;
    try {
        // Loading: two bulk calls in flight, so that the next batch is built while the emulator
        // stores one.
        const double cpu_before = clock_us(run.loaded.clock) / 1e6;
        const auto started = steady::now();
        co_await (load_worker(run) && load_worker(run));
        if (!run.error.empty()) throw std::runtime_error(run.error);
        run.load.seconds = std::chrono::duration<double>(steady::now() - started).count();
        run.load.emulator_cpu_s = clock_us(run.loaded.clock) / 1e6 - cpu_before;
        const auto tuples = co_await count_of(run.to_loaded, "relationship_tuples");
        const auto instances = co_await count_of(run.to_loaded, "resource_instances");
        if (tuples != run.o.data.tuples || instances != folders + run.o.data.documents())
            throw std::runtime_error("the emulator holds " + std::to_string(tuples) +
                                     " tuples and " + std::to_string(instances) + " instances");
        run.load.rss_after_mb = rss_mb();

        pin_for_decisions(run.reference, run.loaded, run.o.apart);

        // Deciding, one check at a time.
        auto one = [&](check_case& c, const check_item& it, bool counted) -> asio::awaitable<void> {
            const served& s = c.on_reference ? run.reference : run.loaded;
            permit::client& permit = c.on_reference ? run.to_reference : run.to_loaded;
            const auto answer = co_await timed_decision(s, [&]() -> asio::awaitable<bool> {
                permit::diagnostics diag;
                auto [ec, allowed] = co_await permit.check(it.user, "read", resource_of(it), diag,
                                                           asio::as_tuple(asio::use_awaitable));
                if (ec) throw std::runtime_error("check: " + diag.to_string());
                co_return allowed;
            });
            expect(it, answer.allowed);
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
    auto reference = start(reference_seed());
    auto loaded = start(loaded_seed(o.data, false));
    asio::io_context ioc(1);
    permit::client to_reference(ioc.get_executor(), client_config(reference));
    permit::client to_loaded(ioc.get_executor(), client_config(loaded));
    http_run run{o, reference, loaded, to_reference, to_loaded, make_cases(o.data)};
    run.load.rss_before_mb = rss_mb();
    asio::co_spawn(ioc, http_main(run), asio::detached);
    ioc.run();
    if (!run.error.empty()) throw std::runtime_error(run.error);
    print_results(o, run.cases, run.load);
}

}  // namespace

int main(int argc, char** argv) {
    const auto usage = [] {
        std::cerr << "usage: bench-rebac-decisions http|handler [--tuples N] [--rounds R] "
                     "[--checks C] [--apart]\n";
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
        if (arg == "--tuples")
            o.data.tuples = value;
        else if (arg == "--rounds")
            o.rounds = static_cast<int>(value);
        else if (arg == "--checks")
            o.checks = static_cast<int>(value);
        else
            return usage();
    }
    if ((o.via != "http" && o.via != "handler") || o.rounds < 1 || o.checks < 1 ||
        o.data.documents() < folders)
        return usage();  // every folder needs a document: at least 1,990 tuples
    try {
        if (o.via == "http")
            run_http(o);
        else
            run_handler(o);
    } catch (const std::exception& e) {
        std::cerr << "bench-rebac-decisions: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
