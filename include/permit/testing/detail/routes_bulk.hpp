// `/v2/facts/{proj_id}/{env_id}/bulk/...` (https://api.permit.io/v2/redoc#tag/Bulk-Operations):
// bulk users and tenants.
#pragma once

#include <set>

#include <boost/json/value_to.hpp>

#include <permit/models/bulk.hpp>
#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

/// Items per call ("Bulk limits" in https://docs.permit.io/how-to/bulk-operations) and the
/// status of a larger call.
struct bulk_limits {
    std::size_t users = 3000;
    std::size_t tenants = 2000;
    std::size_t role_assignments = 2000;
    unsigned status = 422;
};

/// Rejects a call with more than `limit` items; `field` is empty for a bare-array body.
inline void check_bulk_size(std::size_t size, std::size_t limit, unsigned status,
                            std::string_view field) {
    if (size <= limit) return;
    boost::json::array loc{"body"};
    if (!field.empty()) loc.push_back(boost::json::string(field));
    validation_errors errors;
    errors.add(std::move(loc), "ensure this value has at most " + std::to_string(limit) + " items",
               "value_error.list.max_items", boost::json::object{{"limit_value", limit}});
    throw api_failure{status, errors.body()};
}

inline permit::user_bulk_operation user_operations(const route_context& ctx,
                                                   const bulk_limits& limits) {
    const auto in = body_as<permit::user_bulk_operation>(ctx, schemas::user_bulk);
    check_bulk_size(in.operations.size(), limits.users, limits.status, "operations");
    return in;
}

/// All-or-nothing create: any existing key fails the whole call.
inline reply bulk_create_users(state& s, const route_context& ctx, const bulk_limits& limits) {
    const auto in = user_operations(ctx, limits);
    std::set<std::string> seen;
    for (const auto& u : in.operations) {
        if (s.find_user(u.key) || !seen.insert(u.key).second) throw duplicate("user", u.key);
        s.check_user_roles(u.role_assignments);
    }
    for (const auto& u : in.operations) s.create_user(u);
    return json_reply(200, boost::json::object{});
}

/// Upsert: each user is created or replaced, with its role assignments added.
inline reply bulk_replace_users(state& s, const route_context& ctx, const bulk_limits& limits) {
    const auto in = user_operations(ctx, limits);
    for (const auto& u : in.operations) s.check_user_roles(u.role_assignments);
    for (const auto& u : in.operations) s.replace_user(u);
    return json_reply(200, boost::json::object{});
}

/// Unknown idents are skipped, so that a retried delete succeeds.
inline reply bulk_delete_users(state& s, const route_context& ctx, const bulk_limits& limits) {
    const auto in = body_as<permit::bulk_delete_operation>(ctx, schemas::bulk_delete);
    check_bulk_size(in.idents.size(), limits.users, limits.status, "idents");
    for (const auto& ident : in.idents)
        if (s.find_user(ident)) s.delete_user(ident);
    return json_reply(200, boost::json::object{});
}

inline reply bulk_create_tenants(state& s, const route_context& ctx, const bulk_limits& limits) {
    const auto in = body_as<permit::tenant_bulk_operation>(ctx, schemas::tenant_bulk);
    check_bulk_size(in.operations.size(), limits.tenants, limits.status, "operations");
    std::set<std::string> seen;
    for (const auto& t : in.operations)
        if (s.find_tenant(t.key) || !seen.insert(t.key).second) throw duplicate("tenant", t.key);
    for (const auto& t : in.operations) s.create_tenant(t);
    return json_reply(200, boost::json::object{});
}

inline reply bulk_delete_tenants(state& s, const route_context& ctx, const bulk_limits& limits) {
    const auto in = body_as<permit::bulk_delete_operation>(ctx, schemas::bulk_delete);
    check_bulk_size(in.idents.size(), limits.tenants, limits.status, "idents");
    for (const auto& ident : in.idents)
        if (s.find_tenant(ident)) s.delete_tenant(ident);
    return json_reply(200, boost::json::object{});
}

}  // namespace permit::testing::detail::routes
