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

#include <boost/config.hpp>
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
#include <tuple>
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
/// together while none of them needs it (the common case: keys, names and e-mail addresses), and
/// the last eight of a string of eight or more bytes as well, rather than its tail one by one.
inline const char* next_json_escape(const char* p, const char* const end) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101;
    constexpr std::uint64_t highs = 0x8080808080808080;
    // Whether a byte of the eight at `at` needs escaping. (A byte of `w` below `n`, n <= 128, is
    // told exactly as a yes or no for the word.)
    constexpr auto any_to_escape = [](const char* at) {
        constexpr auto has_below = [](std::uint64_t w, std::uint64_t n) {
            return (w - ones * n) & ~w & highs;
        };
        std::uint64_t w;
        std::memcpy(&w, at, sizeof w);
        return (has_below(w, 0x20) | has_below(w ^ (ones * '"'), 1) |
                has_below(w ^ (ones * '\\'), 1)) != 0;
    };
    if (end - p >= 8) {
        while (end - p >= 8 && !any_to_escape(p)) p += 8;
        // The tail, as the last eight bytes (some of them looked at already).
        if (p == end || (end - p < 8 && !any_to_escape(end - 8))) return end;
    }
    while (p != end && json_escapes[static_cast<unsigned char>(*p)] == 0) ++p;
    return p;
}

/// The end of a string that JSON text is appended to. Room is made ahead in steps (the string
/// resized by half the text written so far, or more), and each piece is copied in through a
/// pointer: a string's own `append` and `+=` check and store its size on every piece, which costs
/// more than the copy for the short pieces of a model (a quote, a member's name, a key). The
/// string holds exactly the text written once the output is destroyed, after an exception too.
///
/// One output at a time writes to a string, and nothing else touches the string meanwhile.
class json_output {
  public:
    explicit json_output(std::string& out) noexcept
        : out_(out), start_(out.size()), end_(out.size()) {}
    json_output(const json_output&) = delete;
    json_output& operator=(const json_output&) = delete;
    /// Drops the room made ahead (a string shrinks without allocating).
    ~json_output() { out_.resize(end_); }

    /// Room for at least `n` bytes at the end of the text; `advance` then counts those written.
    char* room(std::size_t n) {
        if (out_.size() - end_ < n) grow(n);
        return out_.data() + end_;
    }
    void advance(std::size_t n) noexcept { end_ += n; }

    void put(char c) {
        *room(1) = c;
        ++end_;
    }
    void put(std::string_view s) {
        if (s.empty()) return;
        std::memcpy(room(s.size()), s.data(), s.size());
        end_ += s.size();
    }

    /// Makes room for `n` more bytes at once (an array's estimated size).
    void reserve(std::size_t n) {
        if (out_.size() - end_ < n) out_.resize(end_ + n);
    }

    /// The length of the text written so far.
    std::size_t size() const noexcept { return end_; }

  private:
    // Out of line: `room` is inlined into every piece written, and rarely grows the string.
    BOOST_NOINLINE void grow(std::size_t n) {
        // By half the text written so far: each byte is zeroed about once more than written, and
        // a string that many short outputs append to is not zeroed over and over.
        constexpr std::size_t at_least = 256;
        out_.resize(end_ + std::max({n, (end_ - start_) / 2, at_least}));
    }

    std::string& out_;
    std::size_t start_;  // where this output's text starts
    std::size_t end_;    // the text is out_[0, end_); the rest is room made ahead
};

/// Appends `s` as a JSON string, quoted and escaped. A string with nothing to escape is copied in
/// one piece. `s` is not a part of the output's string.
inline void append_json_string(json_output& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    const char* run = s.data();
    const char* const end = run + s.size();
    const char* const first_escape = next_json_escape(run, end);
    if (first_escape == end) {
        char* const to = out.room(s.size() + 2);
        to[0] = '"';
        if (!s.empty()) std::memcpy(to + 1, s.data(), s.size());
        to[s.size() + 1] = '"';
        out.advance(s.size() + 2);
        return;
    }
    out.put('"');
    for (const char* p = first_escape;; p = next_json_escape(run, end)) {
        out.put(std::string_view(run, static_cast<std::size_t>(p - run)));
        if (p == end) break;
        const auto byte = static_cast<unsigned char>(*p);
        const char escape = json_escapes[byte];
        if (escape == 'u') {
            const char text[] = {'\\', 'u', '0', '0', hex[byte >> 4], hex[byte & 15]};
            out.put(std::string_view(text, sizeof text));
        } else {
            const char text[] = {'\\', escape};
            out.put(std::string_view(text, sizeof text));
        }
        run = p + 1;
    }
    out.put('"');
}

/// As above, at the end of `out`.
inline void append_json_string(std::string& out, std::string_view s) {
    json_output o(out);
    append_json_string(o, s);
}

/// Appends an integer in decimal, as Boost.JSON writes an `int64` or a `uint64`.
template <class Integer>
void append_json_integer(json_output& out, Integer n) {
    constexpr std::size_t digits_at_most = 24;
    char* const to = out.room(digits_at_most);
    out.advance(static_cast<std::size_t>(std::to_chars(to, to + digits_at_most, n).ptr - to));
}

/// Appends a number as Boost.JSON's serializer writes a `double` (`1E-1`, `-0E0`, ...).
inline void append_json_double(json_output& out, double d) {
    const boost::json::value jv(d);
    boost::json::serializer sr;
    sr.reset(&jv);
    char text[64];
    while (!sr.done()) {
        const auto part = sr.read(text);
        out.put(std::string_view(part.data(), part.size()));
    }
}

