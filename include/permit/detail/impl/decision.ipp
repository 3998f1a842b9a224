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

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace permit::detail {

namespace decision_text {

// How Boost.JSON's serializer escapes a byte in a string: 0 when it does not, the letter of its
// short escape (\" \\ \b \t \n \f \r), or 'u' for \u00XX (lowercase digits); every byte that is not
// a control character, a quote or a backslash goes as it is.
constexpr std::array<char, 256> escapes = [] {
    std::array<char, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[c] = 'u';
    table['\b'] = 'b';
    table['\t'] = 't';
    table['\n'] = 'n';
    table['\f'] = 'f';
    table['\r'] = 'r';
    table['"'] = '"';
    table['\\'] = '\\';
    return table;
}();

// Text made of pieces, raw or to be written as JSON strings, written at the end of a string
// with one allocation at most and no call per byte.
class text_pieces {
  public:
    void raw(std::string_view text) { add(text, false); }
    void string(std::string_view text) { add(text, true); }

    // Appends the pieces to `out`.
    void append_to(std::string& out) {
        std::size_t size = 0;
        for (std::size_t i = 0; i < count_; ++i) size += measure(pieces_[i]);
        const std::size_t at = out.size();
        out.resize(at + size);
        char* p = out.data() + at;
        for (std::size_t i = 0; i < count_; ++i) p = write(p, pieces_[i]);
    }

  private:
    struct piece {
        std::string_view text;
        bool quoted;
        bool escapes = false;  // set by `measure`: a byte of the string needs an escape
    };

    void add(std::string_view text, bool quoted) {
        // A query has fewer pieces than this (see `append_check_query`).
        if (count_ == pieces_.size()) throw std::length_error("text_pieces: too many pieces");
        pieces_[count_++] = {text, quoted};
    }

    // The piece's size as written.
    static std::size_t measure(piece& p) noexcept {
        if (!p.quoted) return p.text.size();
        std::size_t size = p.text.size() + 2;
        for (const char c : p.text) {
            const char e = escapes[static_cast<unsigned char>(c)];
            if (e) size += e == 'u' ? 5 : 1;
        }
        p.escapes = size != p.text.size() + 2;
        return size;
    }

    static char* write(char* out, const piece& p) noexcept {
        if (!p.quoted || !p.escapes) {
            if (p.quoted) *out++ = '"';
            std::memcpy(out, p.text.data(), p.text.size());
            out += p.text.size();
            if (p.quoted) *out++ = '"';
            return out;
        }
        static constexpr char hex[] = "0123456789abcdef";
        *out++ = '"';
        for (const char c : p.text) {
            const auto byte = static_cast<unsigned char>(c);
            const char e = escapes[byte];
            if (!e) {
                *out++ = c;
            } else if (e != 'u') {
                *out++ = '\\';
                *out++ = e;
            } else {
                const char escape[] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 15]};
                std::memcpy(out, escape, sizeof escape);
                out += sizeof escape;
            }
        }
        *out++ = '"';
        return out;
    }

    std::array<piece, 32> pieces_;
    std::size_t count_ = 0;
};

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
    // The JSON objects, written by Boost.JSON (empty ones are usual and need no writing).
    std::string user_attributes, resource_attributes, resource_context, context;
    if (!q.user.attributes.empty()) user_attributes = boost::json::serialize(q.user.attributes);
    if (!q.resource.attributes.empty())
        resource_attributes = boost::json::serialize(q.resource.attributes);
    // The tenant copied into the resource's context, as the Python SDK does (a `tenant` given
    // there wins).
    if (!q.resource.context.empty()) {
        if (q.resource.context.contains("tenant")) {
            resource_context = boost::json::serialize(q.resource.context);
        } else {
            boost::json::object with_tenant = q.resource.context;
            with_tenant["tenant"] = tenant;
            resource_context = boost::json::serialize(with_tenant);
        }
    }
    if (!q.context.empty()) context = boost::json::serialize(q.context);

    text_pieces text;
    auto optional_member = [&](std::string_view key, const std::optional<std::string>& value) {
        if (!value) return;
        text.raw(key);
        text.string(*value);
    };
    text.raw("{\"user\":{\"key\":");
    text.string(q.user.key);
    optional_member(",\"first_name\":", q.user.first_name);
    optional_member(",\"last_name\":", q.user.last_name);
    optional_member(",\"email\":", q.user.email);
    if (!user_attributes.empty()) {
        text.raw(",\"attributes\":");
        text.raw(user_attributes);
    }
    text.raw("},\"action\":");
    text.string(q.action);
    text.raw(",\"resource\":{\"type\":");
    text.string(q.resource.type);
    optional_member(",\"key\":", q.resource.key);
    text.raw(",\"tenant\":");
    text.string(tenant);
    if (!resource_attributes.empty()) {
        text.raw(",\"attributes\":");
        text.raw(resource_attributes);
    }
    if (resource_context.empty()) {
        text.raw(",\"context\":{\"tenant\":");
        text.string(tenant);
        text.raw("}");
    } else {
        text.raw(",\"context\":");
        text.raw(resource_context);
    }
    text.raw("},\"context\":");
    text.raw(context.empty() ? std::string_view("{}") : std::string_view(context));
    text.raw("}");
    text.append_to(out);
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
