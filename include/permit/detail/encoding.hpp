// Percent-encoding of path segments and query values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace permit::detail {

/// Encodes everything but RFC 3986 unreserved characters, so that a user key such as
/// `user|42@example.com` stays one path segment (`|`, `@` and `+` are escaped, as Node's
/// encodeURIComponent and Go's url.PathEscape do).
inline std::string percent_encode(std::string_view in) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(in.size());
    for (const char ch : in) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

/// Builds a query string (`a=1&b=x%20y`) one parameter at a time.
class query_builder {
  public:
    query_builder& add(std::string_view name, std::string_view value) {
        if (!text_.empty()) text_ += '&';
        text_ += name;
        text_ += '=';
        text_ += percent_encode(value);
        return *this;
    }
    query_builder& add_number(std::string_view name, long long value) {
        return add(name, std::to_string(value));
    }
    query_builder& add_flag(std::string_view name, bool value) {
        return add(name, value ? "true" : "false");
    }
    query_builder& add_optional(std::string_view name, const std::optional<std::string>& value) {
        if (value) add(name, *value);
        return *this;
    }
    std::string str() && { return std::move(text_); }

  private:
    std::string text_;
};

}  // namespace permit::detail
