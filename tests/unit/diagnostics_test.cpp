// Reading error bodies into diagnostics (every body shape the API and the PDP answer with, and
// bodies of no known shape), their text, and the exception that carries them.
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/array.hpp>

#include <permit/detail/http/response.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/diagnostics.hpp>
#include <permit/error.hpp>

namespace json = boost::json;

namespace {

permit::detail::http::response make_response(unsigned status, std::string body,
                                             std::string request_id = {}) {
    permit::detail::http::response r;
    r.status = status;
    r.body = std::move(body);
    r.request_id = std::move(request_id);
    return r;
}

permit::diagnostics read(const permit::detail::http::response& r) {
    permit::diagnostics d;
    permit::detail::read_error_body(r, d);
    return d;
}

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

constexpr const char* conflict_body = R"json(
{"id":"req-409-abc","title":"The object already exists","error_code":"DUPLICATE_ENTITY",
 "message":"A user with the key 'jane' already exists."}
)json";

constexpr const char* validation_body =
    R"json({"detail":[{"loc":["body","key"],"msg":"field required","type":"value_error.missing"}]})json";

}  // namespace

BOOST_AUTO_TEST_SUITE(diagnostics)

BOOST_AUTO_TEST_CASE(error_details_body_fills_details_and_the_request_id_falls_back_to_its_id) {
    const auto d = read(make_response(409, conflict_body));
    BOOST_TEST(d.status == 409u);
    BOOST_TEST_REQUIRE(d.details.has_value());
    BOOST_TEST(d.details->error_code == "DUPLICATE_ENTITY");
    BOOST_TEST(d.details->title == "The object already exists");
    BOOST_TEST(d.details->message == "A user with the key 'jane' already exists.");
    BOOST_TEST(d.request_id == "req-409-abc");
    BOOST_TEST(d.validation_errors.empty());
    BOOST_TEST(d.detail.empty());
    BOOST_TEST(d.raw_body.empty());
    BOOST_TEST(contains(d.server_message(), "The object already exists"));
    BOOST_TEST(contains(d.server_message(), "A user with the key 'jane' already exists."));
}

BOOST_AUTO_TEST_CASE(the_request_id_header_wins_over_the_body_id) {
    const auto d = read(make_response(409, conflict_body, "hdr-123"));
    BOOST_TEST(d.request_id == "hdr-123");
    BOOST_TEST_REQUIRE(d.details.has_value());
    BOOST_TEST(d.details->id == "req-409-abc");
}

BOOST_AUTO_TEST_CASE(validation_body_fills_validation_errors) {
    const auto d = read(make_response(422, validation_body));
    BOOST_TEST(d.status == 422u);
    BOOST_TEST_REQUIRE(d.validation_errors.size() == 1u);
    const auto& item = d.validation_errors.front();
    BOOST_TEST((item.loc == json::array{"body", "key"}));
    BOOST_TEST(item.msg == "field required");
    BOOST_TEST(item.type == "value_error.missing");
    BOOST_TEST(!d.details.has_value());
    BOOST_TEST(d.detail.empty());
    BOOST_TEST(contains(d.server_message(), "body -> key: field required (value_error.missing)"));
}

BOOST_AUTO_TEST_CASE(detail_text_body_fills_detail) {
    const auto d = read(make_response(401, R"({"detail":"Missing Authorization header"})"));
    BOOST_TEST(d.status == 401u);
    BOOST_TEST(d.detail == "Missing Authorization header");
    BOOST_TEST(!d.details.has_value());
    BOOST_TEST(d.validation_errors.empty());
    BOOST_TEST(d.server_message() == "Missing Authorization header");
}

BOOST_AUTO_TEST_CASE(cloud_pdp_rate_limit_body_fills_detail_with_its_message) {
    const auto d = read(make_response(
        429, R"({"error":"rate_limited","message":"You have exceeded the rate limit."})"));
    BOOST_TEST(d.status == 429u);
    BOOST_TEST(d.detail == "You have exceeded the rate limit.");
    BOOST_TEST(!d.details.has_value());
    BOOST_TEST(d.raw_body.empty());
    BOOST_TEST(d.server_message() == "You have exceeded the rate limit.");
}

BOOST_AUTO_TEST_CASE(non_json_body_is_kept_raw) {
    const std::string html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    const auto d = read(make_response(502, html));
    BOOST_TEST(d.status == 502u);
    BOOST_TEST(d.raw_body == html);
    BOOST_TEST(!d.details.has_value());
    BOOST_TEST(d.detail.empty());
    BOOST_TEST(d.server_message() == html);
}

BOOST_AUTO_TEST_CASE(long_raw_body_is_cut_to_max_raw_body) {
    const std::size_t max = permit::diagnostics::max_raw_body;

    const std::string at_limit(max, 'x');
    BOOST_TEST(read(make_response(502, at_limit)).raw_body == at_limit);

    const std::string html = "<html>" + std::string(3 * max, 'y') + "</html>";
    const auto d = read(make_response(502, html));
    BOOST_TEST(d.raw_body.size() == max + 3);
    BOOST_TEST(d.raw_body == html.substr(0, max) + "...");
}

BOOST_AUTO_TEST_CASE(bodies_of_an_unexpected_shape_fall_back_without_throwing) {
    // A `detail` list whose items are not validation errors: kept as JSON text.
    const auto odd_list = read(make_response(422, R"({"detail":[1,2]})"));
    BOOST_TEST(odd_list.validation_errors.empty());
    BOOST_TEST(odd_list.detail == "[1,2]");

    // Half an ErrorDetails (no error_code, no id) with a message: the message is kept.
    const auto half = read(make_response(500, R"({"title":"Oops","message":"try later"})"));
    BOOST_TEST(!half.details.has_value());
    BOOST_TEST(half.detail == "try later");

    // JSON that is not an object, and an empty body: kept raw.
    BOOST_TEST(read(make_response(500, "[1,2]")).raw_body == "[1,2]");
    const auto empty = read(make_response(503, ""));
    BOOST_TEST(empty.status == 503u);
    BOOST_TEST(empty.raw_body.empty());
    BOOST_TEST(empty.server_message().empty());
}

BOOST_AUTO_TEST_CASE(to_string_names_the_request_status_reason_and_request_id) {
    auto d = read(make_response(409, conflict_body));
    d.request = "POST /v2/facts/p/e/users";
    d.attempts = 1;
    const auto text = d.to_string();
    BOOST_TEST(contains(text, "POST /v2/facts/p/e/users"));
    BOOST_TEST(contains(text, "HTTP 409"));
    BOOST_TEST(contains(text, d.server_message()));
    BOOST_TEST(contains(text, "req-409-abc"));
    BOOST_TEST(!contains(text, "attempts"));

    d.attempts = 3;
    BOOST_TEST(contains(d.to_string(), "3 attempts"));
}

BOOST_AUTO_TEST_CASE(api_error_carries_the_code_and_the_diagnostics) {
    auto d = read(make_response(409, conflict_body));
    d.request = "POST /v2/facts/p/e/users";
    const auto ec = permit::make_error_code(permit::error::conflict);
    const permit::api_error e(ec, d);
    BOOST_TEST(e.code() == ec);
    BOOST_TEST((e.code() == permit::condition::conflict));
    BOOST_TEST((e.diagnostics() == d));
    BOOST_TEST(contains(e.what(), d.server_message()));
}

BOOST_AUTO_TEST_SUITE_END()
