// The rate budget shared through Redis, without a server: the `redis://` URL, the check of the
// Redis settings (refused by a build without Redis), the commands that run the budget's script,
// what its replies say, and the local share used while Redis does not answer.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <permit/detail/rate/shared_budget.hpp>
#include <permit/http_method.hpp>

using namespace std::chrono_literals;

namespace shared_budget_test {

using permit::detail::rate::bit;
using permit::detail::rate::class_set;
using permit::detail::rate::classes_of;
using permit::detail::rate::limit_class;
using permit::detail::rate::shared_budget;
using permit::detail::redis::endpoint;
using permit::detail::redis::reply;
using strings = std::vector<std::string>;

const class_set get_c = classes_of(permit::http_method::get, "/v2/facts/p/e/users");
const class_set put_c = classes_of(permit::http_method::put, "/v2/facts/p/e/users/jane");
const class_set delete_c = classes_of(permit::http_method::delete_, "/v2/facts/p/e/users/jane");

permit::rate_limit_options limits() {
    permit::rate_limit_options o;
    o.all = {1000, 60s};
    o.writes = {300, 60s};
    o.deletes = {0, 60s};  // unlimited: never sent to Redis
    o.bulk = {100, 600s};
    o.redis_url = "redis://127.0.0.1:6379/0";
    o.redis_key_prefix = "p:";
    return o;
}

reply integer(std::int64_t v) {
    reply r;
    r.type = reply::kind::integer;
    r.integer = v;
    return r;
}

reply array(const std::vector<std::int64_t>& values) {
    reply r;
    r.type = reply::kind::array;
    for (const auto v : values) r.elements.push_back(integer(v));
    return r;
}

reply error(const std::string& text) {
    reply r;
    r.type = reply::kind::error;
    r.text = text;
    return r;
}

// The message of the std::invalid_argument that `f` throws; empty when it throws none.
template <class F>
std::string refusal(F f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

}  // namespace shared_budget_test

BOOST_AUTO_TEST_SUITE(redis_endpoint)

BOOST_AUTO_TEST_CASE(the_port_and_database_have_defaults) {
    using namespace shared_budget_test;
    const auto e = endpoint::parse("redis://cache.internal");
    BOOST_TEST(e.host == "cache.internal");
    BOOST_TEST(e.port == 6379);
    BOOST_TEST(e.database == 0u);
    BOOST_TEST(e.password.empty());
    BOOST_TEST(e.to_string() == "redis://cache.internal:6379/0");
}

BOOST_AUTO_TEST_CASE(port_database_and_credentials_are_read) {
    using namespace shared_budget_test;
    const auto e = endpoint::parse("redis://app:s%40cret@127.0.0.1:7000/3");
    BOOST_TEST(e.host == "127.0.0.1");
    BOOST_TEST(e.port == 7000);
    BOOST_TEST(e.database == 3u);
    BOOST_TEST(e.user == "app");
    BOOST_TEST(e.password == "s@cret");
    // What the logs show has no credentials.
    BOOST_TEST(e.to_string() == "redis://127.0.0.1:7000/3");
    const auto only_password = endpoint::parse("redis://:pw@[::1]/");
    BOOST_TEST(only_password.user.empty());
    BOOST_TEST(only_password.password == "pw");
    BOOST_TEST(only_password.host == "::1");
    BOOST_TEST(only_password.to_string() == "redis://[::1]:6379/0");
    // A lone user info is the password, as redis-cli reads it.
    BOOST_TEST(endpoint::parse("redis://pw@h").password == "pw");
}

BOOST_AUTO_TEST_CASE(what_is_not_a_redis_url_is_refused_without_repeating_it) {
    using namespace shared_budget_test;
    for (const std::string url :
         {"http://h:6379", "rediss://h", "redis://", "redis://h:0", "redis://h:70000",
          "redis://h:12x", "redis://h/db", "redis://h/1?x=1", "redis://h/1#f", "not a url",
          "redis://user:topsecret@h:bad"}) {
        const auto why = refusal([&] { (void)endpoint::parse(url); });
        BOOST_TEST(!why.empty(), url);
        BOOST_TEST(why.find("topsecret") == std::string::npos, why);
    }
    BOOST_TEST(refusal([] { (void)endpoint::parse("rediss://h"); }).find("TLS") !=
               std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(shared_budget_commands)

BOOST_AUTO_TEST_CASE(a_config_naming_redis_needs_a_build_with_redis) {
    using namespace shared_budget_test;
    using permit::detail::rate::check_shared_budget_options;
    permit::rate_limit_options local;
    BOOST_CHECK_NO_THROW(check_shared_budget_options(local));
    const auto why = refusal([] { check_shared_budget_options(limits()); });
    if (permit::detail::rate::redis_supported) {
        BOOST_TEST(why.empty(), why);
        auto o = limits();
        o.fallback_share = 1.5;
        BOOST_TEST(!refusal([&] { check_shared_budget_options(o); }).empty());
        o = limits();
        o.redis_url = "redis://h:bad";
        BOOST_TEST(!refusal([&] { check_shared_budget_options(o); }).empty());
    } else {
        BOOST_TEST(why.find("built without Redis") != std::string::npos, why);
    }
}

BOOST_AUTO_TEST_CASE(the_script_is_named_by_its_sha1) {
    using namespace shared_budget_test;
    // FIPS 180-2's example.
    BOOST_TEST(permit::detail::rate::script_sha1("abc") ==
               "a9993e364706816aba3e25717850c26c9cd0d89d");
    const shared_budget b(limits(), 30s);
    BOOST_TEST(b.sha() ==
               permit::detail::rate::script_sha1(permit::detail::rate::shared_budget_script));
}

BOOST_AUTO_TEST_CASE(an_acquire_names_each_limited_class_and_its_limit) {
    using namespace shared_budget_test;
    const shared_budget b(limits(), 30s);
    // A DELETE is in all, writes and deletes; deletes is unlimited here.
    const auto cmd = b.acquire(delete_c, "c1:7", "c1");
    const strings expected{"EVALSHA",  b.sha(),          "5",         "p:all",   "p:all:adapt",
                           "p:writes", "p:writes:adapt", "p:clients", "acquire", "c1:7",
                           "c1",       "30000",          "600000",    "1000",    "60000",
                           "300",      "60000"};
    BOOST_TEST(cmd == expected, boost::test_tools::per_element());
    const auto eval = shared_budget::as_eval(cmd);
    BOOST_TEST(eval[0] == "EVAL");
    BOOST_TEST(eval[1] == std::string(permit::detail::rate::shared_budget_script));
    BOOST_TEST(eval.size() == cmd.size());
}

BOOST_AUTO_TEST_CASE(a_release_says_whether_the_request_was_sent) {
    using namespace shared_budget_test;
    const shared_budget b(limits(), 30s);
    const strings sent{"EVALSHA", b.sha(), "2", "p:all", "p:writes",
                       "release", "c1:7",  "1", "60000", "60000"};
    BOOST_TEST(b.release(put_c, "c1:7", true) == sent, boost::test_tools::per_element());
    BOOST_TEST(b.release(put_c, "c1:7", false)[7] == "0");
}

BOOST_AUTO_TEST_CASE(a_renewal_names_the_tokens_still_held) {
    using namespace shared_budget_test;
    const shared_budget b(limits(), 30s);
    const strings expected{"EVALSHA", b.sha(), "2",     "p:all", "p:writes", "renew",
                           "30000",   "60000", "60000", "c1:7",  "c1:9"};
    BOOST_TEST(b.renew(put_c, {"c1:7", "c1:9"}) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_429_shrinks_the_narrowest_limited_class) {
    using namespace shared_budget_test;
    const shared_budget b(limits(), 30s);
    const auto cmd = b.rate_limited(delete_c, 5s);
    // deletes is unlimited: writes is the narrowest that can slow down.
    BOOST_TEST(cmd.at(2) == "1");
    BOOST_TEST(cmd.at(3) == "p:writes:adapt");
    BOOST_TEST(cmd.at(4) == "rate_limited");
    BOOST_TEST(cmd.at(5) == "300");
    BOOST_TEST(cmd.at(6) == "60000");
    BOOST_TEST(std::stod(cmd.at(7)) == 0.5);
    BOOST_TEST(cmd.at(8) == "5000");
    BOOST_TEST(b.rate_limited(get_c, std::nullopt).at(8) == "0");
    auto unlimited = limits();
    unlimited.all.limit = 0;
    BOOST_TEST(shared_budget(unlimited, 30s).rate_limited(get_c, 5s).empty());
}

BOOST_AUTO_TEST_CASE(the_reply_of_an_acquire_is_read_per_class) {
    using namespace shared_budget_test;
    const shared_budget b(limits(), 30s);
    const auto granted = b.parse_acquire(put_c, array({1, 0, 0, 3, 999, 299}));
    BOOST_TEST(granted.granted);
    BOOST_TEST(granted.clients == 3u);
    BOOST_TEST(*granted.free[0] == 999u);
    BOOST_TEST(*granted.free[1] == 299u);
    BOOST_TEST(!granted.free[2].has_value());
    // The second class given (writes) lacks a token for 1.5 s.
    const auto refused = b.parse_acquire(put_c, array({0, 1500, 2, 2, 10, 0}));
    BOOST_TEST(!refused.granted);
    BOOST_TEST(refused.wait.count() == 1500);
    BOOST_TEST(refused.lacking == bit(limit_class::writes));
}

BOOST_AUTO_TEST_CASE(a_reply_the_script_cannot_give_is_an_error) {
    using namespace shared_budget_test;
    const shared_budget b(limits(), 30s);
    BOOST_CHECK_THROW(b.parse_acquire(put_c, error("ERR something")), std::runtime_error);
    BOOST_CHECK_THROW(b.parse_acquire(put_c, array({1, 0, 0, 1})), std::runtime_error);
    BOOST_CHECK_THROW(b.parse_acquire(put_c, array({1, 0, 0, 1, -1, 2})), std::runtime_error);
    BOOST_CHECK_THROW(b.parse_acquire(put_c, integer(1)), std::runtime_error);
    BOOST_TEST(error("NOSCRIPT No matching script").is_error("NOSCRIPT"));
    BOOST_TEST(!error("NOSCRIPTS x").is_error("NOSCRIPT"));
    BOOST_TEST(!integer(1).is_error("NOSCRIPT"));
}

BOOST_AUTO_TEST_CASE(the_local_share_scales_every_limit_and_keeps_one_at_least) {
    using namespace shared_budget_test;
    auto o = limits();
    o.bulk = {2, 600s};
    const auto quarter = shared_budget::local_share(o, 0.25);
    BOOST_TEST(quarter.all.limit == 250u);
    BOOST_TEST(quarter.writes.limit == 75u);
    BOOST_TEST(quarter.deletes.limit == 0u, "unlimited stays unlimited");
    BOOST_TEST(quarter.bulk.limit == 1u);
    BOOST_TEST((quarter.all.window == 60s));
    BOOST_TEST(shared_budget::local_share(o, 1).writes.limit == 300u);
}

BOOST_AUTO_TEST_SUITE_END()
