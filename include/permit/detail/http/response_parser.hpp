// Parses an HTTP/1.1 response straight into what the client keeps of it (`http::response`): the
// status, the body, and the two header fields the client reads. The other fields are looked at
// by Beast's parser (framing, keep-alive) and dropped, so that reading a response allocates
// nothing but its body.
#pragma once

#include <permit/detail/http/response.hpp>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/optional/optional.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace permit::detail::http {

/// A Beast response parser that fills `out` as it goes: `status`, `body` (appended to, as
/// Beast's `string_body` does), `request_id` (`X-Request-Id`) and `retry_after` (each the first
/// such field, as `fields::find` gives), and, once done, `keep_alive`. Limits are
/// Beast's (`header_limit`, `body_limit`); a declared length the string cannot hold fails with
/// `buffer_overflow`, as with `string_body`.
class response_parser final : public boost::beast::http::basic_parser<false> {
  public:
    explicit response_parser(response& out) noexcept : out_(out) {}

    /// Copies `keep_alive()` into the response: call once the parser is done.
    void finish() noexcept { out_.keep_alive = keep_alive(); }

  private:
    using string_view = boost::beast::string_view;
    using error_code = boost::system::error_code;

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         error_code&) override {}

    void on_response_impl(int code, string_view, int, error_code&) override {
        out_.status = static_cast<unsigned>(code);
    }

    void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                       error_code&) override {
        namespace bhttp = boost::beast::http;
        if (name == bhttp::field::retry_after) {
            keep_first(seen_retry_after_, out_.retry_after, value);
        } else if (name == bhttp::field::unknown &&
                   boost::beast::iequals(name_string, "x-request-id")) {
            keep_first(seen_request_id_, out_.request_id, value);
        }
    }

    void on_header_impl(error_code&) override {}

    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override {
        if (!length) return;
        if (*length > out_.body.max_size()) {
            ec = boost::beast::http::error::buffer_overflow;
            return;
        }
        out_.body.reserve(static_cast<std::size_t>(*length));
    }

    std::size_t on_body_impl(string_view body, error_code& ec) override { return append(body, ec); }

    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
        return append(body, ec);
    }

    void on_finish_impl(error_code&) override {}

    std::size_t append(string_view body, error_code& ec) {
        if (body.size() > out_.body.max_size() - out_.body.size()) {
            ec = boost::beast::http::error::buffer_overflow;
            return 0;
        }
        out_.body.append(body.data(), body.size());
        return body.size();
    }

    static void keep_first(bool& seen, std::string& into, string_view value) {
        if (seen) return;
        seen = true;
        into.assign(value.data(), value.size());
    }

    response& out_;
    bool seen_retry_after_ = false;
    bool seen_request_id_ = false;
};

}  // namespace permit::detail::http
