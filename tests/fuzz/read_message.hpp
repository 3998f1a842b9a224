// Feeds bytes to a Beast HTTP parser as Beast's read loop (http::read / http::async_read over a
// flat_buffer) does, with no socket: for the targets that read a response or a request.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace permit_fuzz {

/// Reads one message into `parser`. `buffer` holds what the connection received and no parser
/// consumed yet (what the previous message left), `input` what the peer has still to send, which
/// arrives `piece` bytes per read (all at once when 0). Both are advanced past what is read, so
/// that the next message of the connection continues from there. `max_buffer` is the buffer's
/// max_size(). Returns the read's error, as http::read would: end_of_stream when the peer closed
/// before a message began, buffer_overflow when the parser needs more than the buffer holds.
template <bool isRequest>
boost::system::error_code read_message(
    boost::beast::http::basic_parser<isRequest>& parser, std::string& buffer,
    std::string_view& input, std::size_t piece,
    std::size_t max_buffer = std::numeric_limits<std::size_t>::max()) {
    namespace bhttp = boost::beast::http;
    if (piece == 0) piece = std::max<std::size_t>(input.size(), 1);
    boost::system::error_code ec;
    // read_op: read_some until the message is done; read_some: put() what is buffered and read
    // more while the parser needs more.
    while (!parser.is_done()) {
        for (;;) {
            if (!buffer.empty()) {
                const auto used = parser.put(boost::asio::buffer(buffer), ec);
                buffer.erase(0, used);
                if (ec != bhttp::error::need_more) break;
            }
            ec = {};
            // read_size(): no more than the buffer's room, and no read at all without room.
            const auto room = max_buffer - std::min(max_buffer, buffer.size());
            if (room == 0) return bhttp::error::buffer_overflow;
            if (input.empty()) {
                // The end of the stream ends a message that has no length (a response read to the
                // close), and is an error anywhere else.
                if (!parser.got_some()) return bhttp::error::end_of_stream;
                parser.put_eof(ec);
                return ec;
            }
            const auto n = std::min({piece, room, input.size()});
            buffer.append(input.substr(0, n));
            input.remove_prefix(n);
        }
        if (ec) return ec;
    }
    return ec;
}

}  // namespace permit_fuzz
