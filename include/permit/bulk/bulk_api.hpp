// permit.bulk: the auto-batching pipeline, for syncing many users from many coroutines.
#pragma once

#include <permit/bulk/stats.hpp>
#include <permit/detail/call.hpp>
#include <permit/detail/engine.hpp>
#include <permit/diagnostics.hpp>
#include <permit/models/relationship_tuple.hpp>
#include <permit/models/resource_instance.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>
#include <permit/use_awaitable.hpp>

#include <boost/asio/async_result.hpp>

#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

namespace permit {

class client_view;

/// The bulk pipeline of a client. Reached as `client.bulk`.
///
/// Each call hands one item to a pipeline shared by the whole client, and completes when the API
/// has acknowledged that item, or with that item's own error. Items from any number of callers
/// are coalesced into `PUT /bulk/users`, `POST /bulk/tenants`, `POST /role_assignments/bulk`,
/// `PUT /bulk/resource_instances`, `POST /relationship_tuples/bulk` and
/// `DELETE /relationship_tuples/bulk` requests of up to `config::bulk` items each. A batch goes out
/// when it is full, when its oldest item has waited `bulk_options::linger` (a role assignment that
/// waited for its user counts from its call's arrival), or during a `flush()`; when the client
/// paces itself
/// (`config::rate_limits`), a due batch also waits for a bulk rate-limit token and then takes
/// everything waiting; a small one of users or role assignments goes as single writes instead
/// while the write budget is free (`bulk_options::single_writes`). Under a backlog every batch is
/// full.
///
/// - **Order**: a role assignment is sent only after its user and its resource instance (when
///   they are in the pipeline) and its tenant were acknowledged; an instance after its tenant; a
///   relationship tuple after the instances it names (when they are in the pipeline), its tenant
///   (when it names one), and the calls on the same tuple made before it. Tenants are created when
///   not known to exist; a tenant that exists already is success. Each role is looked up once (`GET
///   /roles/{key}`, or `GET /resources/{type}/roles/{key}` for a role on an instance) before the
///   first assignment naming it is sent: an assignment to a role that does not exist fails alone
///   with `error::not_found` instead of sinking its batch.
/// - **Rejections**: when the API rejects a batch for some of its items (400/422, or a 404 for
///   assignments naming a missing user, instances or tuples naming a missing type or tenant), those
///   items fail alone with the API's reason in their `diagnostics`; the rest of the batch is sent
///   again. Items named in a 422 are removed at once; otherwise the batch is split in halves until
///   the bad item is alone. A tenant batch answered 409 has its tenants looked up (`GET
///   /tenants/{key}`): those that exist are success, the others are created in one more batch. A
///   tuple batch answered 409 (or a removal batch answered 404) has its tuples looked up (`GET
///   /relationship_tuples`): those already as asked are success, the others are sent again in one
///   batch.
/// - **Retries**: each bulk request is retried under `bulk_options::retry` (replaying a bulk
///   request is harmless). A failure that outlasts it fails every caller of the batch with that
///   error.
/// - **Backpressure**: at most `bulk_options::max_pending` calls are admitted and unfinished;
///   later callers wait for room, in arrival order. Memory is bounded whatever the load.
///
/// Every caller is resumed exactly once. Completion tokens, the `diagnostics&` overloads and
/// thread safety are as for every operation (see `permit::client`). Views made by
/// `client::with` share the one pipeline; their retry policy does not apply to it.
///
/// Cancellation: cancelling a call completes it with `operation_aborted` at once; its items are
/// still sent if their batch is already out. `client::cancel()` and the client's destruction
/// complete every waiting call (and `flush()`) with `operation_aborted`.
class bulk_api {
    // Made by `permit::client`: the pipeline of the client that `client` refers to.
    friend class permit::client_view;
    explicit bulk_api(detail::client_handle client) : client_(std::move(client)) {}

