// The sans-io parts of signup-server: the sign-up form, the account store and the latency
// histogram behind /metrics.
#include <boost/test/unit_test.hpp>

#include <signup_server/accounts.hpp>
#include <signup_server/metrics.hpp>
#include <signup_server/signup_form.hpp>

#include <set>
#include <string>

using namespace signup_server;

namespace {

std::set<std::string> fields_of(const form_result& r) {
    std::set<std::string> out;
    for (const auto& e : r.errors) out.insert(e.field);
    return out;
}

const char* valid_body =
    R"({"email":"Ada.Lovelace+1@Example.org","first_name":"Ada","last_name":"Lovelace",)"
    R"("company":"  Analytical Engines, Ltd.  "})";

}  // namespace

BOOST_AUTO_TEST_SUITE(signup_server_form)

BOOST_AUTO_TEST_CASE(a_valid_form_gives_a_lower_case_key_and_a_tenant_key) {
    const auto r = parse_signup_form(valid_body);
    BOOST_REQUIRE(r.form);
    BOOST_TEST(r.errors.empty());
    BOOST_TEST(r.form->email == "ada.lovelace+1@example.org");
    BOOST_TEST(r.form->company == "  Analytical Engines, Ltd.  ");
    BOOST_TEST(r.form->tenant == "analytical-engines-ltd");
}

BOOST_AUTO_TEST_CASE(every_bad_field_is_named) {
    const auto r = parse_signup_form(R"({"email":"a@b","first_name":" ","last_name":7})");
    BOOST_TEST(!r.form);
    BOOST_TEST(
        (fields_of(r) == std::set<std::string>{"email", "first_name", "last_name", "company"}));
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_an_object_is_refused_as_a_whole) {
    for (const char* body : {"", "not json", "[1,2]", "\"text\"", "{\"email\":"}) {
        const auto r = parse_signup_form(body);
        BOOST_TEST(!r.form);
        BOOST_TEST((fields_of(r) == std::set<std::string>{"body"}), body);
    }
}

BOOST_AUTO_TEST_CASE(a_field_longer_than_the_limit_is_refused) {
    const std::string name(max_field_length + 1, 'x');
    const auto r = parse_signup_form(R"({"email":"a@b.c","first_name":")" + name +
                                     R"(","last_name":"L","company":"C"})");
    BOOST_TEST((fields_of(r) == std::set<std::string>{"first_name"}));
}

BOOST_AUTO_TEST_CASE(emails_that_cannot_be_user_keys_are_refused) {
    for (const char* ok : {"a@b.c", "first.last+tag@sub.example.com", "a_b-c@d.io"})
        BOOST_TEST(is_valid_email(ok), ok);
    for (const char* bad : {"", "@b.c", "a@", "a@b", "a@.c", "a@b.", "a@@b.c", "a@b@c.d", "a b@c.d",
                            "a\"b@c.d", "a/b@c.d", "ä@b.c"})
        BOOST_TEST(!is_valid_email(bad), bad);
}

BOOST_AUTO_TEST_CASE(a_company_becomes_a_tenant_key) {
    BOOST_TEST(tenant_key_of("Acme, Inc.") == "acme-inc");
    BOOST_TEST(tenant_key_of("--Zürich  Labs--") == "z-rich-labs");
    BOOST_TEST(tenant_key_of("!!!") == "");
    BOOST_TEST(tenant_key_of(std::string(100, 'a')).size() == 64u);
    const auto r =
        parse_signup_form(R"({"email":"a@b.c","first_name":"F","last_name":"L","company":"!!!"})");
    BOOST_TEST((fields_of(r) == std::set<std::string>{"company"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signup_server_accounts)

BOOST_AUTO_TEST_CASE(an_email_has_one_account_until_it_is_closed) {
    account_store store;
    const auto form = *parse_signup_form(valid_body).form;
    const auto opened = store.open(form);
    BOOST_REQUIRE(opened);
    BOOST_TEST(opened->id == "ada.lovelace+1@example.org");
    BOOST_TEST(!store.open(form));
    store.close(opened->id);
    BOOST_TEST(store.open(form).has_value());
}

BOOST_AUTO_TEST_CASE(only_a_synced_account_is_found) {
    account_store store;
    const auto a = *store.open(*parse_signup_form(valid_body).form);
    BOOST_TEST(!store.find_synced(a.id));
    store.mark_synced(a.id);
    const auto found = store.find_synced(a.id);
    BOOST_REQUIRE(found);
    BOOST_TEST(found->tenant == "analytical-engines-ltd");
    BOOST_TEST(!store.find_synced("someone@else.org"));
}

BOOST_AUTO_TEST_CASE(the_first_sign_up_of_a_company_is_told_once_unless_forgotten) {
    account_store store;
    BOOST_TEST(store.first_of_tenant("acme"));
    BOOST_TEST(!store.first_of_tenant("acme"));
    store.forget_tenant("acme");
    BOOST_TEST(store.first_of_tenant("acme"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signup_server_metrics)

BOOST_AUTO_TEST_CASE(percentiles_are_within_a_bucket_of_the_truth) {
    latency_histogram h;
    BOOST_TEST(h.percentile_us(0.5) == 0.0);
    // 1..1000 µs, once each: the median is 500 µs, the 99th percentile 990 µs.
    for (int us = 1; us <= 1000; ++us) h.record(std::chrono::microseconds(us));
    const double p50 = h.percentile_us(0.50), p99 = h.percentile_us(0.99);
    BOOST_TEST(p50 >= 500.0);
    BOOST_TEST(p50 <= 500.0 * 1.19);
    BOOST_TEST(p99 >= 990.0);
    BOOST_TEST(p99 <= 990.0 * 1.19);
}

BOOST_AUTO_TEST_CASE(latencies_beyond_the_range_land_in_the_end_buckets) {
    latency_histogram h;
    h.record(std::chrono::nanoseconds(10));
    BOOST_TEST(h.percentile_us(1.0) <= 1.19);
    h.record(std::chrono::hours(5));
    BOOST_TEST(h.percentile_us(1.0) == std::exp2(double(latency_histogram::buckets) / 4));
}

BOOST_AUTO_TEST_CASE(the_metrics_hold_the_counters_and_the_clients) {
    server_metrics m;
    ++m.signups;
    ++m.signups_failed;
    m.checks_allowed += 3;
    const auto j = m.to_json({.requests = 12, .retries = 1, .rate_limited = 2},
                             {.users_synced = 1, .user_batches = 1});
    BOOST_TEST(j.at("signups").at("created").as_uint64() == 1u);
    BOOST_TEST(j.at("signups").at("failed").as_uint64() == 1u);
    BOOST_TEST(j.at("checks").at("allowed").as_uint64() == 3u);
    BOOST_TEST(j.at("permit").at("requests").as_uint64() == 12u);
    BOOST_TEST(j.at("permit").at("rate_limited").as_uint64() == 2u);
    BOOST_TEST(j.at("permit").at("user_batches").as_uint64() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
