// Reading response bodies: the documented JSON of a success, and the server's reason of a failure.
#pragma once

#include <permit/detail/http/response.hpp>
#include <permit/detail/utf8.hpp>
#include <permit/diagnostics.hpp>
#include <permit/models/detail/described.hpp>
#include <permit/models/error_body.hpp>
#include <permit/models/model_error.hpp>
#include <permit/models/page.hpp>

#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <boost/system/system_error.hpp>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace permit::detail {

/// Why `body` is not JSON, in words: Boost.JSON calls invalid UTF-8 a "syntax error". Every parse
/// of a response uses Boost.JSON's default limits (nesting depth 32, UTF-8 checked), so that no
/// server can make the client recurse deeply or pass on text that is not text. Thread-safe.
inline std::string why_not_json(std::string_view body, boost::system::error_code ec) {
    if (const auto at = first_invalid_utf8(body); at != std::string_view::npos) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(body[at]));
        return "it is not valid UTF-8 (byte " + std::string(byte) + " at offset " +
               std::to_string(at) + ")";
    }
    if (ec == boost::json::error::too_deep)
        return "it nests deeper than " + std::to_string(boost::json::parse_options{}.max_depth) +
               " levels";
    return ec.message();
}

/// Throws the `boost::system::system_error` of a 2xx body that is not JSON, saying why.
[[noreturn]] inline void throw_not_json(std::string_view body, boost::system::error_code ec) {
    // Without Boost's source location, which means nothing to a reader of the diagnostics.
    throw boost::system::system_error(boost::system::error_code(ec.value(), ec.category()),
                                      "the response body is not JSON: " + why_not_json(body, ec));
}

/// Parses a 2xx body (depth at most 32, valid UTF-8 only), its values allocated from `storage`.
/// Throws `boost::system::system_error` when it is not JSON, saying why. Thread-safe.
inline boost::json::value parse_body(const std::string& body,
                                     boost::json::storage_ptr storage = {}) {
    boost::system::error_code ec;
    auto jv = boost::json::parse(body, ec, std::move(storage));
    if (ec) throw_not_json(body, ec);
    return jv;
}

/// Room on the stack for the document of a small reply, which a decoder turns into a model and
/// drops: its values need no heap allocation of their own. The models copy what they keep into
/// memory of their own (`decode_field`), so they never refer to it.
class reply_arena {
  public:
    reply_arena() noexcept : resource_(buffer_, sizeof buffer_) {}
    reply_arena(const reply_arena&) = delete;
    reply_arena& operator=(const reply_arena&) = delete;

    /// The storage of the reply's document; larger documents continue on the heap.
    boost::json::storage_ptr storage() noexcept { return boost::json::storage_ptr(&resource_); }

  private:
    alignas(std::max_align_t) unsigned char buffer_[4096];
    boost::json::monotonic_resource resource_;
};

/// Decodes a 2xx body into the described model `T` as the parser reads it, with no document
/// (<permit/detail/reply_reader.hpp>).
template <described_model T>
T read_reply(std::string_view body);

/// Decodes a 2xx body into `T` (one of the models).
template <class T>
struct json_decoder {
    T operator()(const http::response& r) const {
        if constexpr (described_model<T>) {
            return read_reply<T>(r.body);
        } else {
            reply_arena arena;
            return boost::json::value_to<T>(parse_body(r.body, arena.storage()));
        }
    }
};

/// Decodes a list reply, in either of its shapes, into a `page<T>`.
template <class T>
struct list_decoder {
    page<T> operator()(const http::response& r) const {
        reply_arena arena;
        return decode_list<T>(parse_body(r.body, arena.storage()));
    }
};

/// For operations that yield nothing: the body is ignored.
struct no_decoder {};

/// `text` for the diagnostics: its first `diagnostics::max_raw_body` bytes (not cutting a
/// character in two), `...` when it was cut, and every byte that is not UTF-8 written as `\xNN`.
/// Thread-safe.
inline std::string bounded(std::string_view text) {
    constexpr std::size_t max = diagnostics::max_raw_body;
    if (text.size() <= max) return escape_invalid_utf8(text);
    std::size_t cut = max;
    // Back to the first byte of a character cut in two (at most three continuation bytes).
    while (cut + 3 > max && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return escape_invalid_utf8(text.substr(0, cut)) + "...";
}

/// Fills `d` from a failed response: `ErrorDetails`, a FastAPI `{"detail": ...}` (a list of
/// validation errors or a text), the Cloud PDP's `{"error","message"}`, or the raw text (bounded,
/// and with bytes that are not UTF-8 escaped: see `bounded`). The body is parsed with Boost.JSON's
/// default limits, as in `parse_body`. Never throws but `std::bad_alloc`. Thread-safe.
inline void read_error_body(const http::response& r, diagnostics& d) {
    d.status = r.status;
    d.request_id = bounded(r.request_id);
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

// The definition of `read_reply`, which brings Boost.JSON's parser implementation: in every
// translation unit in header-only mode, in <permit/src.hpp>'s alone under
// PERMIT_SEPARATE_COMPILATION.
#ifndef PERMIT_SEPARATE_COMPILATION
#include <permit/detail/reply_reader.hpp>
#endif
