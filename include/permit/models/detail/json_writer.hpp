#pragma once

// Appends the JSON text of a value to a string: the same bytes as
// `boost::json::serialize(boost::json::value_from(v))`, written as the value is walked, without
// building a `boost::json::value` first (one JSON object per model, allocated and freed again, is
// what a bulk body of thousands of users would otherwise cost).
//
// - a model described with `PERMIT_DESCRIBE_MODEL`: its members by the rules of
//   <permit/models/detail/described.hpp>, in the order described, then its unknown fields that
//   do not name a member already written;
// - strings: escaped as Boost.JSON's serializer escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
//   `\t`, any other control character as `\u00xx` in lowercase hex; everything else, UTF-8 above
//   ASCII and `/` included, as it is);
// - `bool`, integers; floating point numbers in Boost.JSON's own format (by its serializer);
// - `std::optional` (its value, or `null`), `std::vector` (an array), a map with string keys (an
//   object in the map's order), `boost::json::value`, `object`, `array` and `string`;
// - anything else with a Boost.JSON conversion: through `boost::json::value_from`.

#include <permit/models/detail/described.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace permit::detail {

template <class T>
void append_json(std::string& out, const T& value);

/// For each byte, how Boost.JSON's serializer writes it in a string: 0 as it is, `u` as
/// `\u00xx`, any other character `c` as a backslash and `c`.
inline constexpr std::array<char, 256> json_escapes = [] {
    std::array<char, 256> table{};
    for (std::size_t c = 0; c < 0x20; ++c) table[c] = 'u';
    table['\b'] = 'b';
    table['\t'] = 't';
    table['\n'] = 'n';
    table['\f'] = 'f';
    table['\r'] = 'r';
    table['"'] = '"';
    table['\\'] = '\\';
    return table;
}();

/// Whether writing `s` as a JSON string escapes any of its characters.
constexpr bool needs_json_escape(std::string_view s) noexcept {
    for (const char c : s)
        if (json_escapes[static_cast<unsigned char>(c)] != 0) return true;
    return false;
}

/// The first byte in [p, end) that a JSON string escapes, or `end`. Eight bytes are looked at
/// together while none of them needs it (the common case: keys, names and e-mail addresses).
inline const char* next_json_escape(const char* p, const char* const end) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101;
    constexpr std::uint64_t highs = 0x8080808080808080;
    // Whether a byte of `w` is below `n` (n <= 128): exact as a yes or no for the word.
    constexpr auto has_below = [](std::uint64_t w, std::uint64_t n) {
        return (w - ones * n) & ~w & highs;
    };
    while (end - p >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, sizeof w);
        if (has_below(w, 0x20) | has_below(w ^ (ones * '"'), 1) | has_below(w ^ (ones * '\\'), 1))
            break;
        p += 8;
    }
    while (p != end && json_escapes[static_cast<unsigned char>(*p)] == 0) ++p;
    return p;
}

/// Appends `s` as a JSON string, quoted and escaped. A string with nothing to escape is appended
/// in one piece. `s` is not a part of `out`.
inline void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    const char* run = s.data();
    const char* const end = run + s.size();
    const char* const first_escape = next_json_escape(run, end);
    if (first_escape == end) {
        // Nothing to escape: the quotes and the text in one step.
        const std::size_t at = out.size();
        out.resize(at + s.size() + 2);
        char* const to = out.data() + at;
        to[0] = '"';
        if (!s.empty()) std::memcpy(to + 1, s.data(), s.size());
        to[s.size() + 1] = '"';
        return;
    }
    out += '"';
    for (const char* p = first_escape;; p = next_json_escape(run, end)) {
        out.append(run, p);
        if (p == end) break;
        const auto byte = static_cast<unsigned char>(*p);
        const char escape = json_escapes[byte];
        if (escape == 'u') {
            const char text[] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 15]};
            out.append(text, sizeof text);
        } else {
            const char text[] = {'\\', escape};
            out.append(text, sizeof text);
        }
        run = p + 1;
    }
    out += '"';
}

