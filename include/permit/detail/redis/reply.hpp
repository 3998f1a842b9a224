// A Redis reply as a plain value, copied out of the client library's reply before it is freed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace permit::detail::redis {

/// One reply of the Redis protocol (RESP2).
struct reply {
    /// What the reply is.
    enum class kind {
        nil,      ///< a null bulk string or array
        integer,  ///< `integer`
        string,   ///< a bulk string, in `text`
        status,   ///< a simple string such as OK, in `text`
        error,    ///< an error reply, in `text` (e.g. "NOSCRIPT No matching script...")
        array,    ///< `elements`
    };
    kind type = kind::nil;
    std::int64_t integer = 0;
    std::string text;
    std::vector<reply> elements;

    /// An error reply whose code (its first word) is `code`, e.g. "NOSCRIPT".
    bool is_error(std::string_view code) const {
        return type == kind::error && text.compare(0, code.size(), code) == 0 &&
               (text.size() == code.size() || text[code.size()] == ' ');
    }
};

}  // namespace permit::detail::redis
