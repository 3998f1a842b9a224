// The PDP's decisions on the wire (see <permit/detail/decision.hpp>): compiled in every
// translation unit that includes <permit/permit.hpp> by default, or once, in the one that includes
// <permit/src.hpp>, under PERMIT_SEPARATE_COMPILATION.
#pragma once

#include <permit/detail/decision.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/models/model_error.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>

namespace permit::detail {

namespace decision_text {

// A JSON string, escaped as Boost.JSON's serializer escapes it: the quote, the backslash and the
// control characters (with the short forms \b \t \n \f \r, and \u00XX with lowercase digits for
// the others); every other byte as it is.
inline void append_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t plain_from = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto ch = static_cast<unsigned char>(s[i]);
        if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
        out.append(s.data() + plain_from, i - plain_from);
        plain_from = i + 1;
        switch (ch) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\r':
                out += "\\r";
                break;
            default: {
                const char escape[] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
                out.append(escape, sizeof escape);
            }
        }
    }
    out.append(s.data() + plain_from, s.size() - plain_from);
    out += '"';
}

inline void append_member(std::string& out, std::string_view key, std::string_view value) {
    out += ',';
    append_string(out, key);
    out += ':';
    append_string(out, value);
}

inline void append_optional(std::string& out, std::string_view key,
                            const std::optional<std::string>& value) {
    if (value) append_member(out, key, std::string_view(*value));
}

inline void append_object(std::string& out, std::string_view key,
                          const boost::json::object& value) {
    out += ',';
    append_string(out, key);
    out += ':';
    out += boost::json::serialize(value);
}

// Reads the decision of a plain `/allowed` reply (see `plain_decision`) as Boost.JSON's parser
// reports the document: only the members of the outermost object are looked at.
struct decision_handler {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    using error_code = boost::system::error_code;
    using string_view = boost::json::string_view;

    int depth = 0;
    bool top_is_object = false;
    bool key_is_allow = false;  // the outermost object's current key is "allow"
    std::size_t key_length = 0;
    int allows = 0;             // "allow" members seen
    bool allow_is_bool = true;  // every one of them a boolean
    bool allow = false;

    // A value of the outermost object's current member.
    void on_value() {
        if (depth == 1 && key_is_allow) allow_is_bool = false;
    }

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code&) {
        on_value();
        if (depth == 0) top_is_object = true;
        ++depth;
        return true;
    }
    bool on_object_end(std::size_t, error_code&) {
        --depth;
        return true;
    }
    bool on_array_begin(error_code&) {
        on_value();
        ++depth;
        return true;
    }
    bool on_array_end(std::size_t, error_code&) {
        --depth;
        return true;
    }
    bool on_key_part(string_view part, std::size_t, error_code&) {
        if (depth == 1) key_part(part);
        return true;
    }
    bool on_key(string_view part, std::size_t, error_code&) {
        if (depth != 1) return true;
        key_part(part);
        key_is_allow = key_length == 5;
        key_length = 0;
        if (key_is_allow) ++allows;
        return true;
    }
    bool on_string_part(string_view, std::size_t, error_code&) { return true; }
    bool on_string(string_view, std::size_t, error_code&) {
        on_value();
        return true;
    }
    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t, string_view, error_code&) {
        on_value();
        return true;
    }
    bool on_uint64(std::uint64_t, string_view, error_code&) {
        on_value();
        return true;
    }
    bool on_double(double, string_view, error_code&) {
        on_value();
        return true;
    }
    bool on_bool(bool b, error_code&) {
        if (depth == 1 && key_is_allow) allow = b;
        return true;
    }
    bool on_null(error_code&) {
        on_value();
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

    // Follows the key of the outermost object part by part: key_length stays the length of the
    // key so far while it is a prefix of "allow", and goes past 5 otherwise.
    void key_part(string_view part) {
        constexpr std::string_view allow_key = "allow";
        if (key_length <= allow_key.size() && part.size() <= allow_key.size() - key_length &&
            allow_key.substr(key_length, part.size()) == std::string_view(part.data(), part.size()))
            key_length += part.size();
        else
            key_length = allow_key.size() + 1;
    }
};

}  // namespace decision_text

PERMIT_DECL void append_check_query(std::string& out, const check_query& q,
                                    std::string_view default_tenant) {
    using namespace decision_text;
    const std::string_view tenant = q.resource.tenant && !q.resource.tenant->empty()
                                        ? std::string_view(*q.resource.tenant)
                                        : default_tenant;
    out += "{\"user\":{\"key\":";
    append_string(out, q.user.key);
    append_optional(out, "first_name", q.user.first_name);
    append_optional(out, "last_name", q.user.last_name);
    append_optional(out, "email", q.user.email);
    if (!q.user.attributes.empty()) append_object(out, "attributes", q.user.attributes);
    out += "},\"action\":";
    append_string(out, q.action);
    out += ",\"resource\":{\"type\":";
    append_string(out, q.resource.type);
    append_optional(out, "key", q.resource.key);
    append_member(out, "tenant", tenant);
    if (!q.resource.attributes.empty()) append_object(out, "attributes", q.resource.attributes);
    // The tenant copied into the resource's context, as the Python SDK does (a `tenant` given
    // there wins).
    if (q.resource.context.empty()) {
        out += ",\"context\":{\"tenant\":";
        append_string(out, tenant);
        out += '}';
    } else if (q.resource.context.contains("tenant")) {
        append_object(out, "context", q.resource.context);
    } else {
        boost::json::object context = q.resource.context;
        context["tenant"] = tenant;
        append_object(out, "context", context);
    }
    out += '}';
    append_object(out, "context", q.context);
    out += '}';
}

PERMIT_DECL std::string check_query_text(const check_query& q, std::string_view default_tenant) {
    std::string out;
    out.reserve(160 + q.user.key.size() + q.action.size() + q.resource.type.size() +
                2 * default_tenant.size());
    append_check_query(out, q, default_tenant);
    return out;
}

PERMIT_DECL std::optional<bool> plain_decision(std::string_view body) noexcept {
    // Boost.JSON's default limits, as `parse_body` has them.
    boost::json::basic_parser<decision_text::decision_handler> parser{boost::json::parse_options{}};
    boost::system::error_code ec;
    const auto used = parser.write_some(false, body.data(), body.size(), ec);
    if (ec || used != body.size()) return std::nullopt;
    const auto& h = parser.handler();
    if (!h.top_is_object || h.allows != 1 || !h.allow_is_bool) return std::nullopt;
    return h.allow;
}

PERMIT_DECL std::vector<std::string> bulk_answers(const std::string& body) {
    const auto jv = parse_body(body);
    const auto* obj = jv.if_object();
    const boost::json::value* list = obj ? obj->if_contains("allow") : nullptr;
    if (!list && obj) {
        if (const auto* result = obj->if_contains("result"); result && result->is_object())
            list = result->get_object().if_contains("allow");
    }
    if (!list || !list->is_array())
        throw model_error("bulk_check_result", "allow", model_error::kind::wrong_type, "an array");
    std::vector<std::string> out;
    out.reserve(list->get_array().size());
    for (const auto& answer : list->get_array()) out.push_back(boost::json::serialize(answer));
    return out;
}

}  // namespace permit::detail