/// Appends an integer in decimal, as Boost.JSON writes an `int64` or a `uint64`.
template <class Integer>
void append_json_integer(std::string& out, Integer n) {
    char text[24];
    const auto end = std::to_chars(text, text + sizeof text, n).ptr;
    out.append(text, end);
}

/// Appends a number as Boost.JSON's serializer writes a `double` (`1E-1`, `-0E0`, ...).
inline void append_json_double(std::string& out, double d) {
    const boost::json::value jv(d);
    boost::json::serializer sr;
    sr.reset(&jv);
    char text[64];
    while (!sr.done()) {
        const auto part = sr.read(text);
        out.append(part.data(), part.size());
    }
}

inline void append_json(std::string& out, const boost::json::value& v);

inline void append_json(std::string& out, const boost::json::object& o) {
    out += '{';
    bool first = true;
    for (const auto& field : o) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, std::string_view(field.key().data(), field.key().size()));
        out += ':';
        append_json(out, field.value());
    }
    out += '}';
}

inline void append_json(std::string& out, const boost::json::array& a) {
    out += '[';
    bool first = true;
    for (const auto& item : a) {
        if (!first) out += ',';
        first = false;
        append_json(out, item);
    }
    out += ']';
}

inline void append_json(std::string& out, const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null:
            out += "null";
            return;
        case boost::json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            return;
        case boost::json::kind::int64:
            return append_json_integer(out, v.get_int64());
        case boost::json::kind::uint64:
            return append_json_integer(out, v.get_uint64());
        case boost::json::kind::double_:
            return append_json_double(out, v.get_double());
        case boost::json::kind::string:
            return append_json_string(out, std::string_view(v.get_string()));
        case boost::json::kind::array:
            return append_json(out, v.get_array());
        case boost::json::kind::object:
            return append_json(out, v.get_object());
    }
}

/// The JSON names of a model's described members, in order.
template <class T>
inline constexpr auto model_member_names =
    []<template <class...> class L, class... Member>(L<Member...>) {
        return std::array<std::string_view, sizeof...(Member)>{Member::name...};
    }(model_members<T>{});

/// `,"<name>":`, what precedes a member in an object: appended in one piece, from its second
/// character for the first member. A member's name is a C++ identifier, with nothing to escape
/// (checked in `append_model_json`).
template <class Member>
inline constexpr auto member_prefix = [] {
    constexpr std::string_view name = Member::name;
    std::array<char, name.size() + 4> text{};
    text[0] = ',';
    text[1] = '"';
    for (std::size_t i = 0; i < name.size(); ++i) text[i + 2] = name[i];
    text[name.size() + 2] = '"';
    text[name.size() + 3] = ':';
    return text;
}();

/// Appends a described model, as its `tag_invoke(value_from_tag, ...)` in
/// <permit/models/detail/described.hpp> builds it: each member by `write_member`'s rules, then each
/// unknown field whose name is not one of the members written.
template <described_model T>
void append_model_json(std::string& out, const T& v) {
    constexpr auto& names = model_member_names<T>;
    [[maybe_unused]] std::array<bool, names.size()> written{};
    std::size_t index = 0;
    bool first = true;
    out += '{';
    auto append_field = [&](const auto& prefix, const auto& value) {
        const std::size_t skip = first ? 1 : 0;
        out.append(prefix.data() + skip, prefix.size() - skip);
        first = false;
        append_json(out, value);
        written[index] = true;
    };
    boost::mp11::mp_for_each<model_members<T>>([&](auto member) {
        using member_type = std::remove_cvref_t<decltype(v.*member.pointer)>;
        constexpr std::string_view name = decltype(member)::name;
        static_assert(!needs_json_escape(name));
        constexpr const auto& prefix = member_prefix<decltype(member)>;
        const auto& m = v.*member.pointer;
        if constexpr (is_optional<member_type>::value) {
            if (m) append_field(prefix, *m);
        } else if constexpr (is_container_v<member_type>) {
            constexpr model_rules rules = permit_model_rules(static_cast<const T*>(nullptr));
            constexpr bool leaves_out_empty =
                rules.kind == model_kind::request && !rules.is_required(name);
            if (!(leaves_out_empty && m.empty())) append_field(prefix, m);
        } else {
            append_field(prefix, m);
        }
        ++index;
    });
    if constexpr (keeps_unknown_fields<T>) {
        for (const auto& field : v.unknown_fields) {
            const std::string_view key(field.key().data(), field.key().size());
            bool taken = false;
            for (std::size_t i = 0; i < names.size(); ++i)
                if (written[i] && names[i] == key) taken = true;
            if (taken) continue;
            if (!first) out += ',';
            first = false;
            append_json_string(out, key);
            out += ':';
            append_json(out, field.value());
        }
    }
    out += '}';
}

