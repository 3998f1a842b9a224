// The bulk pipeline's bookkeeping, driven alone: the tests play the server by answering each batch
// `take` forms with `on_success` or `on_failure`, and check what each caller is told.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_to.hpp>

#include <permit/bulk/detail/pipeline_state.hpp>
#include <permit/error.hpp>

#include "support/fake_clock.hpp"

using namespace std::chrono_literals;
using permit_test::fake_clock;

namespace {

using state = permit::bulk::detail::pipeline_state<fake_clock>;
using ticket = state::ticket_id;
using permit::bulk::detail::lane;
using permit::bulk::detail::outgoing_batch;
using error_code = boost::system::error_code;
using keys = std::vector<std::string>;

const fake_clock::time_point t0 = fake_clock::time_point{} + 1h;
const std::string default_tenant = "default";

permit::bulk_options options(std::size_t per_batch = 10) {
    permit::bulk_options o;
    o.users_per_batch = per_batch;
    o.tenants_per_batch = per_batch;
    o.assignments_per_batch = per_batch;
    o.linger = 50ms;
    o.max_pending = 1000;
    return o;
}

permit::user_role_create role_in(std::string role, std::string tenant) {
    return {.role = std::move(role), .tenant = std::move(tenant)};
}

permit::user_create user(const std::string& key, std::vector<permit::user_role_create> roles = {}) {
    permit::user_create u;
    u.key = key;
    u.email = key + "@example.com";
    u.role_assignments = std::move(roles);
    return u;
}

permit::role_assignment_create assignment(std::string user, std::string role, std::string tenant) {
    return {.user = std::move(user), .role = std::move(role), .tenant = std::move(tenant)};
}

permit::tenant_create tenant(const std::string& key) {
    return {.key = key, .name = key};
}

error_code code(permit::error e) {
    return permit::make_error_code(e);
}

permit::validation_error_item invalid(boost::json::array loc, std::string msg) {
    return {.loc = std::move(loc), .msg = std::move(msg), .type = "value_error"};
}

// A 422 body with these items.
permit::diagnostics unprocessable(std::vector<permit::validation_error_item> items) {
    permit::diagnostics d;
    d.status = 422;
    d.validation_errors = std::move(items);
    d.request_id = "req-422";
    return d;
}

permit::diagnostics with_status(unsigned status, std::string message = {}) {
    permit::diagnostics d;
    d.status = status;
    d.detail = std::move(message);
    return d;
}

std::string text_of(const boost::json::object& o, const char* field) {
    return boost::json::value_to<std::string>(o.at(field));
}

// The item keys of a batch, in order: the user or tenant keys, `user:role` for assignments,
// `type:key` for instances, `subject relation object` for tuples.
keys keys_of(const outgoing_batch& b) {
    const boost::json::value body = boost::json::parse(b.body);
    keys out;
    if (b.lane == lane::tuples || b.lane == lane::tuple_removals) {
        const char* list = b.lane == lane::tuples ? "operations" : "idents";
        for (const auto& t : body.as_object().at(list).as_array()) {
            const auto& o = t.as_object();
            out.push_back(text_of(o, "subject") + " " + text_of(o, "relation") + " " +
                          text_of(o, "object"));
        }
        return out;
    }
    if (b.lane == lane::instances) {
        for (const auto& i : body.as_object().at("operations").as_array())
            out.push_back(text_of(i.as_object(), "resource") + ":" + text_of(i.as_object(), "key"));
        return out;
    }
    if (b.lane == lane::assignments) {
        for (const auto& a : body.as_array()) {
            const auto& o = a.as_object();
            out.push_back(boost::json::value_to<std::string>(o.at("user")) + ":" +
                          boost::json::value_to<std::string>(o.at("role")));
        }
        return out;
    }
    for (const auto& op : body.as_object().at("operations").as_array())
        out.push_back(boost::json::value_to<std::string>(op.as_object().at("key")));
    return out;
}

bool contains(const outgoing_batch& b, const std::string& key) {
    const keys k = keys_of(b);
    return std::find(k.begin(), k.end(), key) != k.end();
}

keys numbered(const std::string& prefix, int from, int to) {
    keys out;
    for (int i = from; i < to; ++i) out.push_back(prefix + std::to_string(i));
    return out;
}

// How the fake server answers a batch: nothing for success.
struct answer {
    error_code ec;
    permit::diagnostics diag;
};
using server = std::function<std::optional<answer>(const outgoing_batch&)>;

const server accept_all = [](const outgoing_batch&) { return std::optional<answer>{}; };

// The pipeline, and what its callers were told so far.
struct pipeline {
    explicit pipeline(const permit::bulk_options& o = options()) : s(o, default_tenant) {}

    state s;
    fake_clock::time_point now = t0;
    std::set<ticket> admitted;
    std::set<ticket> abandoned;
    // What each caller was told: a completion without diagnostics (a success) says nothing.
    struct told {
        error_code ec;
        permit::diagnostics diag;
    };
    std::map<ticket, told> outcomes;
    std::vector<ticket> told_twice;

    // Roles the fake server does not have (every other role exists), and the tenants it has.
    // Lookups are answered as soon as the pipeline asks, and counted.
    std::set<std::string> missing_roles;
    std::set<std::string> existing_tenants;
    std::map<std::string, int> role_lookups;
    std::map<std::string, int> tenant_lookups;
    // The tuples the fake server has (`subject relation object`), and how often each was looked
    // up.
    std::set<std::string> existing_tuples;
    std::map<std::string, int> tuple_lookups;

    ticket sync_user(permit::user_create u) {
        const ticket id = s.arrive();
        admitted.insert(id);
        s.sync_user(id, std::move(u), now);
        collect();
        return id;
    }
    ticket assign_role(permit::role_assignment_create a) {
        const ticket id = s.arrive();
        admitted.insert(id);
        s.assign_role(id, std::move(a), now);
        collect();
        return id;
    }
    ticket ensure_instance(std::string ident, std::string tenant = default_tenant) {
        const auto colon = ident.find(':');
        const ticket id = s.arrive();
        admitted.insert(id);
        s.ensure_instance(id,
                          {.key = ident.substr(colon + 1),
                           .tenant = std::move(tenant),
                           .resource = ident.substr(0, colon)},
                          now);
        collect();
        return id;
    }
    ticket write_tuple(std::string subject, std::string relation, std::string object,
                       std::optional<std::string> tenant = std::nullopt) {
        const ticket id = s.arrive();
        admitted.insert(id);
        s.write_tuple(id,
                      {.subject = std::move(subject),
                       .relation = std::move(relation),
                       .object = std::move(object),
                       .tenant = std::move(tenant)},
                      now);
        collect();
        return id;
    }
    ticket remove_tuple(std::string subject, std::string relation, std::string object) {
        const ticket id = s.arrive();
        admitted.insert(id);
        s.remove_tuple(id,
                       {.subject = std::move(subject),
                        .relation = std::move(relation),
                        .object = std::move(object)},
                       now);
        collect();
        return id;
    }
    void answer_lookups() {
        using kind = permit::bulk::detail::lookup::kind;
        while (auto l = s.take_lookup()) {
            if (l->what == kind::tuple) {
                const std::string t =
                    l->tuple.subject + " " + l->tuple.relation + " " + l->tuple.object;
                ++tuple_lookups[t];
                if (existing_tuples.contains(t))
                    s.on_looked_up(*l, {}, {}, now);
                else
                    s.on_looked_up(*l, code(permit::error::not_found), with_status(404), now);
                continue;
            }
            if (l->what == kind::role && !l->resource.empty()) {
                // A role of a resource type: counted as `type#role`.
                const std::string typed = l->resource + "#" + l->key;
                ++role_lookups[typed];
                if (!missing_roles.contains(typed))
                    s.on_looked_up(*l, {}, {}, now);
                else
                    s.on_looked_up(*l, code(permit::error::not_found), with_status(404), now);
                continue;
            }
            const bool role = l->what == kind::role;
            ++(role ? role_lookups : tenant_lookups)[l->key];
            const bool found =
                role ? !missing_roles.contains(l->key) : existing_tenants.contains(l->key);
            if (found)
                s.on_looked_up(*l, {}, {}, now);
            else
                s.on_looked_up(*l, code(permit::error::not_found), with_status(404, "not found"),
                               now);
        }
    }
    ticket ensure_tenant(permit::tenant_create t) {
        const ticket id = s.arrive();
        admitted.insert(id);
        s.ensure_tenant(id, std::move(t), now);
        collect();
        return id;
    }
    void abandon(ticket id) {
        abandoned.insert(id);
        s.abandon(id);
        collect();
    }

    std::optional<outgoing_batch> take() {
        auto b = s.take(now);
        collect();
        return b;
    }
    outgoing_batch take_one(lane expected) {
        auto b = take();
        BOOST_REQUIRE(b.has_value());
        BOOST_TEST((b->lane == expected));
        return std::move(*b);
    }
    void succeed(const outgoing_batch& b) {
        s.on_success(b.id, now);
        collect();
    }
    void fail(const outgoing_batch& b, error_code ec, const permit::diagnostics& diag) {
        s.on_failure(b.id, ec, diag, now);
        collect();
    }

    // Flushes, and answers each batch as soon as it is formed, one at a time, until nothing is
    // left. The batches sent, in order.
    std::vector<outgoing_batch> run(const server& reply) {
        std::vector<outgoing_batch> sent;
        s.begin_flush();
        while (auto b = take()) {
            BOOST_REQUIRE(sent.size() < 100000u);
            sent.push_back(*b);
            if (auto a = reply(*b))
                fail(*b, a->ec, a->diag);
            else
                succeed(*b);
        }
        s.end_flush();
        return sent;
    }

