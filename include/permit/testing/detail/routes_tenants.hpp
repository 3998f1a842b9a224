// `/v2/facts/{proj_id}/{env_id}/tenants...` (https://api.permit.io/v2/redoc#tag/Tenants).
#pragma once

#include <boost/json/value_from.hpp>

#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>
#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/routes_keyed_list.hpp>
#include <permit/testing/detail/routes_users.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

inline reply list_tenants(state& s, const route_context& ctx) {
    return list_keyed_objects<tenant_record>(s, ctx, &state::tenants_where);
}

inline reply create_tenant(state& s, const route_context& ctx) {
    const auto in = body_as<permit::tenant_create>(ctx, schemas::tenant_create);
    const auto body = ctx.json();
    const auto* given = body.as_object().if_contains("attributes");
    return json_reply(201, s.render(s.create_tenant(in, given && !given->is_null())));
}

inline reply get_tenant(state& s, const route_context& ctx) {
    return json_reply(200, s.render(s.require_tenant(ctx.param(0))));
}

inline reply update_tenant(state& s, const route_context& ctx) {
    s.require_tenant(ctx.param(0));
    const auto in = body_as<permit::tenant_update>(ctx, schemas::tenant_update);
    return json_reply(200, s.render(s.update_tenant(ctx.param(0), in)));
}

inline reply delete_tenant(state& s, const route_context& ctx) {
    s.delete_tenant(ctx.param(0));
    return no_content();
}

/// Always the envelope, unlike `GET /tenants`.
inline reply list_tenant_users(state& s, const route_context& ctx) {
    const auto tenant = s.require_tenant(ctx.param(0)).key;
    validation_errors errors;
    query_checker q(errors);
    const auto p = read_paging(ctx, q);
    q.boolean(ctx.q("include_resource_instance_roles"), "include_resource_instance_roles", false);
    if (!errors.empty()) throw unprocessable(errors);
    return json_reply(200, envelope(filter_users(s, ctx, tenant), p,
                                    [&](const user_record& u) { return s.render(u); }));
}

inline reply add_tenant_user(state& s, const route_context& ctx) {
    s.require_tenant(ctx.param(0));
    const auto in = body_as<permit::user_create>(ctx, schemas::user_create);
    return json_reply(200, boost::json::value_from(s.render(s.add_tenant_user(ctx.param(0), in))));
}

inline reply remove_tenant_user(state& s, const route_context& ctx) {
    s.remove_tenant_user(ctx.param(0), ctx.param(1));
    return no_content();
}

}  // namespace permit::testing::detail::routes
