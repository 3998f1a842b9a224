#pragma once

#include <permit/models/detail/json_fields.hpp>

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

// --- error_details ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `ErrorDetails` JSON object;
/// unset optional fields are left out.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const error_details& v) {
    detail::field_writer(jv)
        .field("id", v.id)
        .field("title", v.title)
        .field("error_code", v.error_code)
        .field("message", v.message)
        .field("support_link", v.support_link)
        .field("additional_info", v.additional_info);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `ErrorDetails` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline error_details tag_invoke(boost::json::value_to_tag<error_details>,
                                const boost::json::value& jv) {
    const detail::field_reader in(jv, "error_details");
    return {.id = in.required<std::string>("id"),
            .title = in.required<std::string>("title"),
            .error_code = in.required<std::string>("error_code"),
            .message = in.or_default<std::string>("message"),
            .support_link = in.optional<std::string>("support_link"),
            .additional_info = in.optional<boost::json::value>("additional_info")};
}

// --- validation_error_item / validation_error ---

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `ValidationError` JSON
/// object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const validation_error_item& v) {
    detail::field_writer(jv).field("loc", v.loc).field("msg", v.msg).field("type", v.type);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads a `ValidationError` JSON object. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type.
inline validation_error_item tag_invoke(boost::json::value_to_tag<validation_error_item>,
                                        const boost::json::value& jv) {
    const detail::field_reader in(jv, "validation_error_item");
    return {.loc = in.required<boost::json::array>("loc"),
            .msg = in.required<std::string>("msg"),
            .type = in.required<std::string>("type")};
}

/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as an `HTTPValidationError` JSON
/// object.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const validation_error& v) {
    detail::field_writer(jv).field("detail", v.detail);
}

/// Boost.JSON conversion (`boost::json::value_to`): reads an `HTTPValidationError` JSON object.
/// Throws `permit::model_error` when `jv` is not an object, a required field is missing, or a field
/// has the wrong type.
inline validation_error tag_invoke(boost::json::value_to_tag<validation_error>,
                                   const boost::json::value& jv) {
    const detail::field_reader in(jv, "validation_error");
    return {.detail = in.required<std::vector<validation_error_item>>("detail")};
}

}  // namespace permit
