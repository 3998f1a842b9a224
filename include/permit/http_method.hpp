// The HTTP methods the client sends, without the HTTP library's headers.
#pragma once

#include <string_view>

namespace permit {

/// The method of a request (`raw_request::method`). The enumerators are those of the HTTP
/// methods the Permit APIs use.
enum class http_method { get, head, post, put, patch, delete_ };

/// The method's name as sent on the wire: `"GET"`, `"DELETE"`, ...
constexpr std::string_view to_string(http_method m) noexcept {
    switch (m) {
        case http_method::get:
            return "GET";
        case http_method::head:
            return "HEAD";
        case http_method::post:
            return "POST";
        case http_method::put:
            return "PUT";
        case http_method::patch:
            return "PATCH";
        case http_method::delete_:
            return "DELETE";
    }
    return "GET";
}

}  // namespace permit
