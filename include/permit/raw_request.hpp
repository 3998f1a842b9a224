// The escape hatch: any request, for endpoints the library does not model yet.
#pragma once

#include <permit/http_method.hpp>

#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace permit {

/// A request to send as-is through the client's pools, with its authentication.
struct raw_request {
    /// The HTTP method.
    http_method method = http_method::get;
    /// Path and optional query, e.g. `/v2/facts/{proj_id}/{env_id}/users?page=2`. A target that
    /// starts with `/v2/facts/{proj_id}/{env_id}` or `/v2/schema/{proj_id}/{env_id}` gets the
    /// project and environment filled in (from the config or the API key's scope), as the typed
    /// calls do. The caller percent-encodes the rest.
    std::string target;
    /// A JSON body, sent when set.
    std::optional<boost::json::value> body;
    /// Send it to the PDP (`pdp_url`) instead of the REST API (`api_url`).
    bool to_pdp = false;
};

/// The reply of a `raw_request` that succeeded (2xx).
struct raw_response {
    /// The HTTP status (2xx).
    unsigned status = 0;
    /// The parsed body; null when the body was empty.
    boost::json::value body;
};

}  // namespace permit