/// Appends the JSON text of `value` to `out`: the same bytes as
/// `boost::json::serialize(boost::json::value_from(value))` (for `std::optional`, which
/// Boost.JSON 1.81 does not convert, the value or `null`). Throws what allocating `out` throws.
template <class T>
void append_json(std::string& out, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        out += value ? "true" : "false";
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view> ||
                         std::is_same_v<T, boost::json::string>) {
        append_json_string(out, std::string_view(value.data(), value.size()));
    } else if constexpr (std::is_same_v<T, boost::json::value> ||
                         std::is_same_v<T, boost::json::object> ||
                         std::is_same_v<T, boost::json::array>) {
        append_json(out, value);
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, char> &&
                         !std::is_same_v<T, wchar_t> && !std::is_same_v<T, char8_t> &&
                         !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t>) {
        append_json_integer(out, value);
    } else if constexpr (std::is_floating_point_v<T>) {
        append_json_double(out, static_cast<double>(value));
    } else if constexpr (described_model<T>) {
        append_model_json(out, value);
    } else if constexpr (is_optional<T>::value) {
        if (value)
            append_json(out, *value);
        else
            out += "null";
    } else if constexpr (is_std_vector<T>::value) {
        out += '[';
        bool first = true;
        for (const auto& item : value) {
            if (!first) out += ',';
            first = false;
            append_json(out, item);
        }
        out += ']';
    } else if constexpr (is_string_map<T>::value) {
        out += '{';
        bool first = true;
        for (const auto& [key, item] : value) {
            if (!first) out += ',';
            first = false;
            append_json_string(out, key);
            out += ':';
            append_json(out, item);
        }
        out += '}';
    } else {
        append_json(out, boost::json::value_from(value));
    }
}

/// Appends a JSON array of `project(item)` for each of `items`. Once the first item is written,
/// room for the others is reserved at its size and a quarter more each (up to 8 MiB; a longer
/// text grows as a string does).
template <class Range, class Projection = std::identity>
void append_json_array(std::string& out, const Range& items, Projection project = {}) {
    constexpr std::size_t reserve_at_most = std::size_t{8} << 20;
    out += '[';
    const std::size_t count = std::size(items);
    std::size_t written = 0;
    for (const auto& item : items) {
        if (written > 0) out += ',';
        const std::size_t before = out.size();
        append_json(out, std::invoke(project, item));
        if (++written == 1 && count > 1) {
            const std::size_t each = out.size() - before + 1;
            const std::size_t rest = std::min((count - 1) * (each + each / 4) + 2, reserve_at_most);
            out.reserve(out.size() + rest);
        }
    }
    out += ']';
}

/// `{"<name>":[...]}`: an object whose one member is the array `append_json_array` writes.
template <class Range, class Projection = std::identity>
std::string json_object_with_array(std::string_view name, const Range& items,
                                   Projection project = {}) {
    std::string out;
    out += '{';
    append_json_string(out, name);
    out += ':';
    append_json_array(out, items, std::move(project));
    out += '}';
    return out;
}

/// A JSON array of `project(item)` for each of `items`, as `append_json_array` writes it.
template <class Range, class Projection = std::identity>
std::string json_array(const Range& items, Projection project = {}) {
    std::string out;
    append_json_array(out, items, std::move(project));
    return out;
}

}  // namespace permit::detail
