// `/v2/facts/{proj_id}/{env_id}/resource_instances...` and `/relationship_tuples...`
// (https://api.permit.io/v2/redoc#tag/Resource-Instances,
// https://api.permit.io/v2/redoc#tag/Relationship-Tuples): the facts ReBAC decides on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/routes_bulk.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

/// Items per bulk call: 3,000 resource instances, 1,000 relationship tuples
/// (https://docs.permit.io/how-to/bulk-operations).
struct rebac_bulk_limits {
    std::size_t instances = 3000;
    std::size_t tuples = 1000;
    unsigned status = 422;
};

namespace rebac_detail {

inline std::string text(const boost::json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

inline boost::json::object attributes_of(const boost::json::object& o) {
    const auto* v = o.if_contains("attributes");
    return v && v->is_object() ? v->get_object() : boost::json::object{};
}

/// Whether `wanted` (a key or an id) names the record with `key` and `id`.
inline bool names(const std::optional<std::string_view>& wanted, std::string_view key,
                  std::string_view id) {
    return !wanted || *wanted == key || *wanted == id;
}

}  // namespace rebac_detail

// ----- resource instances ----------------------------------------------------------------------

/// A bare array unless `include_total_count=true`; filters `tenant`, `resource` (key or id) and
/// repeated `search` (an instance's key or id, exact).
inline reply list_instances(state& s, const route_context& ctx) {
    const auto options = read_list_options(ctx);
    const auto p = options.page;
    const auto with_total = options.with_total;
    const auto tenant = ctx.q("tenant");
    const auto resource = ctx.q("resource");
    const auto search = ctx.all("search");
    auto items = s.instances_where([&](const instance_record& r) {
        if (!rebac_detail::names(tenant, r.tenant, r.tenant_id)) return false;
        if (!rebac_detail::names(resource, r.resource, r.resource_id)) return false;
        if (search.empty()) return true;
        for (const auto& term : search)
            if (term == r.instance_key || term == r.id || term == r.key) return true;
        return false;
    });
    return json_reply(200, array_or_envelope(items, p, with_total, [&](const instance_record& r) {
                          return s.render(r);
                      }));
}

inline reply create_instance(state& s, const route_context& ctx) {
    const auto in = checked_body(ctx, schemas::instance_create);
    const auto& o = in.get_object();
    const auto& r =
        s.create_instance(rebac_detail::text(o, "key"), rebac_detail::text(o, "resource"),
                          rebac_detail::text(o, "tenant"), rebac_detail::attributes_of(o));
    return json_reply(201, s.render(r));
}

inline reply get_instance(state& s, const route_context& ctx) {
    return json_reply(200, s.render(s.require_instance(ctx.param(0))));
}

inline reply update_instance(state& s, const route_context& ctx) {
    s.require_instance(ctx.param(0));
    const auto in = checked_body(ctx, schemas::instance_update);
    return json_reply(200, s.render(s.update_instance(
                               ctx.param(0), rebac_detail::attributes_of(in.get_object()))));
}

inline reply delete_instance(state& s, const route_context& ctx) {
    s.delete_instance(ctx.param(0));
    return no_content();
}

/// `PUT /bulk/resource_instances`: creates or replaces each by `resource` and `key`; `{}`.
inline reply bulk_replace_instances(state& s, const route_context& ctx,
                                    const rebac_bulk_limits& limits) {
    const auto in = checked_body(ctx, schemas::instance_bulk);
    const auto& ops = in.at("operations").get_array();
    check_bulk_size(ops.size(), limits.instances, limits.status, "operations");
    // Every type and tenant is checked before anything is written.
    for (const auto& op : ops) {
        s.require_resource(rebac_detail::text(op.get_object(), "resource"));
        s.require_tenant(rebac_detail::text(op.get_object(), "tenant"));
    }
    for (const auto& op : ops) {
        const auto& o = op.get_object();
        s.replace_instance(rebac_detail::text(o, "key"), rebac_detail::text(o, "resource"),
                           rebac_detail::text(o, "tenant"), rebac_detail::attributes_of(o));
    }
    return json_reply(200, boost::json::object{});
}

/// `DELETE /bulk/resource_instances` with `{"idents": ["type:key" or id, ...]}`; `{}`.
inline reply bulk_delete_instances(state& s, const route_context& ctx,
                                   const rebac_bulk_limits& limits) {
    const auto in = checked_body(ctx, schemas::bulk_delete);
    const auto& idents = in.at("idents").get_array();
    check_bulk_size(idents.size(), limits.instances, limits.status, "idents");
    for (const auto& ident : idents) s.require_instance(ident.get_string());
    for (const auto& ident : idents)
        if (s.find_instance(ident.get_string())) s.delete_instance(ident.get_string());
    return json_reply(200, boost::json::object{});
}

// ----- relationship tuples ---------------------------------------------------------------------

/// A bare array unless `include_total_count=true`; the filters combine with AND.
inline reply list_tuples(state& s, const route_context& ctx) {
    const auto options = read_list_options(ctx);
    const auto p = options.page;
    const auto with_total = options.with_total;
    const auto tenant = ctx.q("tenant");
    const auto subject = ctx.q("subject");
    const auto relation = ctx.q("relation");
    const auto object = ctx.q("object");
    const auto subject_type = ctx.q("subject_type");
    const auto object_type = ctx.q("object_type");
    auto type_matches = [&](const std::optional<std::string_view>& wanted,
                            const std::string& ident) {
        if (!wanted) return true;
        const auto type = std::string(rebac::type_of(ident));
        if (*wanted == type) return true;
        const auto* r = s.find_resource(type);
        return r && r->id == *wanted;
    };
    auto items = s.tuples_where([&](const tuple_record& t) {
        return rebac_detail::names(tenant, t.tenant, t.tenant_id) &&
               rebac_detail::names(subject, t.subject, t.subject_id) &&
               rebac_detail::names(relation, t.relation, t.relation_id) &&
               rebac_detail::names(object, t.object, t.object_id) &&
               type_matches(subject_type, t.subject) && type_matches(object_type, t.object);
    });
    return json_reply(200, array_or_envelope(items, p, with_total,
                                             [&](const tuple_record& t) { return s.render(t); }));
}

inline state::tuple_plan plan_one_tuple(const state& s, const boost::json::object& o,
                                        const state::planned_writes* earlier = nullptr) {
    std::optional<std::string> tenant;
    if (const auto* t = o.if_contains("tenant"); t && t->is_string())
        tenant = std::string(t->get_string());
    return s.plan_tuple(rebac_detail::text(o, "subject"), rebac_detail::text(o, "relation"),
                        rebac_detail::text(o, "object"),
                        tenant ? std::optional<std::string_view>(*tenant) : std::nullopt, earlier);
}

inline reply create_tuple(state& s, const route_context& ctx) {
    const auto in = checked_body(ctx, schemas::tuple_create);
    return json_reply(201, s.render(s.write_tuple(plan_one_tuple(s, in.get_object()))));
}

/// `DELETE /relationship_tuples` with a JSON body; 204, or 404 when there is no such tuple
/// (permit-python `tests/test_rebac_e2e.py` reads a 404 so).
inline reply delete_tuple(state& s, const route_context& ctx) {
    const auto in = checked_body(ctx, schemas::tuple_delete);
    const auto& o = in.get_object();
    s.delete_tuple(rebac_detail::text(o, "subject"), rebac_detail::text(o, "relation"),
                   rebac_detail::text(o, "object"));
    return no_content();
}

/// `POST /relationship_tuples/bulk`: `{}`. Every item is checked before anything is written, as
/// if the items before it were written (an instance one of them creates may be named by a later
/// one), so a call that fails writes nothing. [UNCONFIRMED] Whether the API's bulk call is atomic
/// is not documented; a client that replays a call it did not hear back from can tell from a 409
/// that nothing of it was written this time.
inline reply bulk_create_tuples(state& s, const route_context& ctx,
                                const rebac_bulk_limits& limits) {
    const auto in = checked_body(ctx, schemas::tuple_bulk);
    const auto& ops = in.at("operations").get_array();
    check_bulk_size(ops.size(), limits.tuples, limits.status, "operations");
    state::planned_writes earlier;
    std::vector<state::tuple_plan> plans;
    plans.reserve(ops.size());
    for (const auto& op : ops) {
        plans.push_back(plan_one_tuple(s, op.get_object(), &earlier));
        state::plan_into(earlier, plans.back());
    }
    for (const auto& plan : plans) s.write_tuple(plan);
    return json_reply(200, boost::json::object{});
}

/// `DELETE /relationship_tuples/bulk` with `{"idents": [{subject, relation, object}, ...]}`:
/// `{}`, or 404 (and nothing deleted) when one of them does not exist.
inline reply bulk_delete_tuples(state& s, const route_context& ctx,
                                const rebac_bulk_limits& limits) {
    const auto in = checked_body(ctx, schemas::tuple_bulk_delete);
    const auto& idents = in.at("idents").get_array();
    check_bulk_size(idents.size(), limits.tuples, limits.status, "idents");
    for (const auto& ident : idents) {
        const auto& o = ident.get_object();
        if (!s.find_tuple(rebac_detail::text(o, "subject"), rebac_detail::text(o, "relation"),
                          rebac_detail::text(o, "object")))
            throw not_found("RelationshipTuple");
    }
    for (const auto& ident : idents) {
        const auto& o = ident.get_object();
        // The same tuple named twice is deleted once.
        if (s.find_tuple(rebac_detail::text(o, "subject"), rebac_detail::text(o, "relation"),
                         rebac_detail::text(o, "object")))
            s.delete_tuple(rebac_detail::text(o, "subject"), rebac_detail::text(o, "relation"),
                           rebac_detail::text(o, "object"));
    }
    return json_reply(200, boost::json::object{});
}

}  // namespace permit::testing::detail::routes
