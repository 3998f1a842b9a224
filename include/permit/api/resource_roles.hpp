// permit.resource_roles: the roles of a resource type
// (`/v2/schema/{proj}/{env}/resources/{resource}/roles`), granted on its instances (ReBAC).
#pragma once

#include <permit/api/resource_collection.hpp>
#include <permit/models/resource_role.hpp>
#include <permit/models/role.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace permit {

namespace detail {
struct resource_role_traits {
    using create_type = resource_role_create;
    using read_type = resource_role;
    using update_type = resource_role_update;
    static std::string collection(std::string_view resource) {
        return below_resource(resource, "roles");
    }
};

/// Reads a `ResourceRoleList` (`{"roles": [...]}`, the list a bare array or the envelope).
struct resource_role_list_decoder {
    std::vector<resource_role> operator()(const http::response& r) const {
        const auto body = parse_body(r.body);
        const auto* fields = body.if_object();
        if (!fields)
            throw model_error("resource_role_list", {}, model_error::kind::wrong_type, "an object");
        const auto* roles = fields->if_contains("roles");
        if (!roles || roles->is_null())
            throw model_error("resource_role_list", "roles", model_error::kind::missing_field);
        try {
            return decode_list<resource_role>(*roles).data;
        } catch (const model_error& e) {
            throw e.rebased("resource_role_list", "roles");
        }
    }
};
}  // namespace detail

/// The roles of the environment's resource types. Reached as `client.resource_roles`.
///
/// A resource role (`folder#editor`) is assigned to users on instances of its resource type and
/// allows actions of that type only. The calls of `permit::resource_collection_api` take the
/// resource type first: `create(resource, const resource_role_create&)`, `get(resource, role)`,
/// `list(resource, const page_query& = {})` (a bare array: `total_count` is the page's size),
/// `list_all(resource, page_query = {})`, `update(resource, role, const
/// resource_role_update&)` (a `granted_to` given replaces every derivation rule) and
/// `remove(resource, role)`, which also removes the role's assignments on instances, drops it
/// from the `extends` of the type's other roles and removes every derivation rule that derives
/// from it (as the emulator does; the API says "and all its related data"). `create` fails with
/// `error::conflict` for a key the type has; a permission of another type and a derivation rule
/// whose relation or role does not exist fail with `error::validation_failed`. The derivation
/// rules one at a time: `client.implicit_grants`.
///
/// Completion signatures: `create`, `get`, `update`, `assign_permissions` and
/// `remove_permissions` complete with `void(error_code, permit::resource_role)`; `list` with
/// `void(error_code, permit::page<permit::resource_role>)`; `ancestors` and `descendants` with
/// `void(error_code, std::vector<permit::resource_role>)`; `remove` with `void(error_code)`.
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client`).
class resource_roles_api : public resource_collection_api<detail::resource_role_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit resource_roles_api(detail::client_handle impl)
        : resource_collection_api(std::move(impl)) {}

  public:
    /// Grants actions of `resource` to the role (`POST .../roles/{role}/permissions`), each an
    /// action key, `"<resource>:<action>"` or an action id; those already granted are skipped.
    /// Signature: `void(error_code, permit::resource_role)`. Missing role:
    /// `error::not_found`. Not retried (POST).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto assign_permissions(std::string_view resource, std::string_view role,
                            std::vector<std::string> permissions,
                            CompletionToken&& token = {}) const {
        return call<resource_role>(
            permissions_spec(verb::post, resource, role, std::move(permissions)),
            detail::json_decoder<resource_role>{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto assign_permissions(std::string_view resource, std::string_view role,
                            std::vector<std::string> permissions, diagnostics& diag,
                            CompletionToken&& token = {}) const {
        return call<resource_role>(
            permissions_spec(verb::post, resource, role, std::move(permissions)),
            detail::json_decoder<resource_role>{}, &diag, std::forward<CompletionToken>(token));
    }

    /// Takes actions away from the role (`DELETE .../roles/{role}/permissions`); those not
    /// granted are skipped. Signature: `void(error_code, permit::resource_role)`. Missing role:
    /// `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove_permissions(std::string_view resource, std::string_view role,
                            std::vector<std::string> permissions,
                            CompletionToken&& token = {}) const {
        return call<resource_role>(
            permissions_spec(verb::delete_, resource, role, std::move(permissions)),
            detail::json_decoder<resource_role>{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove_permissions(std::string_view resource, std::string_view role,
                            std::vector<std::string> permissions, diagnostics& diag,
                            CompletionToken&& token = {}) const {
        return call<resource_role>(
            permissions_spec(verb::delete_, resource, role, std::move(permissions)),
            detail::json_decoder<resource_role>{}, &diag, std::forward<CompletionToken>(token));
    }

    /// The roles of `resource` that the role extends, transitively, nearest first: those whose
    /// permissions it inherits (`GET .../roles/{role}/ancestors`). Signature:
    /// `void(error_code, std::vector<permit::resource_role>)`. Missing role: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto ancestors(std::string_view resource, std::string_view role,
                   CompletionToken&& token = {}) const {
        return call<std::vector<resource_role>>(spec(verb::get, resource, role, {}, "/ancestors"),
                                                detail::resource_role_list_decoder{}, nullptr,
                                                std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto ancestors(std::string_view resource, std::string_view role, diagnostics& diag,
                   CompletionToken&& token = {}) const {
        return call<std::vector<resource_role>>(spec(verb::get, resource, role, {}, "/ancestors"),
                                                detail::resource_role_list_decoder{}, &diag,
                                                std::forward<CompletionToken>(token));
    }

    /// The roles of `resource` that extend the role, transitively, nearest first: those that
    /// inherit its permissions (`GET .../roles/{role}/descendants`). Signature:
    /// `void(error_code, std::vector<permit::resource_role>)`. Missing role: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto descendants(std::string_view resource, std::string_view role,
                     CompletionToken&& token = {}) const {
        return call<std::vector<resource_role>>(spec(verb::get, resource, role, {}, "/descendants"),
                                                detail::resource_role_list_decoder{}, nullptr,
                                                std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto descendants(std::string_view resource, std::string_view role, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<std::vector<resource_role>>(spec(verb::get, resource, role, {}, "/descendants"),
                                                detail::resource_role_list_decoder{}, &diag,
                                                std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec permissions_spec(verb method, std::string_view resource,
                                              std::string_view role,
                                              std::vector<std::string> permissions) {
        return spec(method, resource, role, to_json(role_permissions{std::move(permissions)}),
                    "/permissions");
    }
};

}  // namespace permit
