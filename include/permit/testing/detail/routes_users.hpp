// `/v2/facts/{proj_id}/{env_id}/users...` (https://api.permit.io/v2/redoc#tag/Users).
#pragma once

#include <boost/json/value_from.hpp>

#include <permit/models/user.hpp>
#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

/// The `search` and `role` filters shared by `GET /users` and `GET /tenants/{id}/users`.
inline std::vector<const user_record*> filter_users(const state& s, const route_context& ctx,
                                                    const std::optional<std::string>& tenant) {
    const auto search = ctx.q("search");
    const auto role = ctx.q("role");
    return s.users_where([&](const user_record& u) {
        if (tenant && !s.user_in_tenant(u.key, *tenant)) return false;
        // "Text search on email"; the key is searched too, which is what a person typing expects.
        if (search && !contains_folded(u.email.value_or(""), *search) &&
            !contains_folded(u.key, *search))
            return false;
        if (role && !s.user_has_role(u.key, *role, tenant)) return false;
        return true;
    });
}

inline reply list_users(state& s, const route_context& ctx) {
    validation_errors errors;
    query_checker q(errors);
    const auto p = read_paging(ctx, q);
    q.boolean(ctx.q("include_resource_instance_roles"), "include_resource_instance_roles", false);
    if (!errors.empty()) throw unprocessable(errors);
    return json_reply(200, envelope(filter_users(s, ctx, std::nullopt), p,
                                    [&](const user_record& u) { return s.render(u); }));
}

inline reply create_user(state& s, const route_context& ctx) {
    const auto in = body_as<permit::user_create>(ctx, schemas::user_create);
    return json_reply(201, boost::json::value_from(s.render(s.create_user(in))));
}

inline reply get_user(state& s, const route_context& ctx) {
    return json_reply(200, boost::json::value_from(s.render(s.require_user(ctx.param(0)))));
}

inline reply update_user(state& s, const route_context& ctx) {
    s.require_user(ctx.param(0));  // 404 before 422, as a missing object makes the body moot
    const auto in = body_as<permit::user_update>(ctx, schemas::user_update);
    return json_reply(200, boost::json::value_from(s.render(s.update_user(ctx.param(0), in))));
}

/// PUT replaces the user (200) or creates it (201). The body's `key` must name the same user.
inline reply replace_user(state& s, const route_context& ctx) {
    const auto in = body_as<permit::user_create>(ctx, schemas::user_create);
    const auto* existing = s.find_user(ctx.param(0));
    const auto& path_key = existing ? existing->key : ctx.param(0);
    if (in.key != path_key)
        throw unprocessable(boost::json::array{"body", "key"},
                            "the key in the body must match the user in the path", "value_error");
    const auto [user, created] = s.replace_user(in);
    return json_reply(created ? 201 : 200, boost::json::value_from(s.render(*user)));
}

inline reply delete_user(state& s, const route_context& ctx) {
    s.delete_user(ctx.param(0));
    return no_content();
}

inline reply assign_user_role(state& s, const route_context& ctx) {
    const auto& user = s.require_user(ctx.param(0));
    const auto in = body_as<permit::user_role_create>(ctx, schemas::user_role_create);
    const auto a = s.resolve(user.key, in.role, in.tenant, in.resource_instance);
    const auto* rec = s.add_assignment(a);
    if (!rec) throw duplicate("role assignment", a.user + " / " + a.role + " / " + a.tenant);
    return json_reply(200, boost::json::value_from(s.render(*rec)));
}

/// Shared by `DELETE /users/{id}/roles` and `DELETE /role_assignments`: 204, or 200 with the
/// deleted assignment when `return_deleted=true`; 404 when there was none.
inline reply unassign(state& s, const route_context& ctx, const state::resolved_assignment& a) {
    validation_errors errors;
    query_checker q(errors);
    const bool return_deleted = q.boolean(ctx.q("return_deleted"), "return_deleted", false);
    if (!errors.empty()) throw unprocessable(errors);
    const auto* rec = s.find_assignment(a);
    if (!rec) throw assignment_not_found();
    auto rendered = boost::json::value_from(s.render(*rec));
    s.remove_assignment(a);
    return return_deleted ? json_reply(200, std::move(rendered)) : no_content();
}

inline reply unassign_user_role(state& s, const route_context& ctx) {
    const auto& user = s.require_user(ctx.param(0));
    const auto in = body_as<permit::user_role_remove>(ctx, schemas::user_role_remove);
    return unassign(s, ctx, s.resolve(user.key, in.role, in.tenant, in.resource_instance));
}

}  // namespace permit::testing::detail::routes
