// Checks that a secret appears nowhere in what the client hands back: diagnostics field by field,
// exception messages, log lines.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/diagnostics.hpp>

namespace permit_test {

/// Checks that `secret` nowhere appears in `d`.
inline void check_absent(const permit::diagnostics& d, const std::string& secret) {
    auto check = [&](std::string_view field, const std::string& value) {
        BOOST_TEST(value.find(secret) == std::string::npos,
                   "diagnostics." << field << " holds the secret: " << value);
    };
    check("to_string()", d.to_string());
    check("server_message()", d.server_message());
    check("detail", d.detail);
    check("raw_body", d.raw_body);
    check("request_id", d.request_id);
    check("client_message", d.client_message);
    check("request", d.request);
    if (d.details) {
        check("details.id", d.details->id);
        check("details.title", d.details->title);
        check("details.error_code", d.details->error_code);
        check("details.message", d.details->message);
        check("details.support_link", d.details->support_link.value_or(""));
        if (d.details->additional_info)
            check("details.additional_info", boost::json::serialize(*d.details->additional_info));
    }
    for (const auto& item : d.validation_errors)
        check("validation_errors", boost::json::serialize(item.loc) + item.msg + item.type);
}

}  // namespace permit_test
