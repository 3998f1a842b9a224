// permit.roles: the roles of an environment's policy (`/v2/schema/{proj}/{env}/roles`).
#pragma once

#include <permit/api/keyed_collection.hpp>
#include <permit/models/role.hpp>

#include <string>
#include <vector>

namespace permit {

namespace detail {
struct role_traits {
    using create_type = role_create;
    using read_type = role;
    using update_type = role_update;
    using query_type = schema_list_query;
    static constexpr path_base base = path_base::schema;
    static constexpr std::string_view collection = "/roles";
    static void add_filters(query_builder& query, const schema_list_query& q) {
        add_search_with_totals(query, q);
    }
};
}  // namespace detail

/// The roles of the environment's policy. Reached as `client.roles`.
///
/// `create`, `get`, `list`, `update` and `remove` work on `/roles` (see
/// `permit::keyed_collection_api`): a role's `permissions` are `"<resource>:<action>"` strings;
/// in `update`, a list given, even empty, replaces the stored one; `remove` also drops the
/// permissions granted to the role.
///
/// Their completion signatures: `create(const role_create&)`, `get(key)` and
/// `update(key, const role_update&)` complete with `void(error_code, permit::role)`;
/// `list(const schema_list_query& = {})` with `void(error_code, permit::page<permit::role>)`;
/// `remove(key)` with `void(error_code)`. `list_all(schema_list_query = {})` returns a
/// `permit::pager<permit::role>`. Each call but `list_all` also has a `diagnostics&` overload.
///
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client`).
class roles_api : public keyed_collection_api<detail::role_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit roles_api(detail::client_handle impl) : keyed_collection_api(std::move(impl)) {}

  public:
    /// Grants `"<resource>:<action>"` permissions to the role (`POST /roles/{role}/permissions`);
    /// those already granted are skipped. Signature: `void(error_code, permit::role)`.
    /// Missing role: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto assign_permissions(std::string_view key, std::vector<std::string> permissions,
                            CompletionToken&& token = {}) const {
        return call<role>(permissions_spec(verb::post, key, std::move(permissions)),
                          detail::json_decoder<role>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto assign_permissions(std::string_view key, std::vector<std::string> permissions,
                            diagnostics& diag, CompletionToken&& token = {}) const {
        return call<role>(permissions_spec(verb::post, key, std::move(permissions)),
                          detail::json_decoder<role>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Takes permissions away from the role (`DELETE /roles/{role}/permissions`); those not
    /// granted are skipped. Signature: `void(error_code, permit::role)`.
    /// Missing role: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove_permissions(std::string_view key, std::vector<std::string> permissions,
                            CompletionToken&& token = {}) const {
        return call<role>(permissions_spec(verb::delete_, key, std::move(permissions)),
                          detail::json_decoder<role>{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove_permissions(std::string_view key, std::vector<std::string> permissions,
                            diagnostics& diag, CompletionToken&& token = {}) const {
        return call<role>(permissions_spec(verb::delete_, key, std::move(permissions)),
                          detail::json_decoder<role>{}, &diag,
                          std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec permissions_spec(verb method, std::string_view key,
                                              std::vector<std::string> permissions) {
        return item_spec(method, key, to_json(role_permissions{std::move(permissions)}),
                         "/permissions");
    }
};

}  // namespace permit
