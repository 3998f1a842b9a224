// Reading response bodies: the documented JSON of a success, and the server's reason of a failure.
#pragma once

#include <permit/diagnostics.hpp>
#include <permit/http/connection.hpp>
#include <permit/models/error_body.hpp>
#include <permit/models/model_error.hpp>
#include <permit/models/page.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <vector>

namespace permit::detail {

/// Parses a 2xx body. Throws `boost::system::system_error` when it is not JSON.
inline boost::json::value parse_body(const std::string& body) {
    boost::system::error_code ec;
    auto jv = boost::json::parse(body, ec);
    if (ec) throw boost::system::system_error(ec, "the response body is not JSON");
    return jv;
}

/// Decodes a 2xx body into `T` (one of the models).
template <class T>
struct json_decoder {
    T operator()(const http::response& r) const {
        return boost::json::value_to<T>(parse_body(r.body));
    }
};

/// Decodes a list reply, in either of its shapes, into a `page<T>`.
template <class T>
struct list_decoder {
    page<T> operator()(const http::response& r) const { return decode_list<T>(parse_body(r.body)); }
};

/// For operations that yield nothing: the body is ignored.
struct no_decoder {};

inline std::string bounded(const std::string& text) {
    if (text.size() <= diagnostics::max_raw_body) return text;
    return text.substr(0, diagnostics::max_raw_body) + "...";
}

/// Fills `d` from a failed response: `ErrorDetails`, a FastAPI `{"detail": ...}` (a list of
/// validation errors or a text), the Cloud PDP's `{"error","message"}`, or the raw text.
inline void read_error_body(const http::response& r, diagnostics& d) {
    d.status = r.status;
    d.request_id = r.request_id;
    boost::system::error_code ec;
    const auto jv = boost::json::parse(r.body, ec);
    const auto* obj = ec ? nullptr : jv.if_object();
    if (!obj) {
        d.raw_body = bounded(r.body);
        return;
    }
    if (const auto* detail = obj->if_contains("detail")) {
        if (const auto* text = detail->if_string()) {
            d.detail = std::string(*text);
            return;
        }
        if (detail->is_array()) {
            try {
                d.validation_errors =
                    boost::json::value_to<std::vector<validation_error_item>>(*detail);
                return;
            } catch (const model_error&) {
            }
        }
        d.detail = bounded(boost::json::serialize(*detail));
        return;
    }
    if (obj->contains("error_code") || obj->contains("title")) {
        try {
            d.details = boost::json::value_to<error_details>(jv);
            if (d.request_id.empty()) d.request_id = d.details->id;
            return;
        } catch (const model_error&) {
        }
    }
    if (const auto* message = obj->if_contains("message"); message && message->is_string()) {
        d.detail = std::string(message->get_string());
        return;
    }
    d.raw_body = bounded(boost::json::serialize(jv));
}

}  // namespace permit::detail
