// Which requests may be sent twice: the rule that keeps a retry from creating a user twice.
#pragma once

#include <permit/http_method.hpp>

namespace permit::detail::retry {

/// Whether a request may be repeated without changing the result: GET, HEAD, PUT and DELETE are,
/// POST and PATCH to the REST API are not. A POST to the PDP asks for a decision and changes
/// nothing, so it is (`to_pdp`). An operation that knows better (a bulk upsert) says so itself.
constexpr bool is_idempotent(http_method method, bool to_pdp) noexcept {
    switch (method) {
        case http_method::get:
        case http_method::head:
        case http_method::put:
        case http_method::delete_:
            return true;
        case http_method::post:
            return to_pdp;
        case http_method::patch:
            return false;
    }
    return false;
}

}  // namespace permit::detail::retry
