// What a resource type is made of, below `/v2/schema/{proj_id}/{env_id}/resources/{resource_id}`:
// its relations, roles (with their permissions, their `extends` and their derivations, the
// "implicit grants"), attribute definitions and action groups; and the users' attribute
// definitions at `/v2/schema/{proj_id}/{env_id}/users/attributes`
// (https://api.permit.io/v2/redoc#tag/Resource-Relations, #tag/Resource-Roles,
// #tag/Implicit-Grants, #tag/Resource-Attributes, #tag/User-Attributes,
// #tag/Resource-Action-Groups).
//
// Path parameter 0 is the resource type (key or id), 1 the object below it (key or id). The
// lists are bare arrays, paged by `page` and `per_page`, except the relations', which is
// `PaginatedResult_RelationRead_` (both the reference and permit-cli's newer copy of it say so).
// Creates answer 201, as every other create of the emulator (the reference lists 200 and 201 for
// them alike); the implicit grant's create answers 200, its only documented status.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

namespace resource_schema_detail {

/// One page of `items`, as the bare array these lists answer.
inline boost::json::array bare_page(const std::vector<boost::json::object>& items, paging p) {
    std::vector<const boost::json::object*> pointers;
    for (const auto& item : items) pointers.push_back(&item);
    return page_of(pointers, p, [](const boost::json::object& o) { return o; });
}

/// The body, checked against `schema`, as an object.
inline boost::json::object object_body(const route_context& ctx, const object_schema& schema) {
    return checked_body(ctx, schema).as_object();
}

/// `AttributeType` (https://api.permit.io/v2/redoc): pydantic's 422 for any other `type`.
inline void check_attribute_type(const boost::json::object& body) {
    static constexpr std::array<std::string_view, 8> types{
        "bool", "number", "string", "time", "array", "json", "object", "object_array"};
    const auto* type = body.if_contains("type");
    if (!type || !type->is_string()) return;
    std::string permitted;
    for (auto t : types) {
        if (t == type->get_string()) return;
        permitted += (permitted.empty() ? "'" : ", '") + std::string(t) + "'";
    }
    throw unprocessable(boost::json::array{"body", "type"},
                        "value is not a valid enumeration member; permitted: " + permitted,
                        "type_error.enum");
}

}  // namespace resource_schema_detail

// ----- relations -------------------------------------------------------------------------------

inline reply list_relations(state& s, const route_context& ctx) {
    const auto p = read_page(ctx);
    const auto items = s.relations_of(ctx.param(0));
    std::vector<const boost::json::object*> pointers;
    for (const auto& item : items) pointers.push_back(&item);
    return json_reply(200, envelope(pointers, p, [](const boost::json::object& o) { return o; }));
}

inline reply create_relation(state& s, const route_context& ctx) {
    s.require_resource(ctx.param(0));
    const auto in = resource_schema_detail::object_body(ctx, schemas::relation_create);
    return json_reply(201, s.create_relation(ctx.param(0), in));
}

inline reply get_relation(state& s, const route_context& ctx) {
    return json_reply(200, s.relation_of(ctx.param(0), ctx.param(1)));
}

inline reply delete_relation(state& s, const route_context& ctx) {
    s.delete_relation(ctx.param(0), ctx.param(1));
    return no_content();
}

// ----- resource roles --------------------------------------------------------------------------

inline reply list_resource_roles(state& s, const route_context& ctx) {
    const auto p = read_page(ctx);
    return json_reply(200, resource_schema_detail::bare_page(s.resource_roles_of(ctx.param(0)), p));
}

inline reply create_resource_role(state& s, const route_context& ctx) {
    s.require_resource(ctx.param(0));
    const auto in = resource_schema_detail::object_body(ctx, schemas::resource_role_create);
    return json_reply(201, s.create_resource_role(ctx.param(0), in));
}

inline reply get_resource_role(state& s, const route_context& ctx) {
    return json_reply(200, s.resource_role_of(ctx.param(0), ctx.param(1)));
}

inline reply update_resource_role(state& s, const route_context& ctx) {
    s.resource_role_of(ctx.param(0), ctx.param(1));
    const auto in = resource_schema_detail::object_body(ctx, schemas::resource_role_update);
    return json_reply(200, s.update_resource_role(ctx.param(0), ctx.param(1), in));
}

inline reply delete_resource_role(state& s, const route_context& ctx) {
    s.delete_resource_role(ctx.param(0), ctx.param(1));
    return no_content();
}

