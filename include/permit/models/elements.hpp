// The Permit Elements login models (https://docs.permit.io/embeddable-uis/element-login): what a
// backend sends to log one of its users in to the embedded Elements, and what it gets back.
#pragma once

#include <permit/models/detail/described.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace permit {

/// UserLoginRequestInput: body of POST /v2/auth/elements_login_as (permit-node
/// `src/openapi/types/user-login-request-input.ts`).
struct elements_login_request {
    /// The key or id of the user to log in.
    std::string user_id;
    /// The key or id of the tenant the user works in; the user must belong to it.
    std::string tenant_id;

    /// Field-by-field equality.
    friend bool operator==(const elements_login_request&, const elements_login_request&) = default;
};

/// EmbeddedLoginRequestOutput, the reply of `elements.login_as`, with `content` as the official
/// SDKs add it (permit-node `src/api/elements.ts`, permit-python `permit/api/elements.py`).
struct elements_login_result {
    /// Where to redirect the user's browser to complete the login (the cookie login method).
    std::string redirect_url;
    /// The token that logs the user in to Elements (the bearer token login method), if any.
    std::optional<std::string> token;
    /// Extra data of the login, if any.
    std::optional<std::string> extra;
    /// Why the login failed, if the API says so in a successful reply.
    std::optional<std::string> error;
    /// The code of that failure, if any.
    std::optional<std::int64_t> error_code;
    /// `{"url": redirect_url}`: what a backend sends its frontend for the header or bearer
    /// login methods. Not on the wire: made from `redirect_url` when the reply is read.
    boost::json::object content;
    /// The fields of the reply that this version does not model, kept as they came.
    boost::json::object unknown_fields;

    /// Field-by-field equality.
    friend bool operator==(const elements_login_result&, const elements_login_result&) = default;
};

PERMIT_DESCRIBE_MODEL(elements_login_request,
                      ({.name = "elements_login_request", .kind = detail::model_kind::request}),
                      (user_id, tenant_id))

/// Boost.JSON conversion (`boost::json::value_from`): the reply's fields, then `content`.
inline void tag_invoke(boost::json::value_from_tag, boost::json::value& jv,
                       const elements_login_result& v) {
    detail::field_writer(jv)
        .field("redirect_url", v.redirect_url)
        .field("token", v.token)
        .field("extra", v.extra)
        .field("error", v.error)
        .field("error_code", v.error_code)
        .field("content", v.content);
    auto& out = jv.get_object();
    for (const auto& field : v.unknown_fields)
        if (!out.contains(field.key())) out.emplace(field.key(), field.value());
}

/// Boost.JSON conversion (`boost::json::value_to`): reads `EmbeddedLoginRequestOutput` and sets
/// `content` to `{"url": redirect_url}`. Throws `permit::model_error` when `jv` is not an object,
/// `redirect_url` is missing, or a field has the wrong type.
inline elements_login_result tag_invoke(boost::json::value_to_tag<elements_login_result>,
                                        const boost::json::value& jv) {
    const detail::field_reader in(jv, "elements_login_result");
    elements_login_result out{.redirect_url = in.required<std::string>("redirect_url"),
                              .token = in.optional<std::string>("token"),
                              .extra = in.optional<std::string>("extra"),
                              .error = in.optional<std::string>("error"),
                              .error_code = in.optional<std::int64_t>("error_code")};
    out.content = boost::json::object{{"url", out.redirect_url}};
    for (const auto& field : in.object()) {
        const auto key = field.key();
        if (key != "redirect_url" && key != "token" && key != "extra" && key != "error" &&
            key != "error_code" && key != "content")
            out.unknown_fields.emplace(key, field.value());
    }
    return out;
}

}  // namespace permit
