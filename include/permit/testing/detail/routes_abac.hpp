// Condition sets, at `/v2/schema/{proj_id}/{env_id}/condition_sets`, and the rules that join
// them, at `/v2/facts/{proj_id}/{env_id}/set_rules`
// (https://api.permit.io/v2/redoc#tag/Condition-Sets, #tag/Condition-Set-Rules).
//
// The condition-set list is a bare array unless `include_total_count=true`, as the other lists
// that may be either (permitio/permit-cli `source/lib/api/v1.d.ts`); the rule list is a bare
// array. A condition set's create answers 201, as every create of the emulator (the reference
// lists 200 and 201 alike); the rule's create answers 200 with an array of the rule, and its
// delete 204 whether or not the rule was granted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

namespace abac_routes_detail {

inline boost::json::array rendered(const state& s,
                                   const std::vector<const abac::condition_set_record*>& sets,
                                   paging p) {
    return page_of(sets, p, [&](const abac::condition_set_record& c) { return s.render(c); });
}

}  // namespace abac_routes_detail

/// `GET /condition_sets`: `search` (in the key or name, case-folded), `type`, paged.
inline reply list_condition_sets(state& s, const route_context& ctx) {
    validation_errors errors;
    query_checker q(errors);
    const auto p = read_paging(ctx, q);
    const bool with_total = q.boolean(ctx.q("include_total_count"), "include_total_count", false);
    const auto type = ctx.q("type");
    if (type)
        check_enum(boost::json::object{{"type", *type}}, "type", {"userset", "resourceset"},
                   boost::json::array{"query"}, errors);
    if (!errors.empty()) throw unprocessable(errors);
    const auto search = ctx.q("search");
    std::vector<const abac::condition_set_record*> items;
    for (const auto* c : s.abac().sets()) {
        if (type && (*type == "resourceset") != c->resourceset) continue;
        if (search && !contains_folded(c->key, *search) && !contains_folded(c->name, *search))
            continue;
        items.push_back(c);
    }
    return json_reply(
        200, array_or_envelope(items, p, with_total,
                               [&](const abac::condition_set_record& c) { return s.render(c); }));
}

inline reply create_condition_set(state& s, const route_context& ctx) {
    const auto in = checked_body(ctx, schemas::condition_set_create).as_object();
    return json_reply(201, s.render(s.create_condition_set(in)));
}

inline reply get_condition_set(state& s, const route_context& ctx) {
    return json_reply(200, s.render(s.abac().require_set(ctx.param(0))));
}

inline reply update_condition_set(state& s, const route_context& ctx) {
    s.abac().require_set(ctx.param(0));
    const auto in = checked_body(ctx, schemas::condition_set_update).as_object();
    return json_reply(200, s.render(s.update_condition_set(ctx.param(0), in)));
}

inline reply delete_condition_set(state& s, const route_context& ctx) {
    s.delete_condition_set(ctx.param(0));
    return no_content();
}

/// `GET /condition_sets/{id}/ancestors` (nearest first) or `/descendants`: bare arrays, paged.
inline reply related_condition_sets(state& s, const route_context& ctx, bool ancestors) {
    const auto p = read_page(ctx);
    const auto key = s.abac().require_set(ctx.param(0)).key;
    return json_reply(200,
                      abac_routes_detail::rendered(
                          s, ancestors ? s.abac().ancestors(key) : s.abac().descendants(key), p));
}

/// `GET /set_rules`: filtered by `user_set`, `permission` and `resource_set` (each exact), paged.
inline reply list_set_rules(state& s, const route_context& ctx) {
    const auto p = read_page(ctx);
    const auto user_set = ctx.q("user_set");
    const auto permission = ctx.q("permission");
    const auto resource_set = ctx.q("resource_set");
    std::vector<const abac::set_rule_record*> items;
    for (const auto* r : s.abac().rules()) {
        if (user_set && r->user_set != *user_set) continue;
        if (permission && r->permission() != *permission) continue;
        if (resource_set && r->resource_set != *resource_set) continue;
        items.push_back(r);
    }
    return json_reply(
        200, page_of(items, p, [&](const abac::set_rule_record& r) { return s.render(r); }));
}

inline reply assign_set_rule(state& s, const route_context& ctx) {
    const auto in = checked_body(ctx, schemas::set_rule).as_object();
    return json_reply(200, boost::json::array{s.render(s.assign_set_rule(in))});
}

inline reply unassign_set_rule(state& s, const route_context& ctx) {
    const auto in = checked_body(ctx, schemas::set_rule).as_object();
    s.unassign_set_rule(in);
    return no_content();
}

}  // namespace permit::testing::detail::routes