    void collect() {
        answer_lookups();
        for (auto& c : s.take_completions()) {
            const ticket id = c.ticket;
            BOOST_TEST((!c.ec || c.diag), "ticket " << id << " failed without diagnostics");
            told t{c.ec, c.diag ? std::move(*c.diag) : permit::diagnostics{}};
            if (!outcomes.emplace(id, std::move(t)).second) told_twice.push_back(id);
        }
    }

    bool finished(ticket id) const { return outcomes.contains(id); }
    bool succeeded(ticket id) const {
        auto it = outcomes.find(id);
        return it != outcomes.end() && !it->second.ec;
    }
    const told& outcome(ticket id) const {
        auto it = outcomes.find(id);
        BOOST_REQUIRE_MESSAGE(it != outcomes.end(), "ticket " << id << " is not finished");
        return it->second;
    }

    // Every admitted call that was not abandoned was told its outcome exactly once; no other was.
    void check_each_call_told_once() const {
        BOOST_TEST(told_twice.empty(), told_twice.size() << " completions repeated");
        for (const ticket id : admitted)
            if (!abandoned.contains(id))
                BOOST_TEST(outcomes.contains(id), "ticket " << id << " was never told");
        for (const auto& [id, c] : outcomes) {
            BOOST_TEST(admitted.contains(id), "ticket " << id << " was never admitted");
            BOOST_TEST(!abandoned.contains(id), "abandoned ticket " << id << " was told");
        }
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(bulk_pipeline)

// ---- batching ----

BOOST_AUTO_TEST_CASE(user_calls_form_full_batches_first_and_the_partial_one_after_the_linger) {
    pipeline p(options(10));
    BOOST_TEST(!p.s.next_due().has_value(), "nothing queued");
    std::vector<ticket> calls;
    for (int i = 0; i < 25; ++i) calls.push_back(p.sync_user(user("u" + std::to_string(i))));
    BOOST_TEST((p.s.next_due() == fake_clock::time_point::min()), "a full batch is due at once");

    const auto first = p.take_one(lane::users);
    BOOST_TEST(keys_of(first) == numbered("u", 0, 10), boost::test_tools::per_element());
    BOOST_TEST(first.size == 10u);
    const auto second = p.take_one(lane::users);
    BOOST_TEST(keys_of(second) == numbered("u", 10, 20), boost::test_tools::per_element());

    // Five left: a partial batch, due when the oldest has lingered 50 ms.
    BOOST_TEST(!p.take().has_value());
    BOOST_TEST((p.s.next_due() == t0 + 50ms));
    p.now = t0 + 49ms;
    BOOST_TEST(!p.s.due(p.now));
    BOOST_TEST(!p.take().has_value());
    p.now = t0 + 50ms;
    BOOST_TEST(p.s.due(p.now));
    const auto third = p.take_one(lane::users);
    BOOST_TEST(keys_of(third) == numbered("u", 20, 25), boost::test_tools::per_element());
    BOOST_TEST(!p.s.next_due().has_value());
    BOOST_TEST(p.s.stats().user_batches == 3u, "ceil(25 / 10) user batches");

    for (const auto& b : {first, second, third}) p.succeed(b);
    for (const ticket id : calls) BOOST_TEST(p.succeeded(id));
    BOOST_TEST(p.s.stats().users_synced == 25u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_body_given_back_holds_a_later_batchs_body) {
    // A batch of 2,000 users is a body of over 64 KB: given back once sent, its memory holds the
    // next batch's body (of the same size), which is the one a fresh string would hold.
    pipeline p(options(2000));
    for (int i = 10'000; i < 14'000; ++i) p.sync_user(user("u" + std::to_string(i)));
    auto first = p.take_one(lane::users);
    BOOST_TEST_REQUIRE(first.body.size() > 64u * 1024);
    const char* const memory = first.body.data();
    p.s.recycle_body(std::move(first.body));
    const auto second = p.take_one(lane::users);
    BOOST_TEST(static_cast<const void*>(second.body.data()) == static_cast<const void*>(memory));
    BOOST_TEST(keys_of(second) == numbered("u", 12'000, 14'000), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(peek_names_the_due_batch_and_take_single_sends_its_items_one_by_one) {
    pipeline p(options(10));
    const ticket a = p.sync_user(user("a", {role_in("admin", default_tenant)}));
    const ticket b = p.sync_user(user("b"));
    p.answer_lookups();
    BOOST_TEST(!p.s.peek(p.now).has_value(), "a partial batch is not due before its linger");
    p.now = t0 + 50ms;
    const auto due = p.s.peek(p.now);
    BOOST_REQUIRE(due.has_value());
    BOOST_TEST((due->lane == lane::users));
    BOOST_TEST(due->size == 2u);
    BOOST_TEST(!due->reformed);

    const auto first = p.s.take_single(p.now);
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(first->single);
    BOOST_TEST(first->size == 1u);
    BOOST_TEST(first->key == "a");
    const auto body = boost::json::parse(first->body).as_object();
    BOOST_TEST(text_of(body, "key") == "a");
    BOOST_TEST(text_of(body, "email") == "a@example.com");
    BOOST_TEST(!body.contains("role_assignments"), "the roles go as assignments of their own");
    BOOST_TEST(p.s.peek(p.now)->size == 1u);
    const auto second = p.s.take_single(p.now);
    BOOST_REQUIRE(second.has_value());
    BOOST_TEST(second->key == "b");
    BOOST_TEST(!p.s.peek(p.now).has_value());
    BOOST_TEST(p.s.stats().user_writes == 2u);
    BOOST_TEST(p.s.stats().user_batches == 0u);

    p.succeed(*second);
    BOOST_TEST(p.succeeded(b));
    p.succeed(*first);
    // The assignment of `a`, which waited for its user, is due at once and goes alone too.
    const auto assignment = p.s.take_single(p.now);
    BOOST_REQUIRE(assignment.has_value());
    BOOST_TEST((assignment->lane == lane::assignments));
    const auto a_body = boost::json::parse(assignment->body).as_object();
    BOOST_TEST(text_of(a_body, "user") == "a");
    BOOST_TEST(text_of(a_body, "role") == "admin");
    BOOST_TEST(text_of(a_body, "tenant") == default_tenant);
    BOOST_TEST(!p.succeeded(a));
    p.succeed(*assignment);
    BOOST_TEST(p.succeeded(a));
    BOOST_TEST(p.s.stats().assignment_writes == 1u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(take_single_leaves_tenants_and_rejected_batches_to_bulk_requests) {
    pipeline p(options(10));
    p.sync_user(user("a", {role_in("admin", "acme")}));
    p.answer_lookups();
    p.now = t0 + 50ms;
    BOOST_TEST((p.s.peek(p.now)->lane == lane::tenants));
    BOOST_TEST(!p.s.take_single(p.now).has_value());
    p.succeed(p.take_one(lane::tenants));
    auto users = p.take_one(lane::users);
    p.fail(users, code(permit::error::service_unavailable), with_status(503));
    BOOST_TEST(p.s.stats().calls_failed == 1u);

    // A batch rejected for an item comes back reformed: it goes whole, not one by one.
    p.now = t0 + 200ms;
    p.sync_user(user("b"));
    p.sync_user(user("c"));
    p.now = t0 + 250ms;
    auto batch = p.take_one(lane::users);
    p.fail(batch, code(permit::error::validation_failed),
           unprocessable({invalid({"body", "operations", 1, "email"}, "not an email")}));
    const auto due = p.s.peek(p.now);
    BOOST_REQUIRE(due.has_value());
    BOOST_TEST(due->reformed);
    BOOST_TEST(!p.s.take_single(p.now).has_value());
}

BOOST_AUTO_TEST_CASE(the_linger_counts_from_the_oldest_waiting_item) {
    pipeline p(options(10));
    p.sync_user(user("a"));
    p.now = t0 + 30ms;
    p.sync_user(user("b"));
    BOOST_TEST((p.s.next_due() == t0 + 50ms));
    p.now = t0 + 50ms;
    const auto b = p.take_one(lane::users);
    BOOST_TEST(keys_of(b) == (keys{"a", "b"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_assignment_that_waited_for_its_user_does_not_linger_again) {
    pipeline p(options(10));
    const ticket call = p.sync_user(user("u1", {role_in("admin", "acme")}));
    p.answer_lookups();
    p.now = t0 + 50ms;
    auto tenants = p.take_one(lane::tenants);
    auto users = p.take_one(lane::users);
    p.now = t0 + 60ms;
    p.succeed(tenants);
    p.succeed(users);
    // The call has waited 60 ms, more than the linger: its assignment goes out at once.
    BOOST_TEST((p.s.next_due() == t0 + 50ms));
    const auto assignments = p.take_one(lane::assignments);
    BOOST_TEST(keys_of(assignments) == keys{"u1:admin"}, boost::test_tools::per_element());
    p.succeed(assignments);
    BOOST_TEST(p.succeeded(call));

    // An assignment with nothing to wait for lingers as any item does.
    p.assign_role(assignment("u1", "viewer", "acme"));
    p.answer_lookups();
    BOOST_TEST((p.s.next_due() == t0 + 110ms));
    BOOST_TEST(!p.take().has_value());
    p.now = t0 + 110ms;
    p.succeed(p.take_one(lane::assignments));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_flush_makes_a_partial_batch_due_at_once) {
    pipeline p(options(10));
    for (int i = 0; i < 3; ++i) p.sync_user(user("u" + std::to_string(i)));
    BOOST_TEST(!p.take().has_value());
    p.s.begin_flush();
    BOOST_TEST((p.s.next_due() == fake_clock::time_point::min()));
    BOOST_TEST(p.s.due(t0));
    const auto b = p.take_one(lane::users);
    BOOST_TEST(keys_of(b) == numbered("u", 0, 3), boost::test_tools::per_element());
    p.s.end_flush();
    p.sync_user(user("late"));
    BOOST_TEST((p.s.next_due() == t0 + 50ms), "after the flush, the linger applies again");
}

BOOST_AUTO_TEST_CASE(batch_bodies_are_the_documented_json) {
    pipeline p;
    auto u = user("ada", {role_in("admin", "acme"), role_in("viewer", "default")});
    u.first_name = "Ada";
    u.attributes["plan"] = "pro";
    const ticket call = p.sync_user(std::move(u));
    p.s.begin_flush();

    const auto tenants = p.take_one(lane::tenants);
    BOOST_TEST(boost::json::parse(tenants.body) ==
               boost::json::parse(R"({"operations":[{"key":"acme","name":"acme"}]})"));
    const auto users = p.take_one(lane::users);
    // The user alone: its role assignments go in an assignment batch once it exists.
    BOOST_TEST(boost::json::parse(users.body) ==
               boost::json::parse(R"({"operations":[{"key":"ada","email":"ada@example.com",
                                     "first_name":"Ada","attributes":{"plan":"pro"}}]})"));
    BOOST_TEST(!p.take().has_value());

    p.succeed(tenants);
    p.succeed(users);
    const auto assignments = p.take_one(lane::assignments);
    BOOST_TEST(boost::json::parse(assignments.body) ==
               boost::json::parse(R"([{"user":"ada","role":"admin","tenant":"acme"},
                                      {"user":"ada","role":"viewer","tenant":"default"}])"));
    BOOST_TEST(assignments.size == 2u);
    p.succeed(assignments);
    BOOST_TEST(p.succeeded(call));
    p.check_each_call_told_once();
}

// ---- ordering ----

BOOST_AUTO_TEST_CASE(role_assignments_wait_for_their_user_and_their_tenant) {
    pipeline p;
    p.s.begin_flush();

    // The user is confirmed first, the tenant later.
    const ticket first = p.sync_user(user("u1", {role_in("admin", "acme")}));
    auto tenants = p.take_one(lane::tenants);
    auto users = p.take_one(lane::users);
    p.succeed(users);
    BOOST_TEST(!p.take().has_value(), "the tenant is not confirmed yet");
    BOOST_TEST(!p.finished(first));
    p.succeed(tenants);
    auto assignments = p.take_one(lane::assignments);
    BOOST_TEST(keys_of(assignments) == keys{"u1:admin"}, boost::test_tools::per_element());
    BOOST_TEST(!p.finished(first), "not before its assignment is confirmed");
    p.succeed(assignments);
    BOOST_TEST(p.succeeded(first));

    // The tenant is confirmed first, the user later.
    const ticket second = p.sync_user(user("u2", {role_in("admin", "beta")}));
    tenants = p.take_one(lane::tenants);
    users = p.take_one(lane::users);
    p.succeed(tenants);
    BOOST_TEST(!p.take().has_value(), "the user is not confirmed yet");
    p.succeed(users);
    assignments = p.take_one(lane::assignments);
    BOOST_TEST(keys_of(assignments) == keys{"u2:admin"}, boost::test_tools::per_element());
    p.succeed(assignments);
    BOOST_TEST(p.succeeded(second));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_call_succeeds_only_when_each_of_its_assignments_is_confirmed) {
    auto o = options(10);
    o.assignments_per_batch = 1;
    pipeline p(o);
    p.s.begin_flush();
    const ticket call =
        p.sync_user(user("u1", {role_in("admin", "default"), role_in("viewer", "default")}));
    p.succeed(p.take_one(lane::users));
    const auto a1 = p.take_one(lane::assignments);
    const auto a2 = p.take_one(lane::assignments);
    p.succeed(a2);
    BOOST_TEST(!p.finished(call));
    p.succeed(a1);
    BOOST_TEST(p.succeeded(call));
    BOOST_TEST(p.s.stats().assignments_created == 2u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(tenants_go_first_then_assignments_then_users) {
    pipeline p;
    p.s.begin_flush();
    p.sync_user(user("u1", {role_in("viewer", "default")}));
    p.succeed(p.take_one(lane::users));
    // u1's assignment is queued; now a user that needs a new tenant arrives.
    p.sync_user(user("u2", {role_in("admin", "gamma")}));
    const auto b1 = p.take_one(lane::tenants);
    const auto b2 = p.take_one(lane::assignments);
    const auto b3 = p.take_one(lane::users);
    BOOST_TEST(keys_of(b1) == keys{"gamma"}, boost::test_tools::per_element());
    BOOST_TEST(keys_of(b2) == keys{"u1:viewer"}, boost::test_tools::per_element());
    BOOST_TEST(keys_of(b3) == keys{"u2"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_known_tenant_is_not_created_again) {
    pipeline p;
    // The default tenant always exists.
    const ticket a = p.sync_user(user("a", {role_in("viewer", "default")}));
    auto sent = p.run(accept_all);
    BOOST_TEST(sent.size() == 2u);
    BOOST_TEST((sent.front().lane == lane::users));
    BOOST_TEST(p.succeeded(a));

    // A tenant created once is remembered.
    const ticket b = p.sync_user(user("b", {role_in("admin", "acme")}));
    p.run(accept_all);
    const ticket c = p.sync_user(user("c", {role_in("admin", "acme")}));
    sent = p.run(accept_all);
    for (const auto& batch : sent) BOOST_TEST((batch.lane != lane::tenants));
    BOOST_TEST(p.succeeded(b));
    BOOST_TEST(p.succeeded(c));

    // ensure_tenant of a known tenant finishes at once.
    const ticket known = p.ensure_tenant(tenant("acme"));
    const ticket def = p.ensure_tenant(tenant("default"));
    BOOST_TEST(p.succeeded(known));
    BOOST_TEST(p.succeeded(def));
    BOOST_TEST(!p.s.has_queued());

    BOOST_TEST(p.s.stats().tenant_batches == 1u);
    BOOST_TEST(p.s.stats().tenants_created == 1u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_tenant_needed_by_many_users_is_created_once) {
    pipeline p(options(10));
    std::vector<ticket> calls;
    for (int i = 0; i < 30; ++i)
        calls.push_back(p.sync_user(user(
            "u" + std::to_string(i), {role_in("admin", "shared"), role_in("viewer", "shared")})));
    calls.push_back(p.assign_role(assignment("outsider", "editor", "shared")));
    calls.push_back(p.ensure_tenant(tenant("shared")));

    const auto sent = p.run(accept_all);
    std::size_t tenant_batches = 0;
    for (const auto& b : sent)
        if (b.lane == lane::tenants) {
            ++tenant_batches;
            BOOST_TEST(keys_of(b) == keys{"shared"}, boost::test_tools::per_element());
        }
    BOOST_TEST(tenant_batches == 1u);
    BOOST_TEST(p.s.stats().tenants_created == 1u);
    BOOST_TEST(p.s.stats().user_batches == 3u);
    BOOST_TEST(p.s.stats().assignments_created == 61u);
    for (const ticket id : calls) BOOST_TEST(p.succeeded(id));
    p.check_each_call_told_once();
}

// ---- outcomes ----

BOOST_AUTO_TEST_CASE(every_call_is_told_exactly_once_in_a_mixed_load) {
    pipeline p(options(7));
    std::map<ticket, std::string> expected_failure;  // ticket -> why
    std::vector<ticket> expected_success;
    for (int i = 0; i < 40; ++i) {
        const std::string key = "u" + std::to_string(i);
        const std::string t = "t" + std::to_string(i % 4);
        auto u = user(key, {role_in("member", t)});
        if (i % 13 == 5) u.email = "not-an-email";
        const ticket id = p.sync_user(std::move(u));
        if (i % 13 == 5)
            expected_failure[id] = "email";
        else
            expected_success.push_back(id);
        if (i % 5 == 0) {
            const ticket extra = p.assign_role(assignment(key, "auditor", "t9"));
            if (i % 13 == 5)
                expected_failure[extra] = "user";
            else
                expected_success.push_back(extra);
        }
    }
    const ticket ghost = p.assign_role(assignment("ghost", "member", "default"));
    expected_failure[ghost] = "not found";
    expected_success.push_back(p.ensure_tenant(tenant("t3")));

    // The server: invalid emails are named in a 422; an assignment of "ghost" gets a 404.
    const server reply = [](const outgoing_batch& b) -> std::optional<answer> {
        const boost::json::value body = boost::json::parse(b.body);
        if (b.lane == lane::users) {
            std::vector<permit::validation_error_item> errors;
            const auto& ops = body.as_object().at("operations").as_array();
            for (std::size_t i = 0; i < ops.size(); ++i)
                if (ops[i].as_object().at("email") == "not-an-email")
                    errors.push_back(invalid(
                        {"body", "operations", static_cast<std::int64_t>(i), "email"}, "invalid"));
            if (!errors.empty())
                return answer{code(permit::error::validation_failed), unprocessable(errors)};
        }
        if (b.lane == lane::assignments && contains(b, "ghost:member"))
            return answer{code(permit::error::not_found), with_status(404, "user not found")};
        return std::nullopt;
    };
    p.run(reply);

    for (const ticket id : expected_success) BOOST_TEST(p.succeeded(id), "ticket " << id);
    for (const auto& [id, why] : expected_failure) {
        BOOST_REQUIRE(p.finished(id));
        BOOST_TEST(!p.succeeded(id), "ticket " << id);
        const auto& diag = p.outcome(id).diag;
        if (why == "email") {
            BOOST_REQUIRE(diag.validation_errors.size() == 1u);
            BOOST_TEST(diag.validation_errors[0].loc == (boost::json::array{"email"}));
        } else if (why == "user") {
            BOOST_TEST(diag.client_message.find("was not synced") != std::string::npos,
                       diag.client_message);
        }
    }
    BOOST_TEST((p.outcome(ghost).ec == permit::error::not_found));
    BOOST_TEST(p.s.stats().pending == 0u);
    BOOST_TEST(!p.s.has_queued());
    BOOST_TEST(p.s.stats().calls_failed == expected_failure.size());
    p.check_each_call_told_once();
}

// ---- rejections ----

BOOST_AUTO_TEST_CASE(a_422_naming_users_fails_only_those_with_their_own_errors) {
    pipeline p(options(20));
    std::vector<ticket> calls;
    for (int i = 0; i < 20; ++i) calls.push_back(p.sync_user(user("u" + std::to_string(i))));
    const auto batch = p.take_one(lane::users);
    p.fail(batch, code(permit::error::validation_failed),
           unprocessable({invalid({"body", "operations", 5, "email"}, "bad email 5"),
                          invalid({"body", "operations", 17, "email"}, "bad email 17"),
                          invalid({"body", "operations", 17, "first_name"}, "too long")}));

    const auto& five = p.outcome(calls[5]);
    BOOST_TEST((five.ec == permit::error::validation_failed));
    BOOST_TEST(five.diag.status == 422u);
    BOOST_REQUIRE(five.diag.validation_errors.size() == 1u);
    BOOST_TEST(five.diag.validation_errors[0].loc == (boost::json::array{"email"}));
    BOOST_TEST(five.diag.validation_errors[0].msg == "bad email 5");
    const auto& seventeen = p.outcome(calls[17]);
    BOOST_REQUIRE(seventeen.diag.validation_errors.size() == 2u);
    BOOST_TEST(seventeen.diag.validation_errors[0].loc == (boost::json::array{"email"}));
    BOOST_TEST(seventeen.diag.validation_errors[1].loc == (boost::json::array{"first_name"}));
    BOOST_TEST(seventeen.diag.validation_errors[1].msg == "too long");
    BOOST_TEST(p.outcomes.size() == 2u, "the others are not told yet");

    // The rest goes again at once, without the two.
    BOOST_TEST((p.s.next_due() == fake_clock::time_point::min()));
    const auto again = p.take_one(lane::users);
    keys rest = numbered("u", 0, 20);
    std::erase(rest, "u5");
    std::erase(rest, "u17");
    BOOST_TEST(keys_of(again) == rest, boost::test_tools::per_element());
    p.succeed(again);
    for (std::size_t i = 0; i < calls.size(); ++i)
        if (i != 5 && i != 17) BOOST_TEST(p.succeeded(calls[i]), "u" << i);

    const auto stats = p.s.stats();
    BOOST_TEST(stats.items_rejected == 2u);
    BOOST_TEST(stats.calls_failed == 2u);
    BOOST_TEST(stats.batches_split == 0u);
    BOOST_TEST(stats.user_batches == 2u);
    BOOST_TEST(stats.users_synced == 18u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_422_naming_an_assignment_or_a_tenant_fails_only_that_one) {
    pipeline p(options(10));
    p.s.begin_flush();
    std::vector<ticket> assigns;
    for (int i = 0; i < 5; ++i)
        assigns.push_back(p.assign_role(assignment("u" + std::to_string(i), "editor", "default")));
    const auto batch = p.take_one(lane::assignments);
    p.fail(batch, code(permit::error::validation_failed),
           unprocessable({invalid({"body", 3, "role"}, "no such role")}));
    const auto& three = p.outcome(assigns[3]);
    BOOST_REQUIRE(three.diag.validation_errors.size() == 1u);
    BOOST_TEST(three.diag.validation_errors[0].loc == (boost::json::array{"role"}));
    BOOST_TEST(three.diag.validation_errors[0].msg == "no such role");
    const auto again = p.take_one(lane::assignments);
    BOOST_TEST(keys_of(again) == (keys{"u0:editor", "u1:editor", "u2:editor", "u4:editor"}),
               boost::test_tools::per_element());
    p.succeed(again);

    const ticket good = p.ensure_tenant(tenant("good"));
    const ticket bad = p.ensure_tenant(tenant("Bad Key!"));
    const ticket needs_bad = p.sync_user(user("v", {role_in("admin", "Bad Key!")}));
    const auto tenants = p.take_one(lane::tenants);
    p.fail(tenants, code(permit::error::validation_failed),
           unprocessable({invalid({"body", "operations", 1, "key"}, "bad key")}));
    BOOST_REQUIRE(p.outcome(bad).diag.validation_errors.size() == 1u);
    BOOST_TEST(p.outcome(bad).diag.validation_errors[0].loc == (boost::json::array{"key"}));
    BOOST_TEST(!p.succeeded(needs_bad));
    BOOST_TEST(p.outcome(needs_bad).diag.client_message.find("Bad Key!") != std::string::npos,
               p.outcome(needs_bad).diag.client_message);
    const auto tenants_again = p.take_one(lane::tenants);
    BOOST_TEST(keys_of(tenants_again) == keys{"good"}, boost::test_tools::per_element());
    p.succeed(tenants_again);
    BOOST_TEST(p.succeeded(good));

    for (int i = 0; i < 5; ++i)
        if (i != 3) BOOST_TEST(p.succeeded(assigns[static_cast<std::size_t>(i)]));
    BOOST_TEST(p.s.stats().items_rejected == 2u);
    p.run(accept_all);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_422_naming_no_item_splits_the_batch_until_the_bad_one_is_alone) {
    pipeline p(options(8));
    std::vector<ticket> calls;
    for (int i = 0; i < 8; ++i) calls.push_back(p.sync_user(user("u" + std::to_string(i))));
    const auto rejection = unprocessable({invalid({"body"}, "something is wrong")});
    const auto sent = p.run([&](const outgoing_batch& b) -> std::optional<answer> {
        if (contains(b, "u6")) return answer{code(permit::error::validation_failed), rejection};
        return std::nullopt;
    });
    std::vector<std::size_t> sizes;
    for (const auto& b : sent) sizes.push_back(b.size);
    BOOST_TEST(sizes == (std::vector<std::size_t>{8, 4, 4, 2, 2, 1, 1}),
               boost::test_tools::per_element());
    for (std::size_t i = 0; i < calls.size(); ++i)
        BOOST_TEST(p.succeeded(calls[i]) == (i != 6), "u" << i);
    BOOST_TEST((p.outcome(calls[6]).ec == permit::error::validation_failed));
    BOOST_TEST(p.outcome(calls[6]).diag.status == 422u);
    BOOST_TEST(p.s.stats().batches_split == 3u);
    BOOST_TEST(p.s.stats().items_rejected == 1u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_422_whose_errors_do_not_all_name_an_item_of_the_batch_splits_it) {
    // An index outside the batch, a field where the index should be, or one error without an
    // index: the items are not named, so the batch is split rather than sent again whole.
    const std::vector<permit::diagnostics> answers{
        unprocessable({invalid({"body", "operations", 7, "email"}, "out of range")}),
        unprocessable({invalid({"body", "operations", "email"}, "no index")}),
        unprocessable({invalid({"body", "operations", 2, "email"}, "named"),
                       invalid({"query", "x"}, "not in the body")}),
    };
    for (const auto& rejection : answers) {
        pipeline p(options(4));
        std::vector<ticket> calls;
        for (int i = 0; i < 4; ++i) calls.push_back(p.sync_user(user("u" + std::to_string(i))));
        const auto sent = p.run([&](const outgoing_batch& b) -> std::optional<answer> {
            if (contains(b, "u2")) return answer{code(permit::error::validation_failed), rejection};
            return std::nullopt;
        });
        BOOST_TEST(sent.size() == 5u, rejection.validation_errors[0].msg);
        BOOST_TEST(p.s.stats().batches_split == 2u);
        for (std::size_t i = 0; i < calls.size(); ++i)
            BOOST_TEST(p.succeeded(calls[i]) == (i != 2));
        // The lone item keeps the server's errors as they were.
        BOOST_TEST((p.outcome(calls[2]).diag.validation_errors == rejection.validation_errors));
        p.check_each_call_told_once();
    }
}

BOOST_AUTO_TEST_CASE(isolating_one_bad_user_among_3000_takes_about_two_log2_n_batches) {
    pipeline p(permit::bulk_options{});  // 3,000 users per batch
    const int n = 3000;
    const std::string bad = "u1234";
    std::vector<ticket> calls;
    for (int i = 0; i < n; ++i) calls.push_back(p.sync_user(user("u" + std::to_string(i))));
    const auto rejection = unprocessable({invalid({"body", "operations"}, "invalid")});
    const auto sent = p.run([&](const outgoing_batch& b) -> std::optional<answer> {
        if (contains(b, bad)) return answer{code(permit::error::validation_failed), rejection};
        return std::nullopt;
    });
    const auto stats = p.s.stats();
    const auto depth = static_cast<std::uint64_t>(std::ceil(std::log2(n)));
    BOOST_TEST_MESSAGE(stats.user_batches << " user batches to isolate 1 bad item in " << n);
    BOOST_TEST(sent.size() == stats.user_batches);
    BOOST_TEST(stats.user_batches <= 2 * depth + 1);
    BOOST_TEST(stats.batches_split <= depth);
    BOOST_TEST(stats.user_batches == 2 * stats.batches_split + 1, "both halves of each split");
    BOOST_TEST(stats.items_rejected == 1u);
    BOOST_TEST(stats.users_synced == static_cast<std::uint64_t>(n - 1));
    BOOST_TEST(!p.succeeded(calls[1234]));
    BOOST_TEST(p.outcomes.size() == static_cast<std::size_t>(n));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_404_on_an_assignment_batch_splits_until_the_missing_user_is_alone) {
    pipeline p(options(10));
    std::vector<ticket> calls;
    for (const char* u : {"a", "b", "c", "ghost", "d", "e"})
        calls.push_back(p.assign_role(assignment(u, "viewer", "default")));
    const auto sent = p.run([](const outgoing_batch& b) -> std::optional<answer> {
        if (contains(b, "ghost:viewer"))
            return answer{code(permit::error::not_found), with_status(404, "user not found")};
        return std::nullopt;
    });
    BOOST_TEST(sent.size() <= 7u);
    for (std::size_t i = 0; i < calls.size(); ++i) BOOST_TEST(p.succeeded(calls[i]) == (i != 3));
    BOOST_TEST((p.outcome(calls[3]).ec == permit::error::not_found));
    BOOST_TEST(p.outcome(calls[3]).diag.status == 404u);
    BOOST_TEST(p.s.stats().items_rejected == 1u);
    BOOST_TEST(p.s.stats().assignments_created == 5u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_409_on_tenants_looks_them_up_and_creates_only_the_missing_ones) {
    pipeline p(options(10));
    p.existing_tenants = {"old"};
    const ticket a = p.ensure_tenant(tenant("a"));
    const ticket b = p.ensure_tenant(tenant("b"));
    const ticket old = p.ensure_tenant(tenant("old"));
    const ticket c = p.ensure_tenant(tenant("c"));
    const ticket user_in_old = p.sync_user(user("u1", {role_in("admin", "old")}));
    const ticket assign_in_old = p.assign_role(assignment("u2", "viewer", "old"));
    const auto sent = p.run([](const outgoing_batch& batch) -> std::optional<answer> {
        if (batch.lane == lane::tenants && contains(batch, "old"))
            return answer{code(permit::error::conflict), with_status(409, "exists")};
        return std::nullopt;
    });
    std::vector<keys> tenant_batches;
    for (const auto& batch : sent)
        if (batch.lane == lane::tenants) tenant_batches.push_back(keys_of(batch));
    BOOST_REQUIRE_EQUAL(tenant_batches.size(), 2u);
    BOOST_TEST(tenant_batches.front() == (keys{"a", "b", "old", "c"}),
               boost::test_tools::per_element());
    BOOST_TEST(tenant_batches.back() == (keys{"a", "b", "c"}), boost::test_tools::per_element());
    BOOST_TEST(p.tenant_lookups.size() == 4u);
    for (const ticket id : {a, b, old, c, user_in_old, assign_in_old})
        BOOST_TEST(p.succeeded(id), "ticket " << id);
    const auto stats = p.s.stats();
    BOOST_TEST(stats.tenants_existing == 1u);
    BOOST_TEST(stats.tenants_created == 3u);
    BOOST_TEST(stats.batches_split == 0u);
    BOOST_TEST(stats.items_rejected == 0u);
    BOOST_TEST(stats.calls_failed == 0u);
    BOOST_TEST(stats.assignments_created == 2u);
    BOOST_TEST(p.s.is_known("old"), "an existing tenant is remembered too");
    p.check_each_call_told_once();
}

// ---- failures ----

BOOST_AUTO_TEST_CASE(a_503_fails_every_caller_of_the_user_batch_and_the_assignments_waiting) {
    pipeline p(options(10));
    const ticket u1 = p.sync_user(user("u1", {role_in("admin", "default")}));
    const ticket u2 = p.sync_user(user("u2"));
    const ticket waits_for_u2 = p.assign_role(assignment("u2", "editor", "default"));
    p.s.begin_flush();
    const auto batch = p.take_one(lane::users);
    BOOST_TEST(!p.take().has_value());
    auto diag = with_status(503, "maintenance");
    diag.attempts = 8;
    p.fail(batch, code(permit::error::service_unavailable), diag);

    for (const ticket id : {u1, u2, waits_for_u2}) {
        BOOST_TEST((p.outcome(id).ec == permit::error::service_unavailable), "ticket " << id);
        BOOST_TEST(p.outcome(id).diag.status == 503u);
        BOOST_TEST(p.outcome(id).diag.attempts == 8u);
    }
    const auto& why = p.outcome(waits_for_u2).diag.client_message;
    BOOST_TEST(why.find("user 'u2'") != std::string::npos, why);
    BOOST_TEST(!p.take().has_value(), "no assignment of a failed user is sent");
    BOOST_TEST(!p.s.has_queued());
    BOOST_TEST(p.s.stats().pending == 0u);
    BOOST_TEST(p.s.stats().calls_failed == 3u);
    BOOST_TEST(p.s.stats().items_rejected == 0u, "a 503 rejects no item");
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_404_on_a_user_batch_fails_the_whole_batch) {
    pipeline p(options(10));
    const ticket a = p.sync_user(user("a"));
    const ticket b = p.sync_user(user("b"));
    const auto sent = p.run([](const outgoing_batch&) -> std::optional<answer> {
        return answer{code(permit::error::not_found), with_status(404, "no such environment")};
    });
    BOOST_TEST(sent.size() == 1u, "not split");
    BOOST_TEST((p.outcome(a).ec == permit::error::not_found));
    BOOST_TEST((p.outcome(b).ec == permit::error::not_found));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_tenant_that_cannot_be_created_fails_every_call_that_needs_it) {
    pipeline p(options(10));
    const ticket syncs = p.sync_user(user("u1", {role_in("admin", "acme")}));
    const ticket ensures = p.ensure_tenant(tenant("acme"));
    const ticket assigns = p.assign_role(assignment("u9", "viewer", "acme"));
    const ticket other = p.assign_role(assignment("u8", "viewer", "default"));
    p.s.begin_flush();
    const auto tenants = p.take_one(lane::tenants);
    const auto assignments = p.take_one(lane::assignments);  // u8's: no wait
    const auto users = p.take_one(lane::users);
    BOOST_TEST(keys_of(assignments) == keys{"u8:viewer"}, boost::test_tools::per_element());

    permit::diagnostics transport;
    transport.client_message = "connection reset by peer";
    transport.attempts = 8;
    p.fail(tenants, boost::asio::error::connection_reset, transport);
    for (const ticket id : {syncs, ensures, assigns})
        BOOST_TEST((p.outcome(id).ec == boost::asio::error::connection_reset), "ticket " << id);
    for (const ticket id : {syncs, assigns}) {
        const auto& why = p.outcome(id).diag.client_message;
        BOOST_TEST(why.find("tenant 'acme'") != std::string::npos, why);
        BOOST_TEST(why.find("connection reset by peer") != std::string::npos, why);
    }
    BOOST_TEST(!p.s.is_known("acme"));

    // The user's batch comes back later: its caller is not told again.
    p.succeed(users);
    p.succeed(assignments);
    BOOST_TEST(p.succeeded(other));
    BOOST_TEST(!p.take().has_value(), "no assignment needing the failed tenant is sent");
    BOOST_TEST(p.s.stats().pending == 0u);

    // A later call needing it tries to create it again.
    p.sync_user(user("u3", {role_in("admin", "acme")}));
    const auto retry = p.take_one(lane::tenants);
    BOOST_TEST(keys_of(retry) == keys{"acme"}, boost::test_tools::per_element());
    p.succeed(retry);
    p.s.end_flush();
    p.run(accept_all);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_call_that_failed_is_not_told_again_when_more_of_its_items_fail) {
    pipeline p(options(10));
    const ticket call = p.sync_user(user("u1", {role_in("admin", "acme")}));
    p.s.begin_flush();
    const auto tenants = p.take_one(lane::tenants);
    const auto users = p.take_one(lane::users);
    p.fail(tenants, code(permit::error::service_unavailable), with_status(503));
    p.fail(users, code(permit::error::bad_gateway), with_status(502));
    BOOST_TEST((p.outcome(call).ec == permit::error::service_unavailable), "the first failure");
    BOOST_TEST(p.s.stats().calls_failed == 1u);
    BOOST_TEST(p.s.stats().pending == 0u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(an_assignment_waiting_for_a_user_whose_sync_failed_is_not_told_cancelled) {
    pipeline p(options(10));
    const ticket syncs = p.sync_user(user("u1", {role_in("admin", "acme")}));
    const ticket waits = p.assign_role(assignment("u1", "editor", "default"));
    p.s.begin_flush();
    const auto tenants = p.take_one(lane::tenants);
    // The tenant fails before u1's user batch is formed; nobody cancelled anything.
    p.fail(tenants, code(permit::error::service_unavailable), with_status(503, "maintenance"));
    BOOST_TEST((p.outcome(syncs).ec == permit::error::service_unavailable));
    p.run(accept_all);
    BOOST_REQUIRE(p.finished(waits));
    if (!p.succeeded(waits)) {
        const auto& told = p.outcome(waits);
        BOOST_TEST((told.ec != boost::asio::error::operation_aborted),
                   "told: " << told.ec.message() << ": " << told.diag.client_message);
        BOOST_TEST(told.diag.client_message.find("user 'u1'") != std::string::npos,
                   told.diag.client_message);
    }
    p.check_each_call_told_once();
}

// ---- backpressure ----

BOOST_AUTO_TEST_CASE(room_runs_out_at_max_pending_and_comes_back_as_calls_finish) {
    auto o = options(2);
    o.max_pending = 5;
    pipeline p(o);
    BOOST_TEST(p.s.room() == 5u);
    int next = 0;
    auto admit_while_room = [&] {
        while (p.s.room() > 0) p.sync_user(user("u" + std::to_string(next++)));
    };
    admit_while_room();
    BOOST_TEST(next == 5);
    BOOST_TEST(p.s.room() == 0u);
    BOOST_TEST(p.s.stats().pending == 5u);

    const auto first = p.take_one(lane::users);
    BOOST_TEST(p.s.room() == 0u, "taken is not finished");
    p.succeed(first);
    BOOST_TEST(p.s.room() == 2u);
    admit_while_room();
    BOOST_TEST(next == 7);

    // A failed call frees its room too.
    const auto second = p.take_one(lane::users);
    p.fail(second, code(permit::error::service_unavailable), with_status(503));
    BOOST_TEST(p.s.room() == 2u);
    admit_while_room();

    p.run(accept_all);
    BOOST_TEST(p.s.room() == 5u);
    BOOST_TEST(p.s.stats().pending == 0u);
    BOOST_TEST(p.s.stats().pending_high_water == 5u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_failed_call_holds_its_room_while_its_items_are_out) {
    auto o = options(10);
    o.max_pending = 2;
    pipeline p(o);
    const ticket call = p.sync_user(user("u1", {role_in("admin", "acme")}));
    p.s.begin_flush();
    const auto tenants = p.take_one(lane::tenants);
    const auto users = p.take_one(lane::users);
    p.fail(tenants, code(permit::error::service_unavailable), with_status(503));
    BOOST_TEST(!p.succeeded(call));
    BOOST_TEST(p.s.room() == 1u, "its user is still in flight");
    p.succeed(users);
    BOOST_TEST(p.s.room() == 2u);
    p.check_each_call_told_once();
}

// ---- abandon ----

BOOST_AUTO_TEST_CASE(an_abandoned_call_is_not_sent_nor_told_and_gives_its_room_back) {
    auto o = options(10);
    o.max_pending = 3;
    pipeline p(o);
    const ticket gone = p.sync_user(user("u1"));
    const ticket stays = p.sync_user(user("u2"));
    const ticket waits = p.assign_role(assignment("u1", "editor", "default"));
    BOOST_TEST(p.s.room() == 0u);

    p.abandon(gone);
    BOOST_TEST(p.s.room() == 0u, "its user is still queued");
    BOOST_TEST(p.s.stats().calls_failed == 1u);

    p.s.begin_flush();
    const auto users = p.take_one(lane::users);
    BOOST_TEST(keys_of(users) == keys{"u2"}, boost::test_tools::per_element());
    // The assignment waiting for the user that is not sent fails, naming it.
    BOOST_TEST(!p.succeeded(waits));
    const auto& why = p.outcome(waits).diag.client_message;
    BOOST_TEST(why.find("user 'u1'") != std::string::npos, why);
    BOOST_TEST(p.s.room() == 2u, "the abandoned call and the failed one are out");
    BOOST_TEST(!p.take().has_value());

    p.succeed(users);
    BOOST_TEST(p.succeeded(stays));
    BOOST_TEST(!p.finished(gone));
    BOOST_TEST(p.s.room() == 3u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(an_abandoned_call_in_flight_is_not_told_and_its_waiters_proceed) {
    pipeline p(options(10));
    const ticket gone = p.sync_user(user("u1", {role_in("admin", "default")}));
    const ticket waits = p.assign_role(assignment("u1", "editor", "default"));
    p.s.begin_flush();
    const auto users = p.take_one(lane::users);
    p.abandon(gone);
    const auto before = p.s.stats().pending;
    BOOST_TEST(before == 2u, "the abandoned call keeps its room while its user is in flight");
    p.succeed(users);
    // The user exists: the standalone assignment goes; the abandoned call's own does not.
    const auto assignments = p.take_one(lane::assignments);
    BOOST_TEST(keys_of(assignments) == keys{"u1:editor"}, boost::test_tools::per_element());
    p.succeed(assignments);
    BOOST_TEST(p.succeeded(waits));
    BOOST_TEST(!p.finished(gone));
    BOOST_TEST(p.s.stats().pending == 0u);
    p.check_each_call_told_once();
}

// ---- standalone assignments ----

BOOST_AUTO_TEST_CASE(assign_role_waits_for_a_user_being_synced_and_goes_at_once_otherwise) {
    pipeline p(options(10));
    p.s.begin_flush();
    p.sync_user(user("u1"));
    const ticket waits = p.assign_role(assignment("u1", "editor", "default"));
    const ticket at_once = p.assign_role(assignment("u9", "editor", "default"));
    const auto first = p.take_one(lane::assignments);
    BOOST_TEST(keys_of(first) == keys{"u9:editor"}, boost::test_tools::per_element());
    const auto users = p.take_one(lane::users);
    BOOST_TEST(!p.take().has_value(), "u1 is in flight");
    const ticket also_waits = p.assign_role(assignment("u1", "viewer", "default"));
    BOOST_TEST(!p.take().has_value());
    p.succeed(users);
    const auto second = p.take_one(lane::assignments);
    BOOST_TEST(keys_of(second) == (keys{"u1:editor", "u1:viewer"}),
               boost::test_tools::per_element());
    p.succeed(first);
    p.succeed(second);
    for (const ticket id : {waits, at_once, also_waits}) BOOST_TEST(p.succeeded(id));

    // Once synced, u1 is not waited for; a new tenant is.
    const ticket later = p.assign_role(assignment("u1", "owner", "newco"));
    const auto tenants = p.take_one(lane::tenants);
    BOOST_TEST(!p.take().has_value(), "the tenant first");
    p.succeed(tenants);
    p.succeed(p.take_one(lane::assignments));
    BOOST_TEST(p.succeeded(later));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(an_assignment_waits_for_the_last_sync_of_its_user) {
    pipeline p(options(10));
    auto bad = user("u1");
    bad.email = "nope";
    const ticket rejected = p.sync_user(std::move(bad));
    const ticket accepted = p.sync_user(user("u1"));
    const ticket waits = p.assign_role(assignment("u1", "editor", "default"));
    p.s.begin_flush();
    const auto users = p.take_one(lane::users);
    p.fail(users, code(permit::error::validation_failed),
           unprocessable({invalid({"body", "operations", 0, "email"}, "bad email")}));
    BOOST_TEST(!p.succeeded(rejected));
    BOOST_TEST(!p.finished(waits), "another sync of u1 is on its way");
    const auto again = p.take_one(lane::users);
    BOOST_TEST(!p.take().has_value());
    p.succeed(again);
    p.succeed(p.take_one(lane::assignments));
    BOOST_TEST(p.succeeded(accepted));
    BOOST_TEST(p.succeeded(waits));
    p.check_each_call_told_once();
}

// ---- fail_all ----

BOOST_AUTO_TEST_CASE(fail_all_finishes_every_call_and_forgets_every_queued_item) {
    pipeline p(options(10));
    std::vector<ticket> calls;
    for (int i = 0; i < 5; ++i)
        calls.push_back(p.sync_user(user("u" + std::to_string(i), {role_in("admin", "acme")})));
    calls.push_back(p.ensure_tenant(tenant("beta")));
    calls.push_back(p.assign_role(assignment("u0", "viewer", "default")));
    const ticket done_before = p.ensure_tenant(tenant("default"));
    p.s.begin_flush();
    const auto tenants = p.take_one(lane::tenants);
    const auto users = p.take_one(lane::users);

    p.s.fail_all(boost::asio::error::operation_aborted, "cancelled by client::cancel()");
    p.collect();
    for (const ticket id : calls) {
        BOOST_TEST((p.outcome(id).ec == boost::asio::error::operation_aborted));
        BOOST_TEST(p.outcome(id).diag.client_message == "cancelled by client::cancel()");
    }
    BOOST_TEST(p.succeeded(done_before));
    BOOST_TEST(!p.s.has_queued());
    BOOST_TEST(!p.s.next_due().has_value());
    BOOST_TEST(!p.take().has_value());
    BOOST_TEST(p.s.stats().pending == 0u);
    BOOST_TEST(p.s.room() == 1000u);
    BOOST_TEST(p.s.in_flight() == 2u, "the requests are still out");

    // Their results come back: nobody is told again.
    p.succeed(tenants);
    p.fail(users, code(permit::error::service_unavailable), with_status(503));
    BOOST_TEST(p.s.in_flight() == 0u);
    BOOST_TEST(!p.take().has_value());
    p.s.end_flush();
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(fail_all_tells_each_call_once_when_thousands_wait_for_a_parked_instance) {
    // The instance waits for its tenant; three thousand tuples wait for the instance. Failing the
    // instance's call fails and lets go of the tuples' calls while `fail_all` goes through them.
    auto o = options(10);
    o.max_pending = 5000;
    pipeline p(o);
    const ticket workspace = p.ensure_instance("workspace:w1", "acme");
    std::vector<ticket> tuples;
    for (int i = 0; i < 3000; ++i)
        tuples.push_back(p.write_tuple("account:u" + std::to_string(i), "owner", "workspace:w1"));
    p.s.fail_all(boost::asio::error::operation_aborted, "cancelled");
    p.collect();
    BOOST_TEST((p.outcome(workspace).ec == boost::asio::error::operation_aborted));
    std::size_t aborted = 0;
    for (const ticket id : tuples)
        aborted += p.outcome(id).ec == boost::asio::error::operation_aborted ? 1 : 0;
    BOOST_TEST(aborted == tuples.size());
    BOOST_TEST(p.s.stats().pending == 0u);
    BOOST_TEST(!p.take().has_value());
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_rejection_answered_after_fail_all_sends_nothing_more) {
    pipeline p(options(10));
    p.ensure_tenant(tenant("a"));
    p.ensure_tenant(tenant("b"));
    for (int i = 0; i < 4; ++i) p.sync_user(user("u" + std::to_string(i)));
    p.s.begin_flush();
    const auto tenants = p.take_one(lane::tenants);
    const auto users = p.take_one(lane::users);
    p.s.fail_all(boost::asio::error::operation_aborted, "cancelled");
    p.collect();

    // Rejections that would narrow the batches down: the callers are gone, nothing is re-sent.
    p.fail(tenants, code(permit::error::conflict), with_status(409));
    p.fail(users, code(permit::error::validation_failed),
           unprocessable({invalid({"body", "operations", 1, "email"}, "bad")}));
    const auto more = p.take();
    BOOST_TEST(!more.has_value(), "sent again after fail_all: " << (more ? more->body : ""));
    p.s.end_flush();
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_batch_answered_after_fail_all_does_not_decide_for_later_calls) {
    pipeline p(options(10));
    p.sync_user(user("u1", {role_in("admin", "acme")}));
    p.s.begin_flush();
    const auto old_tenants = p.take_one(lane::tenants);
    const auto old_users = p.take_one(lane::users);
    p.s.fail_all(boost::asio::error::operation_aborted, "cancelled");
    p.collect();

    // New calls for the same user and tenant, after the cancellation.
    const ticket resync = p.sync_user(user("u1", {role_in("admin", "acme")}));
    const ticket waits = p.assign_role(assignment("u1", "editor", "default"));
    // The old requests end (the client aborted them).
    permit::diagnostics aborted;
    aborted.client_message = "cancelled while waiting to retry";
    p.fail(old_tenants, boost::asio::error::operation_aborted, aborted);
    p.fail(old_users, boost::asio::error::operation_aborted, aborted);
    BOOST_TEST(!p.finished(resync), "failed by a request made for a cancelled call");
    BOOST_TEST(!p.finished(waits), "failed by a request made for a cancelled call");

    // Their own requests decide.
    const auto sent = p.run(accept_all);
    bool tenant_sent = false;
    for (const auto& b : sent) tenant_sent = tenant_sent || b.lane == lane::tenants;
    BOOST_TEST(tenant_sent);
    BOOST_TEST(p.succeeded(resync));
    BOOST_TEST(p.succeeded(waits));
    p.check_each_call_told_once();
}

// ---- flush marks ----

BOOST_AUTO_TEST_CASE(drained_before_waits_for_every_earlier_call_and_its_items) {
    pipeline p(options(10));
    BOOST_TEST(p.s.drained_before(p.s.arrive()), "an empty pipeline is drained");
    const ticket earlier = p.sync_user(user("u1"));
    const ticket gone = p.sync_user(user("u2"));
    const ticket mark = p.s.arrive();
    const ticket later = p.sync_user(user("u3", {role_in("admin", "acme")}));
    BOOST_TEST(!p.s.drained_before(mark));

    p.s.begin_flush();
    const auto tenants = p.take_one(lane::tenants);
    const auto users = p.take_one(lane::users);
    p.abandon(gone);
    BOOST_TEST(!p.s.drained_before(mark));
    p.succeed(users);
    BOOST_TEST(p.succeeded(earlier));
    BOOST_TEST(p.s.drained_before(mark), "u2's call was abandoned and its user is back");
    BOOST_TEST(!p.finished(later));
    BOOST_TEST(!p.s.drained_before(later + 1));

    p.succeed(tenants);
    p.succeed(p.take_one(lane::assignments));
    BOOST_TEST(p.s.drained_before(later + 1));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(drained_before_waits_for_a_finished_call_whose_items_are_out) {
    pipeline p(options(10));
    const ticket call = p.sync_user(user("u1"));
    const ticket mark = p.s.arrive();
    p.s.begin_flush();
    const auto users = p.take_one(lane::users);
    p.abandon(call);
    BOOST_TEST(!p.s.drained_before(mark), "its user is in flight");
    p.succeed(users);
    BOOST_TEST(p.s.drained_before(mark));
}

// ---- known tenants ----

BOOST_AUTO_TEST_CASE(the_oldest_known_tenant_is_forgotten_beyond_the_capacity) {
    auto o = options(10);
    o.known_tenants = 2;
    pipeline p(o);
    for (const char* t : {"t1", "t2", "t3"}) p.ensure_tenant(tenant(t));
    p.run(accept_all);
    BOOST_TEST(!p.s.is_known("t1"));
    BOOST_TEST(p.s.is_known("t2"));
    BOOST_TEST(p.s.is_known("t3"));
    BOOST_TEST(p.s.is_known("default"));

    const ticket known = p.ensure_tenant(tenant("t3"));
    BOOST_TEST(p.succeeded(known), "done at once");
    const ticket forgotten = p.ensure_tenant(tenant("t1"));
    BOOST_TEST(!p.finished(forgotten));
    const auto sent = p.run(accept_all);
    BOOST_REQUIRE(sent.size() == 1u);
    BOOST_TEST(keys_of(sent.front()) == keys{"t1"}, boost::test_tools::per_element());
    BOOST_TEST(p.succeeded(forgotten));
    BOOST_TEST(p.s.is_known("t1"));
    BOOST_TEST(!p.s.is_known("t2"), "now the oldest");
    BOOST_TEST(p.s.is_known("t3"));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(no_tenant_is_remembered_when_the_capacity_is_zero) {
    auto o = options(10);
    o.known_tenants = 0;
    pipeline p(o);
    p.ensure_tenant(tenant("t1"));
    p.run(accept_all);
    BOOST_TEST(!p.s.is_known("t1"));
    const ticket again = p.ensure_tenant(tenant("t1"));
    BOOST_TEST(!p.finished(again));
    p.run(accept_all);
    BOOST_TEST(p.s.stats().tenant_batches == 2u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(each_role_is_looked_up_once_before_its_first_assignment) {
    pipeline p;
    for (int i = 0; i < 5; ++i)
        p.sync_user(user("u" + std::to_string(i), {role_in("viewer", "default")}));
    p.assign_role(assignment("u0", "editor", "default"));
    BOOST_TEST(p.role_lookups.size() == 2u);
    BOOST_TEST(p.role_lookups["viewer"] == 1);
    BOOST_TEST(p.role_lookups["editor"] == 1);
    p.run(accept_all);
    // Known now: a later call does not look it up again.
    p.sync_user(user("u9", {role_in("viewer", "default")}));
    BOOST_TEST(p.role_lookups["viewer"] == 1);
    p.run(accept_all);
    for (int i = 0; i < 5; ++i) BOOST_TEST(p.succeeded(static_cast<ticket>(i + 1)));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_missing_role_fails_only_the_calls_that_name_it_and_no_batch_carries_it) {
    pipeline p;
    p.missing_roles = {"ghost"};
    const ticket good = p.sync_user(user("u1", {role_in("viewer", "default")}));
    const ticket bad = p.sync_user(user("u2", {role_in("ghost", "default")}));
    const ticket lone = p.assign_role(assignment("u1", "ghost", "default"));
    // Told at once, before any request.
    BOOST_TEST(p.finished(lone));
    BOOST_TEST(p.outcome(lone).ec == code(permit::error::not_found));
    BOOST_TEST(p.outcome(lone).diag.to_string().find("role 'ghost' does not exist") !=
               std::string::npos);
    const auto sent = p.run(accept_all);
    for (const auto& b : sent) BOOST_TEST(!contains(b, "u2:ghost"));
    BOOST_TEST(p.succeeded(good));
    BOOST_TEST(p.outcome(bad).ec == code(permit::error::not_found));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(ensure_tenant_gives_its_name_to_a_tenant_a_sync_queued_first) {
    pipeline p;
    p.sync_user(user("u1", {role_in("viewer", "acme")}));
    permit::tenant_create named{.key = "acme", .name = "Acme Inc", .description = "the first"};
    const ticket ensured = p.ensure_tenant(named);
    const auto sent = p.run(accept_all);
    BOOST_REQUIRE(!sent.empty());
    BOOST_TEST((sent.front().lane == lane::tenants));
    const auto body = boost::json::parse(sent.front().body);
    const auto& op = body.at("operations").as_array().at(0).as_object();
    BOOST_TEST(op.at("name").as_string() == "Acme Inc");
    BOOST_TEST(op.at("description").as_string() == "the first");
    BOOST_TEST(p.succeeded(ensured));
    p.check_each_call_told_once();
}

// ---- resource instances and relationship tuples ----

BOOST_AUTO_TEST_CASE(a_tuple_waits_for_the_instances_it_names_that_are_in_the_pipeline) {
    pipeline p(options(10));
    const ticket workspace = p.ensure_instance("workspace:w1");
    const ticket owner = p.write_tuple("account:u1", "owner", "workspace:w1", "default");
    // Another tuple, naming no instance of the pipeline, does not wait.
    const ticket other = p.write_tuple("account:u2", "owner", "workspace:w2", "default");
    p.now = t0 + 50ms;
    const auto instances = p.take_one(lane::instances);
    BOOST_TEST(keys_of(instances) == keys{"workspace:w1"}, boost::test_tools::per_element());
    const auto early = p.take_one(lane::tuples);
    BOOST_TEST(keys_of(early) == keys{"account:u2 owner workspace:w2"},
               boost::test_tools::per_element());
    BOOST_TEST(!p.take().has_value(), "the owner tuple waits for its workspace");
    p.succeed(instances);
    BOOST_TEST(p.succeeded(workspace));
    BOOST_TEST(!p.finished(owner));
    const auto late = p.take_one(lane::tuples);
    BOOST_TEST(keys_of(late) == keys{"account:u1 owner workspace:w1"},
               boost::test_tools::per_element());
    p.succeed(early);
    p.succeed(late);
    BOOST_TEST(p.succeeded(owner));
    BOOST_TEST(p.succeeded(other));
    BOOST_TEST(p.s.stats().instances_synced == 1u);
    BOOST_TEST(p.s.stats().tuples_written == 2u);
    BOOST_TEST(p.s.stats().instance_batches == 1u);
    BOOST_TEST(p.s.stats().tuple_batches == 2u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_tuple_whose_instance_was_rejected_fails_with_the_reason) {
    pipeline p(options(10));
    const ticket workspace = p.ensure_instance("workspace:w1");
    const ticket owner = p.write_tuple("account:u1", "owner", "workspace:w1", "default");
    p.now = t0 + 50ms;
    const auto instances = p.take_one(lane::instances);
    p.fail(
        instances, code(permit::error::validation_failed),
        unprocessable({invalid({"body", "operations", 0, "key"}, "string does not match regex")}));
    BOOST_TEST(p.outcome(workspace).ec == code(permit::error::validation_failed));
    BOOST_TEST(p.outcome(owner).ec == code(permit::error::validation_failed));
    BOOST_TEST(p.outcome(owner).diag.client_message.find(
                   "instance 'workspace:w1' was not created") != std::string::npos);
    BOOST_TEST(!p.take().has_value(), "the tuple is never sent");
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(an_instance_waits_for_its_tenant) {
    pipeline p(options(10));
    const ticket call = p.ensure_instance("workspace:w1", "acme");
    p.now = t0 + 50ms;
    const auto tenants = p.take_one(lane::tenants);
    BOOST_TEST(keys_of(tenants) == keys{"acme"}, boost::test_tools::per_element());
    BOOST_TEST(!p.take().has_value());
    p.succeed(tenants);
    const auto instances = p.take_one(lane::instances);
    p.succeed(instances);
    BOOST_TEST(p.succeeded(call));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_role_on_an_instance_waits_for_it_and_is_looked_up_on_its_type) {
    pipeline p(options(10));
    const ticket workspace = p.ensure_instance("workspace:w1");
    permit::role_assignment_create a{.user = "u1",
                                     .role = "owner",
                                     .tenant = default_tenant,
                                     .resource_instance = "workspace:w1"};
    const ticket assigned = p.assign_role(a);
    BOOST_TEST(p.role_lookups["workspace#owner"] == 1, "the resource role, not a tenant role");
    BOOST_TEST(p.role_lookups["owner"] == 0);
    p.now = t0 + 50ms;
    const auto instances = p.take_one(lane::instances);
    BOOST_TEST(!p.take().has_value(), "the assignment waits for its instance");
    p.succeed(instances);
    const auto assignments = p.take_one(lane::assignments);
    p.succeed(assignments);
    BOOST_TEST(p.succeeded(workspace));
    BOOST_TEST(p.succeeded(assigned));

    // A role missing on the type fails the assignment alone.
    p.missing_roles.insert("workspace#auditor");
    a.role = "auditor";
    const ticket missing = p.assign_role(a);
    BOOST_TEST(p.outcome(missing).ec == code(permit::error::not_found));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(calls_on_one_tuple_reach_the_api_in_the_order_they_were_made) {
    pipeline p(options(10));
    const ticket write = p.write_tuple("folder:a", "parent", "doc:1");
    const ticket remove = p.remove_tuple("folder:a", "parent", "doc:1");
    const ticket again = p.write_tuple("folder:a", "parent", "doc:1");
    p.now = t0 + 50ms;
    const auto first = p.take_one(lane::tuples);
    BOOST_TEST(!p.take().has_value(), "the removal waits for the write");
    p.succeed(first);
    BOOST_TEST(p.succeeded(write));
    const auto second = p.take_one(lane::tuple_removals);
    BOOST_TEST(keys_of(second) == keys{"folder:a parent doc:1"}, boost::test_tools::per_element());
    BOOST_TEST(!p.take().has_value(), "the second write waits for the removal");
    p.succeed(second);
    BOOST_TEST(p.succeeded(remove));
    const auto third = p.take_one(lane::tuples);
    p.succeed(third);
    BOOST_TEST(p.succeeded(again));
    BOOST_TEST(p.s.stats().tuples_written == 2u);
    BOOST_TEST(p.s.stats().tuples_removed == 1u);
    BOOST_TEST(p.s.stats().tuple_removal_batches == 1u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_cancelled_call_on_a_tuple_does_not_hold_up_the_next) {
    pipeline p(options(10));
    const ticket write = p.write_tuple("folder:a", "parent", "doc:1");
    const ticket remove = p.remove_tuple("folder:a", "parent", "doc:1");
    const ticket again = p.write_tuple("folder:a", "parent", "doc:1");
    p.abandon(remove);  // parked behind the write
    p.now = t0 + 50ms;
    const auto first = p.take_one(lane::tuples);
    p.succeed(first);
    BOOST_TEST(p.succeeded(write));
    const auto second = p.take_one(lane::tuples);
    p.succeed(second);
    BOOST_TEST(p.succeeded(again));
    // The write at the head of a chain cancelled while queued: the next goes when it is dropped.
    const ticket head = p.write_tuple("folder:b", "parent", "doc:2");
    const ticket next = p.remove_tuple("folder:b", "parent", "doc:2");
    p.abandon(head);
    p.now = t0 + 200ms;
    const auto removal = p.take_one(lane::tuple_removals);
    p.succeed(removal);
    BOOST_TEST(p.succeeded(next));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_tuple_batch_answered_409_confirms_the_existing_and_resends_the_rest) {
    pipeline p(options(10));
    std::vector<ticket> calls;
    for (int i = 0; i < 6; ++i)
        calls.push_back(p.write_tuple("folder:f", "parent", "doc:" + std::to_string(i)));
    p.now = t0 + 50ms;
    const auto batch = p.take_one(lane::tuples);
    p.existing_tuples = {"folder:f parent doc:1", "folder:f parent doc:4"};
    p.fail(batch, code(permit::error::conflict), with_status(409, "already exists"));
    for (int i = 0; i < 6; ++i)
        BOOST_TEST(p.tuple_lookups["folder:f parent doc:" + std::to_string(i)] == 1);
    BOOST_TEST(p.succeeded(calls[1]));
    BOOST_TEST(p.succeeded(calls[4]));
    const auto again = p.take_one(lane::tuples);
    BOOST_TEST(keys_of(again) == (keys{"folder:f parent doc:0", "folder:f parent doc:2",
                                       "folder:f parent doc:3", "folder:f parent doc:5"}),
               boost::test_tools::per_element());
    p.succeed(again);
    for (const ticket id : calls) BOOST_TEST(p.succeeded(id));
    BOOST_TEST(p.s.stats().tuples_existing == 2u);
    BOOST_TEST(p.s.stats().tuples_written == 6u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_removal_batch_answered_404_confirms_the_absent_and_resends_the_rest) {
    pipeline p(options(10));
    const ticket gone = p.remove_tuple("folder:f", "parent", "doc:1");
    const ticket there = p.remove_tuple("folder:f", "parent", "doc:2");
    p.now = t0 + 50ms;
    const auto batch = p.take_one(lane::tuple_removals);
    p.existing_tuples = {"folder:f parent doc:2"};
    p.fail(batch, code(permit::error::not_found), with_status(404, "no such tuple"));
    BOOST_TEST(p.succeeded(gone));
    BOOST_TEST(!p.finished(there));
    const auto again = p.take_one(lane::tuple_removals);
    BOOST_TEST(keys_of(again) == keys{"folder:f parent doc:2"}, boost::test_tools::per_element());
    p.succeed(again);
    BOOST_TEST(p.succeeded(there));
    BOOST_TEST(p.s.stats().tuples_absent == 1u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(a_tuple_the_api_rejects_fails_alone) {
    pipeline p(options(10));
    std::vector<ticket> calls;
    for (int i = 0; i < 4; ++i)
        calls.push_back(p.write_tuple("folder:f", "parent", "doc:" + std::to_string(i)));
    // A 422 that names no item (MISMATCH_RELATION_TYPE): halves until the bad one is alone.
    const auto sent = p.run([](const outgoing_batch& b) -> std::optional<answer> {
        if (contains(b, "folder:f parent doc:2"))
            return answer{code(permit::error::validation_failed),
                          with_status(422, "The relation does not fit the tuple")};
        return std::nullopt;
    });
    BOOST_TEST(sent.size() == 5u, "4, then 2 + 2, then 1 + 1");
    for (int i = 0; i < 4; ++i) BOOST_TEST(p.succeeded(calls[i]) == (i != 2), "call " << i);
    BOOST_TEST(p.outcome(calls[2]).diag.detail == "The relation does not fit the tuple");
    BOOST_TEST(p.s.stats().items_rejected == 1u);
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_CASE(under_a_backlog_a_partial_batch_waits_for_the_batch_in_flight) {
    pipeline p(options(10));
    for (int i = 0; i < 14; ++i) p.sync_user(user("u" + std::to_string(i)));
    p.s.set_backlog(true);
    const auto full = p.take_one(lane::users);
    p.now = t0 + 100ms;
    BOOST_TEST(!p.s.next_due().has_value(), "the four left wait for the answer");
    BOOST_TEST(!p.take().has_value());
    p.succeed(full);
    // Nothing in flight any more: the partial batch is due (its linger is over).
    BOOST_TEST((p.s.next_due() == t0 + 50ms));
    const auto partial = p.take_one(lane::users);
    BOOST_TEST(partial.size == 4u);
    // Without a backlog, a partial batch goes when its linger is over, whatever is in flight.
    p.s.set_backlog(false);
    for (int i = 0; i < 3; ++i) p.sync_user(user("v" + std::to_string(i)));
    p.now = t0 + 150ms;
    BOOST_TEST(p.take_one(lane::users).size == 3u);
}

BOOST_AUTO_TEST_CASE(a_hundred_thousand_signups_take_the_fewest_bulk_calls_the_limits_allow) {
    // Each sign-up: its user, its workspace, and the tuple that makes its account the
    // workspace's owner, with the documented batch limits.
    pipeline p(permit::bulk_options{.max_pending = 400000});
    constexpr int count = 100000;
    for (int i = 0; i < count; ++i) {
        const auto n = std::to_string(i);
        p.sync_user(user("u" + n));
        p.ensure_instance("workspace:w" + n);
        p.write_tuple("account:u" + n, "owner", "workspace:w" + n, default_tenant);
    }
    const auto sent = p.run(accept_all);
    std::map<lane, std::size_t> per_lane;
    for (const auto& b : sent) ++per_lane[b.lane];
    BOOST_TEST(per_lane[lane::users] == 34u);      // ceil(100,000 / 3,000)
    BOOST_TEST(per_lane[lane::instances] == 34u);  // ceil(100,000 / 3,000)
    BOOST_TEST(per_lane[lane::tuples] == 100u);    // 100,000 / 1,000
    BOOST_TEST(sent.size() == 168u);
    BOOST_TEST(p.s.stats().tuples_written == static_cast<std::uint64_t>(count));
    BOOST_TEST(p.outcomes.size() == static_cast<std::size_t>(3 * count));
    p.check_each_call_told_once();
}

BOOST_AUTO_TEST_SUITE_END()
