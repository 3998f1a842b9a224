// Keeps the API key out of what the client hands back: a server (or a proxy in front of it) may
// echo the request's Authorization header in an error body or a header.
#pragma once

#include <permit/diagnostics.hpp>

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace permit::detail {

/// What stands in for the key wherever it was found.
inline constexpr std::string_view redacted_secret = "[redacted API key]";

/// Replaces every occurrence of `secret` in `text`. An empty secret changes nothing.
inline void redact(std::string& text, std::string_view secret) {
    if (secret.empty()) return;
    for (auto at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + redacted_secret.size()))
        text.replace(at, secret.size(), redacted_secret);
}

/// Replaces `secret` in every string of `jv`, keys included. (The recursion is bounded: parsed
/// values are at most `boost::json::parse_options::max_depth` deep.)
inline void redact(boost::json::value& jv, std::string_view secret) {
    if (auto* s = jv.if_string()) {
        if (s->find(secret) == boost::json::string::npos) return;
        std::string text(*s);
        redact(text, secret);
        *s = text;
    } else if (auto* a = jv.if_array()) {
        for (auto& item : *a) redact(item, secret);
    } else if (auto* o = jv.if_object()) {
        bool key_holds_secret = false;
        for (auto& member : *o) {
            redact(member.value(), secret);
            key_holds_secret |= member.key().find(secret) != std::string_view::npos;
        }
        if (!key_holds_secret) return;
        boost::json::object cleaned(o->storage());
        for (auto& member : *o) {
            std::string key(member.key());
            redact(key, secret);
            cleaned[key] = std::move(member.value());
        }
        *o = std::move(cleaned);
    }
}

/// Replaces `secret` in every text of `d`: what the server said and what the library noted.
inline void redact(diagnostics& d, std::string_view secret) {
    if (secret.empty()) return;
    if (d.details) {
        auto& e = *d.details;
        for (auto* text : {&e.id, &e.title, &e.message, &e.error_code}) redact(*text, secret);
        if (e.support_link) redact(*e.support_link, secret);
        if (e.additional_info) redact(*e.additional_info, secret);
    }
    for (auto& item : d.validation_errors) {
        redact(item.msg, secret);
        redact(item.type, secret);
        for (auto& part : item.loc) redact(part, secret);
    }
    for (auto* text : {&d.detail, &d.raw_body, &d.request_id, &d.client_message, &d.request})
        redact(*text, secret);
}

}  // namespace permit::detail
