// The API's error responses (https://api.permit.io/v2/redoc), thrown by the emulator's state
// and routes and turned into a response by the router.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include <permit/testing/detail/validation.hpp>

namespace permit::testing::detail {

/// An error response: status plus body.
struct api_failure {
    unsigned status;
    boost::json::value body;
};

/// An `ErrorDetails` body with a fresh `id`.
inline boost::json::value error_details(std::string_view error_code, std::string_view title,
                                        std::string message) {
    static std::atomic<std::uint64_t> counter{0};
    char id[37];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(++counter));
    return boost::json::object{{"id", id},
                               {"error_code", error_code},
                               {"title", title},
                               {"message", std::move(message)},
                               {"support_link", "https://permit-io.slack.com/ssb/redirect"}};
}

/// 404 with the wording of the API's NOT_FOUND errors (the example in
/// https://docs.permit.io/api/background-tasks).
inline api_failure not_found(std::string_view object_type) {
    return {404, error_details(
                     "NOT_FOUND", "We could not find the requested object/s",
                     "The requested data could not be found, we could not find '" +
                         std::string(object_type) +
                         "' with the given filters. Please try again with different filters.\n"
                         "If you are sure there is an object with the given filters, contact our "
                         "support on Slack for further guidance.")};
}

/// 404 for a missing role assignment, as the spec words it.
inline api_failure assignment_not_found() {
    return {404, error_details("NOT_FOUND", "We could not find the requested object/s",
                               "Role assignment not found")};
}

/// 409 DUPLICATE_ENTITY. The live title is undocumented [UNCONFIRMED]; the message says "already
/// exists", which is what permit-cli matches duplicates on.
inline api_failure duplicate(std::string_view object_type, std::string_view key) {
    return {409,
            error_details("DUPLICATE_ENTITY", "The object you are trying to create already exists",
                          "A " + std::string(object_type) + " with the key '" + std::string(key) +
                              "' already exists.")};
}

inline api_failure unprocessable(const validation_errors& errors) {
    return {422, errors.body()};
}

/// A single 422 detail item.
inline api_failure unprocessable(boost::json::array loc, std::string_view msg,
                                 std::string_view type) {
    validation_errors errors;
    errors.add(std::move(loc), msg, type);
    return unprocessable(errors);
}

}  // namespace permit::testing::detail