inline void append_json(json_output& out, const boost::json::value& v);

inline void append_json(json_output& out, const boost::json::object& o) {
    out.put('{');
    bool first = true;
    for (const auto& field : o) {
        if (!first) out.put(',');
        first = false;
        append_json_string(out, std::string_view(field.key().data(), field.key().size()));
        out.put(':');
        append_json(out, field.value());
    }
    out.put('}');
}

inline void append_json(json_output& out, const boost::json::array& a) {
    out.put('[');
    bool first = true;
    for (const auto& item : a) {
        if (!first) out.put(',');
        first = false;
        append_json(out, item);
    }
    out.put(']');
}

inline void append_json(json_output& out, const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null:
            out.put("null");
            return;
        case boost::json::kind::bool_:
            out.put(v.get_bool() ? "true" : "false");
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

/// `,"<name>":`, what precedes a member in an object: copied in one piece, from its second
/// character for the first member, and followed by a spare byte so that the copy from either
/// start has one constant size. A member's name is a C++ identifier, with nothing to escape
/// (checked in `append_model_json`).
template <class Member>
inline constexpr auto member_prefix = [] {
    constexpr std::string_view name = Member::name;
    std::array<char, name.size() + 5> text{};
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
void append_model_json(json_output& out, const T& v) {
    constexpr auto& names = model_member_names<T>;
    [[maybe_unused]] std::array<bool, names.size()> written{};
    std::size_t index = 0;
    bool first = true;
    out.put('{');
    auto append_field = [&](const auto& prefix, const auto& value) {
        constexpr std::size_t length = std::tuple_size_v<std::remove_cvref_t<decltype(prefix)>> - 1;
        const std::size_t skip = first ? 1 : 0;
        std::memcpy(out.room(length), prefix.data() + skip, length);
        out.advance(length - skip);
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
            if (!first) out.put(',');
            first = false;
            append_json_string(out, key);
            out.put(':');
            append_json(out, field.value());
        }
    }
    out.put('}');
}

/// Appends the JSON text of `value` to `out`: the same bytes as
/// `boost::json::serialize(boost::json::value_from(value))` (for `std::optional`, which
/// Boost.JSON 1.81 does not convert, the value or `null`). Throws what allocating the text
/// throws.
template <class T>
void append_json(json_output& out, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        out.put(value ? "true" : "false");
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
            out.put("null");
    } else if constexpr (is_std_vector<T>::value) {
        out.put('[');
        bool first = true;
        for (const auto& item : value) {
            if (!first) out.put(',');
            first = false;
            append_json(out, item);
        }
        out.put(']');
    } else if constexpr (is_string_map<T>::value) {
        out.put('{');
        bool first = true;
        for (const auto& [key, item] : value) {
            if (!first) out.put(',');
            first = false;
            append_json_string(out, key);
            out.put(':');
            append_json(out, item);
        }
        out.put('}');
    } else {
        append_json(out, boost::json::value_from(value));
    }
}

/// As above, at the end of `out`.
template <class T>
void append_json(std::string& out, const T& value) {
    json_output o(out);
    append_json(o, value);
}

/// Appends a JSON array of `project(item)` for each of `items`. Once the first item is written,
/// room for the others is reserved at its size and a quarter more each (up to 8 MiB; a longer
/// text grows as a string does).
template <class Range, class Projection = std::identity>
void append_json_array(json_output& out, const Range& items, Projection project = {}) {
    constexpr std::size_t reserve_at_most = std::size_t{8} << 20;
    out.put('[');
    const std::size_t count = std::size(items);
    std::size_t written = 0;
    for (const auto& item : items) {
        if (written > 0) out.put(',');
        const std::size_t before = out.size();
        append_json(out, std::invoke(project, item));
        if (++written == 1 && count > 1) {
            const std::size_t each = out.size() - before + 1;
            out.reserve(std::min((count - 1) * (each + each / 4) + 2, reserve_at_most));
        }
    }
    out.put(']');
}

/// As above, at the end of `text`.
template <class Range, class Projection = std::identity>
void append_json_array(std::string& text, const Range& items, Projection project = {}) {
    json_output out(text);
    append_json_array(out, items, std::move(project));
}

/// Appends `{"<name>":[...]}` to `text`: an object whose one member is the array
/// `append_json_array` writes.
template <class Range, class Projection = std::identity>
void append_json_object_with_array(std::string& text, std::string_view name, const Range& items,
                                   Projection project = {}) {
    json_output out(text);
    out.put('{');
    append_json_string(out, name);
    out.put(':');
    append_json_array(out, items, std::move(project));
    out.put('}');
}

/// `{"<name>":[...]}`, as `append_json_object_with_array` writes it.
template <class Range, class Projection = std::identity>
std::string json_object_with_array(std::string_view name, const Range& items,
                                   Projection project = {}) {
    std::string text;
    append_json_object_with_array(text, name, items, std::move(project));
    return text;
}

/// A JSON array of `project(item)` for each of `items`, as `append_json_array` writes it.
template <class Range, class Projection = std::identity>
std::string json_array(const Range& items, Projection project = {}) {
    std::string text;
    append_json_array(text, items, std::move(project));
    return text;
}

}  // namespace permit::detail
