// What the client keeps of an HTTP response: all that the calls' decoders and the retry loop read,
// without the HTTP library's types.
#pragma once

#include <string>

namespace permit::detail::http {

/// What the client keeps of a response.
struct response {
    /// The HTTP status.
    unsigned status = 0;
    /// The whole body.
    std::string body;
    std::string request_id;   ///< `X-Request-Id`, when sent
    std::string retry_after;  ///< `Retry-After`, when sent
    bool keep_alive = false;  ///< the server lets the connection serve another request
};

}  // namespace permit::detail::http
