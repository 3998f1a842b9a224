// `/v2/schema/{proj_id}/{env_id}/roles...` and `.../resources...`
// (https://api.permit.io/v2/redoc#tag/Roles, https://api.permit.io/v2/redoc#tag/Resources).
#pragma once

#include <boost/json/value_from.hpp>

#include <permit/models/resource.hpp>
#include <permit/models/role.hpp>
#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/routes_keyed_list.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

inline reply list_roles(state& s, const route_context& ctx) {
    return list_keyed_objects<role_record>(s, ctx, &state::roles_where);
}

inline reply create_role(state& s, const route_context& ctx) {
    const auto in = body_as<permit::role_create>(ctx, schemas::role_create);
    return json_reply(201, boost::json::value_from(s.render(s.create_role(in))));
}

inline reply get_role(state& s, const route_context& ctx) {
    return json_reply(200, boost::json::value_from(s.render(s.require_role(ctx.param(0)))));
}

inline reply update_role(state& s, const route_context& ctx) {
    s.require_role(ctx.param(0));
    const auto in = body_as<permit::role_update>(ctx, schemas::role_update);
    return json_reply(200, boost::json::value_from(s.render(s.update_role(ctx.param(0), in))));
}

inline reply delete_role(state& s, const route_context& ctx) {
    s.delete_role(ctx.param(0));
    return no_content();
}

inline reply change_role_permissions(state& s, const route_context& ctx, bool grant) {
    s.require_role(ctx.param(0));
    const auto in = body_as<permit::role_permissions>(ctx, schemas::role_permissions);
    return json_reply(200, boost::json::value_from(s.render(
                               s.change_role_permissions(ctx.param(0), in.permissions, grant))));
}

inline reply list_resources(state& s, const route_context& ctx) {
    validation_errors errors;
    query_checker(errors).boolean(ctx.q("include_built_in"), "include_built_in", false);
    if (!errors.empty()) throw unprocessable(errors);
    return list_keyed_objects<resource_record>(s, ctx, &state::resources_where);
}

inline reply create_resource(state& s, const route_context& ctx) {
    const auto in = body_as<permit::resource_create>(ctx, schemas::resource_create);
    return json_reply(201, boost::json::value_from(s.render(s.create_resource(in))));
}

inline reply get_resource(state& s, const route_context& ctx) {
    return json_reply(200, boost::json::value_from(s.render(s.require_resource(ctx.param(0)))));
}

inline reply replace_resource(state& s, const route_context& ctx) {
    s.require_resource(ctx.param(0));
    const auto in = body_as<permit::resource_replace>(ctx, schemas::resource_replace);
    return json_reply(200, boost::json::value_from(s.render(s.replace_resource(ctx.param(0), in))));
}

inline reply update_resource(state& s, const route_context& ctx) {
    s.require_resource(ctx.param(0));
    const auto in = body_as<permit::resource_update>(ctx, schemas::resource_update);
    return json_reply(200, boost::json::value_from(s.render(s.update_resource(ctx.param(0), in))));
}

inline reply delete_resource(state& s, const route_context& ctx) {
    s.delete_resource(ctx.param(0));
    return no_content();
}

}  // namespace permit::testing::detail::routes
