#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace permit {

/// ErrorDetails: body of REST API errors other than 422 (404, 409, 400, 401/403, 5xx).
struct error_details {
    std::string id;  ///< request id, worth logging for support
    /// A short summary of the error.
    std::string title;
    std::string error_code;  ///< ErrorCode enum, kept a string so new codes still parse
    std::string message;     ///< optional on the wire, default ""
    /// A link to documentation about the error, when the API sends one.
    std::optional<std::string> support_link;
    /// Further structured details, when the API sends them.
    std::optional<boost::json::value> additional_info;

    /// Field-by-field equality.
    friend bool operator==(const error_details&, const error_details&) = default;
};

/// ValidationError: one item of a 422 HTTPValidationError.detail.
struct validation_error_item {
    boost::json::array loc;  ///< e.g. ["body","key"]; items are strings or integers
    /// What is wrong with the value.
    std::string msg;
    /// The kind of error, as the server names it.
    std::string type;

    /// Field-by-field equality.
    friend bool operator==(const validation_error_item&, const validation_error_item&) = default;
};

/// HTTPValidationError: body of a 422 reply (FastAPI request validation).
struct validation_error {
    /// One item per invalid value.
    std::vector<validation_error_item> detail;

    /// Field-by-field equality.
    friend bool operator==(const validation_error&, const validation_error&) = default;
};

/// Renders a validation `loc` the way the Python SDK prints it: ["body","key"] -> `body -> key`.
inline std::string format_loc(const boost::json::array& loc) {
    std::string out;
    for (std::size_t i = 0; i < loc.size(); ++i) {
        if (i != 0) out += " -> ";
        if (const auto* s = loc[i].if_string())
            out.append(s->data(), s->size());
        else
            out += boost::json::serialize(loc[i]);
    }
    return out;
}

// The JSON conversions of the error bodies come from these descriptions (see
// <permit/models/detail/described.hpp>): `message` defaults to "", as in the API's schema.
PERMIT_DESCRIBE_MODEL(
    error_details,
    ({.name = "error_details", .kind = detail::model_kind::reply, .defaulted = "message"}),
    (id, title, error_code, message, support_link, additional_info))
PERMIT_DESCRIBE_MODEL(
    validation_error_item,
    ({.name = "validation_error_item", .kind = detail::model_kind::reply, .required = "loc"}),
    (loc, msg, type))
PERMIT_DESCRIBE_MODEL(
    validation_error,
    ({.name = "validation_error", .kind = detail::model_kind::reply, .required = "detail"}),
    (detail))

}  // namespace permit
