#pragma once

#include <permit/models/detail/json_fields.hpp>
#include <permit/models/model_error.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <cstdint>
#include <vector>

namespace permit {

/// PaginatedResult_T_: the list envelope {"data":[...],"total_count":n,"page_count":m}.
template <class T>
struct page {
    /// The items of the page.
    std::vector<T> data;
    /// How many items match the query, over every page.
    std::int64_t total_count = 0;
    std::int64_t page_count = 0;  ///< optional on the wire (default 0); meaning undocumented

    /// Field-by-field equality.
    friend bool operator==(const page&, const page&) = default;
};

template <class T>
/// Boost.JSON conversion (`boost::json::value_from`): writes `v` as a `PaginatedResult` JSON
/// object.
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const page<T>& v) {
    detail::field_writer(jv)
        .field("data", v.data)
        .field("total_count", v.total_count)
        .field("page_count", v.page_count);
}

template <class T>
/// Boost.JSON conversion (`boost::json::value_to`): reads a `PaginatedResult` JSON object (the
/// envelope only; `decode_list` also takes a bare array). Throws `permit::model_error` when `jv` is
/// not an object, a required field is missing, or a field has the wrong type.
page<T> tag_invoke(boost::json::value_to_tag<page<T>>, const boost::json::value& jv) {
    const detail::field_reader in(jv, "page");
    return {.data = in.required<std::vector<T>>("data"),
            .total_count = in.required<std::int64_t>("total_count"),
            .page_count = in.or_default<std::int64_t>("page_count")};
}

/// Reads a list reply in either shape the API uses: the envelope, or the bare JSON array that
/// tenants/roles/resources/role_assignments return unless include_total_count=true. A bare
/// array is one complete page, so total_count is its size.
template <class T>
page<T> decode_list(const boost::json::value& jv) {
    if (jv.is_object()) return boost::json::value_to<page<T>>(jv);
    if (!jv.is_array())
        throw model_error("page", {}, model_error::kind::wrong_type, "an array or an object");
    page<T> out{.data = detail::decode_field<std::vector<T>>(jv, "page")};
    out.total_count = static_cast<std::int64_t>(out.data.size());
    out.page_count = out.data.empty() ? 0 : 1;
    return out;
}

}  // namespace permit
