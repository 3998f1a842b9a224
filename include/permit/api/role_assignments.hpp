// permit.role_assignments: the role assignments of an environment
// (`/v2/facts/{proj}/{env}/role_assignments`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/api/list_queries.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/pager.hpp>

#include <string>
#include <vector>

namespace permit {

/// Role assignments, across users and tenants. Reached as `client.role_assignments`.
///
/// Read-your-writes (`config::proxy_facts_via_pdp`, or a view made by
/// `client::with({.wait_for_sync = ...})`): every call goes through the PDP. `assign` and
/// `unassign` wait until the PDP's decisions see the change (or fail with `error::sync_timeout`
/// under `sync_timeout_policy::fail`); the lists and the bulk calls are forwarded without waiting.
///
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client`).
class role_assignments_api : detail::api_base {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit role_assignments_api(detail::client_handle impl) : api_base(std::move(impl)) {}

  public:
    /// Reads one page of role assignments matching `q` (`GET /role_assignments`).
    /// Signature: `void(error_code, permit::page<permit::role_assignment>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const role_assignment_list_query& q = {}, CompletionToken&& token = {}) const {
        return call<page<role_assignment>>(list_spec(q, q.page, q.per_page),
                                           detail::list_decoder<role_assignment>{}, nullptr,
                                           std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list(const role_assignment_list_query& q, diagnostics& diag,
              CompletionToken&& token = {}) const {
        return call<page<role_assignment>>(list_spec(q, q.page, q.per_page),
                                           detail::list_decoder<role_assignment>{}, &diag,
                                           std::forward<CompletionToken>(token));
    }

    /// Every role assignment matching `q`, page by page from `q.page`, `q.per_page` at a time.
    pager<role_assignment> list_all(role_assignment_list_query q = {}) const {
        return detail::pager_access::make<role_assignment>(
            impl_, q.per_page,
            [q](int page, int per_page) { return list_spec(q, page, per_page); });
    }

    /// Reads one page of role assignments matching `q`, each with its role, user, tenant and
    /// resource instance as objects (`GET /role_assignments/detailed`). Signature:
    /// `void(error_code, permit::page<permit::role_assignment_detailed>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list_detailed(const role_assignment_list_query& q = {},
                       CompletionToken&& token = {}) const {
        return call<page<role_assignment_detailed>>(
            list_detailed_spec(q, q.page, q.per_page),
            detail::list_decoder<role_assignment_detailed>{}, nullptr,
            std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list_detailed(const role_assignment_list_query& q, diagnostics& diag,
                       CompletionToken&& token = {}) const {
        return call<page<role_assignment_detailed>>(
            list_detailed_spec(q, q.page, q.per_page),
            detail::list_decoder<role_assignment_detailed>{}, &diag,
            std::forward<CompletionToken>(token));
    }

    /// Every role assignment matching `q`, detailed as by `list_detailed`, page by page from
    /// `q.page`, `q.per_page` at a time.
    pager<role_assignment_detailed> list_detailed_all(role_assignment_list_query q = {}) const {
        return detail::pager_access::make<role_assignment_detailed>(
            impl_, q.per_page,
            [q](int page, int per_page) { return list_detailed_spec(q, page, per_page); });
    }

    /// Gives a user a role, in a tenant or on a resource instance (`POST /role_assignments`).
    /// Signature: `void(error_code, permit::role_assignment)`. Unknown user, role or tenant:
    /// `error::not_found`; already assigned: `error::conflict`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto assign(const role_assignment_create& a, CompletionToken&& token = {}) const {
        return call<role_assignment>(assign_spec(a), detail::json_decoder<role_assignment>{},
                                     nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto assign(const role_assignment_create& a, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<role_assignment>(assign_spec(a), detail::json_decoder<role_assignment>{}, &diag,
                                     std::forward<CompletionToken>(token));
    }

    /// Takes a role away from a user (`DELETE /role_assignments`). Signature: `void(error_code)`.
    /// The user does not hold it: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto unassign(const role_assignment_remove& a, CompletionToken&& token = {}) const {
        return call<void>(unassign_spec(a), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto unassign(const role_assignment_remove& a, diagnostics& diag,
                  CompletionToken&& token = {}) const {
        return call<void>(unassign_spec(a), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Makes many role assignments in one request (`POST /role_assignments/bulk`).
    /// Signature: `void(error_code, permit::bulk_role_assignment_report)`. A missing user
    /// fails the whole request (`error::not_found`).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_assign(std::vector<role_assignment_create> assignments,
                     CompletionToken&& token = {}) const {
        return call<bulk_role_assignment_report>(
            bulk_assign_spec(std::move(assignments)),
            detail::json_decoder<bulk_role_assignment_report>{}, nullptr,
            std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_assign(std::vector<role_assignment_create> assignments, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<bulk_role_assignment_report>(
            bulk_assign_spec(std::move(assignments)),
            detail::json_decoder<bulk_role_assignment_report>{}, &diag,
            std::forward<CompletionToken>(token));
    }

    /// Removes many role assignments in one request (`DELETE /role_assignments/bulk`).
    /// Signature: `void(error_code, permit::bulk_role_unassignment_report)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_unassign(std::vector<role_assignment_remove> assignments,
                       CompletionToken&& token = {}) const {
        return call<bulk_role_unassignment_report>(
            bulk_unassign_spec(std::move(assignments)),
            detail::json_decoder<bulk_role_unassignment_report>{}, nullptr,
            std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_unassign(std::vector<role_assignment_remove> assignments, diagnostics& diag,
                       CompletionToken&& token = {}) const {
        return call<bulk_role_unassignment_report>(
            bulk_unassign_spec(std::move(assignments)),
            detail::json_decoder<bulk_role_unassignment_report>{}, &diag,
            std::forward<CompletionToken>(token));
    }

  private:
    using verb = http_method;
    static constexpr auto facts = detail::path_base::facts;

    // The list filters repeat their name once per value: `user=a&user=b`.
    static void add_filters(detail::query_builder& query, const role_assignment_list_query& q) {
        for (const auto& u : q.users) query.add("user", u);
        for (const auto& r : q.roles) query.add("role", r);
        for (const auto& t : q.tenants) query.add("tenant", t);
        query.add_optional("resource", q.resource)
            .add_optional("resource_instance", q.resource_instance);
    }
    static detail::call_spec list_spec(const role_assignment_list_query& q, int page,
                                       int per_page) {
        detail::query_builder query;
        add_filters(query, q);
        // Marked deprecated in the newest spec, but the only way to get the envelope with
        // `total_count` instead of a bare array (permitio/permit-cli `source/lib/api/v1.d.ts`).
        query.add_flag("include_total_count", true);
        query.add_number("page", page).add_number("per_page", per_page);
        return {.method = verb::get,
                .base = facts,
                .path = "/role_assignments",
                .query = std::move(query).str()};
    }
    // Always the envelope (`PaginatedResult_RoleAssignmentDetailedRead_`,
    // https://api.permit.io/v2/redoc#tag/Role-Assignments), where `GET /role_assignments?detailed=
    // true` answers a bare array unless `include_total_count` is given.
    static detail::call_spec list_detailed_spec(const role_assignment_list_query& q, int page,
                                                int per_page) {
        detail::query_builder query;
        add_filters(query, q);
        query.add_number("page", page).add_number("per_page", per_page);
        return {.method = verb::get,
                .base = facts,
                .path = "/role_assignments/detailed",
                .query = std::move(query).str()};
    }
    static detail::call_spec assign_spec(const role_assignment_create& a) {
        return {
            .method = verb::post, .base = facts, .path = "/role_assignments", .body = to_json(a)};
    }
    static detail::call_spec unassign_spec(const role_assignment_remove& a) {
        return {.method = verb::delete_,
                .base = facts,
                .path = "/role_assignments",
                .body = to_json(a)};
    }
    // The bulk bodies are bare JSON arrays, not wrapped in an object.
    static detail::call_spec bulk_assign_spec(std::vector<role_assignment_create> items) {
        return {.method = verb::post,
                .base = facts,
                .path = "/role_assignments/bulk",
                .body = to_json(items)};
    }
    static detail::call_spec bulk_unassign_spec(std::vector<role_assignment_remove> items) {
        return {.method = verb::delete_,
                .base = facts,
                .path = "/role_assignments/bulk",
                .body = to_json(items)};
    }
};

}  // namespace permit