/// `POST` (`grant`) and `DELETE .../roles/{role_id}/permissions` with `{"permissions": [...]}`.
inline reply change_resource_role_permissions(state& s, const route_context& ctx, bool grant) {
    s.resource_role_of(ctx.param(0), ctx.param(1));
    const auto in = resource_schema_detail::object_body(ctx, schemas::resource_role_permissions);
    return json_reply(200, s.change_resource_role_permissions(ctx.param(0), ctx.param(1),
                                                              in.at("permissions"), grant));
}

/// `GET .../roles/{role_id}/ancestors` and `/descendants`: `ResourceRoleList` `{"roles": [...]}`.
inline reply related_resource_roles(state& s, const route_context& ctx, bool ancestors) {
    boost::json::array roles;
    for (auto& role : s.related_resource_roles(ctx.param(0), ctx.param(1), ancestors))
        roles.push_back(std::move(role));
    return json_reply(200, boost::json::object{{"roles", std::move(roles)}});
}

// ----- implicit grants (a role's derivation rules) ---------------------------------------------

inline reply create_implicit_grant(state& s, const route_context& ctx) {
    s.resource_role_of(ctx.param(0), ctx.param(1));
    const auto in = resource_schema_detail::object_body(ctx, schemas::derived_role_rule);
    return json_reply(200, s.create_implicit_grant(ctx.param(0), ctx.param(1), in));
}

inline reply delete_implicit_grant(state& s, const route_context& ctx) {
    s.resource_role_of(ctx.param(0), ctx.param(1));
    const auto in = resource_schema_detail::object_body(ctx, schemas::derived_role_rule);
    s.delete_implicit_grant(ctx.param(0), ctx.param(1), in);
    return no_content();
}

inline reply set_implicit_grant_conditions(state& s, const route_context& ctx) {
    s.resource_role_of(ctx.param(0), ctx.param(1));
    const auto in = resource_schema_detail::object_body(ctx, schemas::derivation_settings);
    return json_reply(200, s.set_implicit_grant_conditions(ctx.param(0), ctx.param(1), in));
}

// ----- attribute definitions -------------------------------------------------------------------
// Each handler takes the resource type: the path's, or for `/users/attributes` the `resource_id`
// query parameter, `__user` by default (https://api.permit.io/v2/redoc#tag/User-Attributes).

inline reply list_attributes(state& s, const route_context& ctx, std::string_view resource) {
    const auto p = read_page(ctx);
    return json_reply(200, resource_schema_detail::bare_page(s.attributes_of(resource), p));
}

inline reply create_attribute(state& s, const route_context& ctx, std::string_view resource) {
    s.attributes_of(resource);
    const auto in = resource_schema_detail::object_body(ctx, schemas::attribute_create);
    resource_schema_detail::check_attribute_type(in);
    return json_reply(201, s.create_attribute(resource, in));
}

inline reply get_attribute(state& s, std::string_view resource, std::string_view attribute) {
    return json_reply(200, s.attribute_of(resource, attribute));
}

inline reply update_attribute(state& s, const route_context& ctx, std::string_view resource,
                              std::string_view attribute) {
    s.attribute_of(resource, attribute);
    const auto in = resource_schema_detail::object_body(ctx, schemas::attribute_update);
    resource_schema_detail::check_attribute_type(in);
    return json_reply(200, s.update_attribute(resource, attribute, in));
}

inline reply delete_attribute(state& s, std::string_view resource, std::string_view attribute) {
    s.delete_attribute(resource, attribute);
    return no_content();
}

/// The resource type of a `/users/attributes` route.
inline std::string_view user_attributes_resource(const route_context& ctx) {
    return ctx.q("resource_id").value_or(state::user_resource);
}

// ----- action groups ---------------------------------------------------------------------------

inline reply list_action_groups(state& s, const route_context& ctx) {
    const auto p = read_page(ctx);
    return json_reply(200, resource_schema_detail::bare_page(s.action_groups_of(ctx.param(0)), p));
}

inline reply create_action_group(state& s, const route_context& ctx) {
    s.require_resource(ctx.param(0));
    const auto in = resource_schema_detail::object_body(ctx, schemas::action_group_create);
    return json_reply(201, s.create_action_group(ctx.param(0), in));
}

inline reply get_action_group(state& s, const route_context& ctx) {
    return json_reply(200, s.action_group_of(ctx.param(0), ctx.param(1)));
}

inline reply update_action_group(state& s, const route_context& ctx) {
    s.action_group_of(ctx.param(0), ctx.param(1));
    const auto in = resource_schema_detail::object_body(ctx, schemas::action_group_update);
    return json_reply(200, s.update_action_group(ctx.param(0), ctx.param(1), in));
}

inline reply delete_action_group(state& s, const route_context& ctx) {
    s.delete_action_group(ctx.param(0), ctx.param(1));
    return no_content();
}

}  // namespace permit::testing::detail::routes
