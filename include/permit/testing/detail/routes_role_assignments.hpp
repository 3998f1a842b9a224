// `/v2/facts/{proj_id}/{env_id}/role_assignments...`
// (https://api.permit.io/v2/redoc#tag/Role-Assignments).
#pragma once

#include <array>
#include <string_view>

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <permit/models/role_assignment.hpp>
#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/routes_bulk.hpp>
#include <permit/testing/detail/routes_users.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

/// The filters of the role assignment lists: `user`, `role` and `tenant` (each repeatable, key or
/// id), `resource` (a type) and `resource_instance` (`"type:key"` or the instance's id).
inline assignment_filter read_assignment_filter(const state& s, const route_context& ctx) {
    assignment_filter f{
        .users = ctx.all("user"), .roles = ctx.all("role"), .tenants = ctx.all("tenant")};
    if (auto r = ctx.q("resource")) f.resource = std::string(*r);
    if (auto r = ctx.q("resource_instance")) {
        const auto* instance = s.find_instance(*r);
        f.resource_instance = instance ? instance->key : std::string(*r);
    }
    return f;
}

/// `GET /role_assignments`: `RoleAssignmentRead`s, or with `detailed=true`
/// `RoleAssignmentDetailedRead`s; a bare array unless `include_total_count=true`
/// (https://api.permit.io/v2/redoc#tag/Role-Assignments/operation/list_role_assignments).
inline reply list_role_assignments(state& s, const route_context& ctx) {
    const auto options = read_list_options(ctx);
    const auto found = s.assignments_where(read_assignment_filter(s, ctx));
    if (options.detailed)
        return json_reply(200, array_or_envelope(found, options.page, options.with_total,
                                                 [&](const assignment_record& a) {
                                                     return s.render_detailed(a);
                                                 }));
    return json_reply(200,
                      array_or_envelope(found, options.page, options.with_total,
                                        [&](const assignment_record& a) { return s.render(a); }));
}

/// `GET /role_assignments/detailed`: always `PaginatedResult_RoleAssignmentDetailedRead_`, with
/// the filters and paging of `GET /role_assignments`
/// (https://api.permit.io/v2/redoc#tag/Role-Assignments).
inline reply list_role_assignments_detailed(state& s, const route_context& ctx) {
    validation_errors errors;
    query_checker q(errors);
    const auto p = read_paging(ctx, q);
    if (!errors.empty()) throw unprocessable(errors);
    return json_reply(200,
                      envelope(s.assignments_where(read_assignment_filter(s, ctx)), p,
                               [&](const assignment_record& a) { return s.render_detailed(a); }));
}

inline reply assign_role(state& s, const route_context& ctx) {
    const auto in = body_as<permit::role_assignment_create>(ctx, schemas::role_assignment_create);
    const auto a = s.resolve(in.user, in.role, in.tenant, in.resource_instance);
    const auto* rec = s.add_assignment(a);
    if (!rec) throw duplicate("role assignment", a.user + " / " + a.role + " / " + a.tenant);
    return json_reply(200, boost::json::value_from(s.render(*rec)));
}

inline reply unassign_role(state& s, const route_context& ctx) {
    const auto in = body_as<permit::role_assignment_remove>(ctx, schemas::role_assignment_remove);
    return unassign(s, ctx, s.resolve(in.user, in.role, in.tenant, in.resource_instance));
}

/// Validates a bare-array body of `schema` items with at most `limit` of them.
inline boost::json::array bulk_array_body(const route_context& ctx, const object_schema& schema,
                                          std::size_t limit, unsigned limit_status) {
    auto body = ctx.json();
    if (auto errors = check_body_array(body, schema); !errors.empty()) throw unprocessable(errors);
    check_bulk_size(body.get_array().size(), limit, limit_status, "");
    return std::move(body.get_array());
}

/// All-or-nothing: every item is resolved before anything is written.
inline reply bulk_assign_roles(state& s, const route_context& ctx, std::size_t limit,
                               unsigned limit_status) {
    validation_errors errors;
    query_checker q(errors);
    static constexpr std::array<std::string_view, 3> policies{"fail", "ignore", "create"};
    const auto policy =
        q.choice(ctx.q("missing_user_policy"), "missing_user_policy", policies, "fail");
    if (!errors.empty()) throw unprocessable(errors);
    const auto items = bulk_array_body(ctx, schemas::role_assignment_create, limit, limit_status);

    std::vector<permit::role_assignment_create> to_assign;
    std::vector<std::string> users_to_create;
    for (const auto& item : items) {
        auto in = boost::json::value_to<permit::role_assignment_create>(item);
        if (!s.find_user(in.user)) {
            if (policy == "ignore") continue;
            if (policy == "fail") throw not_found("User");
            users_to_create.push_back(in.user);
        }
        // A role on an instance is a role of the instance's resource type.
        s.resolve_target(in.role, in.tenant, in.resource_instance);
        to_assign.push_back(std::move(in));
    }
    for (const auto& key : users_to_create)
        if (!s.find_user(key)) s.create_user({.key = key});
    std::int64_t created = 0;
    for (const auto& in : to_assign)
        if (s.add_assignment(s.resolve(in.user, in.role, in.tenant, in.resource_instance)))
            ++created;
    return json_reply(200, boost::json::object{{"assignments_created", created}});
}

/// Assignments that do not exist are skipped and not counted.
inline reply bulk_unassign_roles(state& s, const route_context& ctx, std::size_t limit,
                                 unsigned limit_status) {
    const auto items = bulk_array_body(ctx, schemas::role_assignment_remove, limit, limit_status);
    std::int64_t removed = 0;
    for (const auto& item : items) {
        const auto in = boost::json::value_to<permit::role_assignment_remove>(item);
        try {
            if (s.remove_assignment(s.resolve(in.user, in.role, in.tenant, in.resource_instance)))
                ++removed;
        } catch (const api_failure&) {
            // An unknown user, role or tenant holds no assignment to remove.
        }
    }
    return json_reply(200, boost::json::object{{"assignments_removed", removed}});
}

}  // namespace permit::testing::detail::routes
