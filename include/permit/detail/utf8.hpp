// UTF-8 well-formedness (RFC 3629): what a server or an input file sends may be any bytes, and
// text that the library hands on (diagnostics, reject reasons) must stay text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace permit::detail {

/// The length of the well-formed UTF-8 sequence that `text` starts with, or 0 when it starts with
/// none (a stray continuation byte, an overlong form, a surrogate, a code point past U+10FFFF, or
/// a sequence cut short). Thread-safe.
inline std::size_t utf8_sequence_length(std::string_view text) noexcept {
    if (text.empty()) return 0;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // no overlong forms
        if (lead == 0xED) high = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // no overlong forms
        if (lead == 0xF4) high = 0x8F;  // nothing past U+10FFFF
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i)
        if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    return length;
}

/// The offset of the first byte of `text` that is not part of well-formed UTF-8, or `npos`.
/// Thread-safe.
inline std::size_t first_invalid_utf8(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size();) {
        const auto n = utf8_sequence_length(text.substr(i));
        if (n == 0) return i;
        i += n;
    }
    return std::string_view::npos;
}

/// `text` with every byte that is not part of well-formed UTF-8 written as `\xNN`: the result is
/// valid UTF-8, fit for JSON, a log or a terminal, and text that was valid comes back unchanged.
/// What a server sends may be anything; diagnostics text must stay text. Thread-safe.
inline std::string escape_invalid_utf8(std::string_view text) {
    if (first_invalid_utf8(text) == std::string_view::npos) return std::string(text);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size() + 16);
    for (std::size_t i = 0; i < text.size();) {
        if (const auto n = utf8_sequence_length(text.substr(i)); n != 0) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        const auto b = static_cast<unsigned char>(text[i++]);
        out += "\\x";
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

}  // namespace permit::detail
