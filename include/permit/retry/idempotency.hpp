// Which requests may be sent twice: the rule that keeps a retry from creating a user twice.
#pragma once

// Before verb.hpp, which streams a string_view without including <ostream> (Boost 1.81).
#include <ostream>

#include <boost/beast/http/verb.hpp>

namespace permit::retry {

/// Whether a request may be repeated without changing the result: GET, HEAD, PUT and DELETE are,
/// POST and PATCH to the REST API are not. A POST to the PDP asks for a decision and changes
/// nothing, so it is (`to_pdp`). An operation that knows better (a bulk upsert) says so itself.
inline bool is_idempotent(boost::beast::http::verb method, bool to_pdp) noexcept {
    using boost::beast::http::verb;
    switch (method) {
        case verb::get:
        case verb::head:
        case verb::options:
        case verb::put:
        case verb::delete_:
            return true;
        case verb::post:
            return to_pdp;
        default:
            return false;
    }
}

}  // namespace permit::retry