  public:
    /// Syncs a user: creates it or replaces it whole (`PUT /bulk/users`), then gives it each of
    /// its `role_assignments` (creating their tenants first when needed). Completes when all of
    /// it is acknowledged, and with `bulk_options::confirm_with_pdp` once the PDP's decisions see
    /// its roles (`error::sync_timeout` if they do not in time). Signature: `void(error_code)`.
    /// Errors: the API's (e.g. `error::validation_failed` for an invalid email, with the field in
    /// `diagnostics`), or a transport error that outlasted the retries.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto sync_user(user_create user, CompletionToken&& token = {}) const {
        return start(std::move(user), nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto sync_user(user_create user, diagnostics& diag, CompletionToken&& token = {}) const {
        return start(std::move(user), &diag, std::forward<CompletionToken>(token));
    }

    /// Gives a user a role (`POST /role_assignments/bulk`), once the user (when it is being synced
    /// through this pipeline) and the tenant exist; the tenant is created when needed. A user
    /// unknown to the API fails the call with `error::not_found`. With
    /// `bulk_options::confirm_with_pdp`, completes once the PDP's decisions see the role.
    /// Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto assign_role(role_assignment_create assignment, CompletionToken&& token = {}) const {
        return start(std::move(assignment), nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto assign_role(role_assignment_create assignment, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return start(std::move(assignment), &diag, std::forward<CompletionToken>(token));
    }

    /// Makes sure a tenant exists (`POST /bulk/tenants`; one that exists already is success, and
    /// is left as it is). Its name, description and attributes are used when it is created, even
    /// when a `sync_user` queued the same tenant first (with its key as its name). Completes at
    /// once for a tenant the pipeline knows. Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto ensure_tenant(tenant_create tenant, CompletionToken&& token = {}) const {
        return start(std::move(tenant), nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto ensure_tenant(tenant_create tenant, diagnostics& diag,
                       CompletionToken&& token = {}) const {
        return start(std::move(tenant), &diag, std::forward<CompletionToken>(token));
    }

    /// Makes sure a resource instance exists, with these attributes (`PUT
    /// /bulk/resource_instances`: it is created, or replaced when it exists), creating its tenant
    /// first when needed. Tuples and role assignments on the instance that are handed to the
    /// pipeline after it wait for it. Signature: `void(error_code)`. Errors: the API's
    /// (`error::not_found` for an unknown resource type, `error::validation_failed` for an invalid
    /// key, with the field in `diagnostics`), or a transport error that outlasted the retries.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto ensure_instance(resource_instance_create instance, CompletionToken&& token = {}) const {
        return start(std::move(instance), nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto ensure_instance(resource_instance_create instance, diagnostics& diag,
                         CompletionToken&& token = {}) const {
        return start(std::move(instance), &diag, std::forward<CompletionToken>(token));
    }

    /// Writes a relationship tuple (`POST /relationship_tuples/bulk`), once the instances it names
    /// (when they are being ensured through this pipeline), its tenant (when given; created when
    /// needed) and the earlier calls on the same tuple are done. A tuple that exists already is
    /// success. Signature: `void(error_code)`. Errors: the API's (a relation that does not fit the
    /// instances' types, instances of different tenants: `error::validation_failed` with the API's
    /// reason), or a transport error that outlasted the retries.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto write_tuple(relationship_tuple_create tuple, CompletionToken&& token = {}) const {
        return start(std::move(tuple), nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto write_tuple(relationship_tuple_create tuple, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return start(std::move(tuple), &diag, std::forward<CompletionToken>(token));
    }

    /// Removes a relationship tuple (`DELETE /relationship_tuples/bulk`), after the earlier calls
    /// on the same tuple are done. A tuple that does not exist is success. Signature:
    /// `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove_tuple(relationship_tuple_delete tuple, CompletionToken&& token = {}) const {
        return start(std::move(tuple), nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove_tuple(relationship_tuple_delete tuple, diagnostics& diag,
                      CompletionToken&& token = {}) const {
        return start(std::move(tuple), &diag, std::forward<CompletionToken>(token));
    }

    /// Sends what is waiting at once and completes when every call made before it (admitted or
    /// waiting for room) is finished. Signature: `void(error_code)`; `operation_aborted` when
    /// cancelled.
    template <class CompletionToken = use_awaitable_t>
    auto flush(CompletionToken&& token = {}) const {
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
            detail::flush_initiation{client_}, token, nullptr);
    }

    /// The pipeline's counters. Thread safety: callable from any thread.
    bulk_stats stats() const { return detail::bulk_stats_of(*client_.impl); }

  private:
    // The item is moved once on its way in: into the variant that a handler's initiation takes
    // by reference, or into the box that a later initiation moves around (see `boxed_bulk_item`).
    template <class Item, class CompletionToken>
    auto start(Item&& item, diagnostics* diag, CompletionToken&& token) const {
        using item_type = std::remove_cvref_t<Item>;
        if constexpr (detail::initiates_at_once_v<CompletionToken>)
            return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
                detail::bulk_initiation{client_}, token, diag,
                detail::bulk_item(std::in_place_type<item_type>, std::forward<Item>(item)));
        else
            return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
                detail::bulk_initiation{client_}, token, diag,
                detail::box_bulk_item(std::forward<Item>(item)));
    }

    detail::client_handle client_;
};

}  // namespace permit
