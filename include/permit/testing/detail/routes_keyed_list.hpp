// The list route shared by tenants, roles and resources.
#pragma once

#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

/// The bare-array-or-envelope list of tenants, roles and resources, with `search` on key and
/// name and `include_total_count` (permitio/permit-cli `source/lib/api/v1.d.ts`).
template <class Record, class Where>
reply list_keyed_objects(state& s, const route_context& ctx, Where where) {
    validation_errors errors;
    query_checker q(errors);
    const auto p = read_paging(ctx, q);
    const bool with_total = q.boolean(ctx.q("include_total_count"), "include_total_count", false);
    if (!errors.empty()) throw unprocessable(errors);
    const auto search = ctx.q("search");
    auto items = (s.*where)([&](const Record& r) {
        return !search || contains_folded(r.key, *search) || contains_folded(r.name, *search);
    });
    return json_reply(
        200, array_or_envelope(items, p, with_total, [&](const Record& r) { return s.render(r); }));
}

}  // namespace permit::testing::detail::routes
