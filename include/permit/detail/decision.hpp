// The PDP's decisions on the wire, written and read without a JSON document: the text of a check
// query as `POST /allowed` takes it (and each item of `POST /allowed/bulk`), and the decision in a
// plain `/allowed` reply. Checks are the client's most frequent calls; building and parsing a
// Boost.JSON document for each was most of the client's own time for one.
#pragma once

#include <permit/detail/decl.hpp>
#include <permit/models/pdp.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace permit::detail {

/// Appends `q` as JSON to `out`, as `POST /allowed` takes it and as the official SDKs normalise
/// it: the resource's tenant is `default_tenant` when unset or empty, and is copied into the
/// resource's `context` unless that names one. The text is the same, byte for byte, as
/// `boost::json::serialize` of the normalised query's `value_from`.
PERMIT_DECL void append_check_query(std::string& out, const check_query& q,
                                    std::string_view default_tenant);

/// `append_check_query` into a new string.
PERMIT_DECL std::string check_query_text(const check_query& q, std::string_view default_tenant);

/// The decision of an `/allowed` reply in its plain form: a JSON object with exactly one `allow`
/// member, a boolean. Anything else (another form, a duplicate key, text that is not JSON) gives
/// nothing: the caller then decodes the reply in full, which accepts the other forms and says
/// what is wrong. Parses without building a document. Never throws.
PERMIT_DECL std::optional<bool> plain_decision(std::string_view body) noexcept;

/// The answers of an `/allowed/bulk` reply, `{"allow":[...]}` (or OPA's
/// `{"result":{"allow":[...]}}`, which the official SDKs accept too), each as the JSON text of an
/// `/allowed` reply, in order. Throws `model_error` when the reply holds no such list, and the
/// `boost::system::system_error` of `parse_body` when it is not JSON.
PERMIT_DECL std::vector<std::string> bulk_answers(const std::string& body);

}  // namespace permit::detail

#ifndef PERMIT_SEPARATE_COMPILATION
#include <permit/detail/impl/decision.ipp>
#endif
