// permit.relationship_tuples: the relations between resource instances
// (`/v2/facts/{proj}/{env}/relationship_tuples`) from which ReBAC derives roles.
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/models/page.hpp>
#include <permit/models/relationship_tuple.hpp>
#include <permit/pager.hpp>

#include <string>
#include <utility>
#include <vector>

namespace permit {

/// The relationship tuples of the environment. Reached as `client.relationship_tuples`.
///
/// A tuple (subject, relation, object) says that instance `subject` is the `relation` of
/// instance `object`, e.g. (folder:finance, parent, document:report); the relation is defined on
/// the object's resource type. Every function starts one request and completes with the
/// signature it names; the last argument is any Asio completion token (default
/// `permit::use_awaitable`, which throws `permit::api_error`), and each has an overload taking a
/// `permit::diagnostics&` before the token. Errors: `permit::error` codes for HTTP statuses,
/// network and TLS errors, the client's timeouts, `error::invalid_response`. Cancellation: any
/// per-operation cancellation type aborts the call with `operation_aborted`. Thread safety: as the
/// `permit::client` it belongs to. Read-your-writes (`config::proxy_facts_via_pdp`): `create`
/// waits until the PDP's decisions see the tuple.
class relationship_tuples_api : protected detail::api_base {
  private:
    friend class permit::client_view;
    explicit relationship_tuples_api(detail::client_handle impl) : api_base(std::move(impl)) {}
    using verb = http_method;

  public:
    /// Creates a tuple (`POST /relationship_tuples`); an instance it names that does not exist is
    /// created in `tuple.tenant`. Signature: `void(error_code, permit::relationship_tuple)`.
    /// The tuple exists: `error::conflict`; the relation is not the object type's, or the two
    /// instances are in different tenants: `error::validation_failed`. Not retried (POST).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(const relationship_tuple_create& tuple, CompletionToken&& token = {}) const {
        return call<relationship_tuple>(spec(verb::post, "", to_json(tuple)),
                                        detail::json_decoder<relationship_tuple>{}, nullptr,
                                        std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto create(const relationship_tuple_create& tuple, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<relationship_tuple>(spec(verb::post, "", to_json(tuple)),
                                        detail::json_decoder<relationship_tuple>{}, &diag,
                                        std::forward<CompletionToken>(token));
    }

    /// Deletes a tuple (`DELETE /relationship_tuples`, the tuple in the body). Signature:
    /// `void(error_code)`. No such tuple: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove(const relationship_tuple_delete& tuple, CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, "", to_json(tuple)), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove(const relationship_tuple_delete& tuple, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, "", to_json(tuple)), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Reads one page of the tuples matching `q` (`GET /relationship_tuples`). Signature:
    /// `void(error_code, permit::page<permit::relationship_tuple>)`, with `total_count`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const relationship_tuple_list_query& q = {}, CompletionToken&& token = {}) const {
        return call<page<relationship_tuple>>(list_spec(q, q.page, q.per_page),
                                              detail::list_decoder<relationship_tuple>{}, nullptr,
                                              std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list(const relationship_tuple_list_query& q, diagnostics& diag,
              CompletionToken&& token = {}) const {
        return call<page<relationship_tuple>>(list_spec(q, q.page, q.per_page),
                                              detail::list_decoder<relationship_tuple>{}, &diag,
                                              std::forward<CompletionToken>(token));
    }

    /// Every tuple matching `q`, page by page from `q.page`, `q.per_page` at a time.
    pager<relationship_tuple> list_all(relationship_tuple_list_query q = {}) const {
        return detail::pager_access::make<relationship_tuple>(
            impl_, q.per_page,
            [q](int page, int per_page) { return list_spec(q, page, per_page); });
    }

    /// Creates many tuples in one request (`POST /relationship_tuples/bulk`, at most 1,000).
    /// Signature: `void(error_code)`. Not retried (POST).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<relationship_tuple_create> tuples,
                     CompletionToken&& token = {}) const {
        return call<void>(spec(verb::post, "/bulk",
                               to_json(relationship_tuple_bulk_operation{std::move(tuples)})),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_create(std::vector<relationship_tuple_create> tuples, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(spec(verb::post, "/bulk",
                               to_json(relationship_tuple_bulk_operation{std::move(tuples)})),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

    /// Deletes many tuples in one request (`DELETE /relationship_tuples/bulk`, at most 1,000).
    /// Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto bulk_remove(std::vector<relationship_tuple_delete> tuples,
                     CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, "/bulk",
                               to_json(relationship_tuple_bulk_delete{std::move(tuples)})),
                          detail::no_decoder{}, nullptr, std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto bulk_remove(std::vector<relationship_tuple_delete> tuples, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, "/bulk",
                               to_json(relationship_tuple_bulk_delete{std::move(tuples)})),
                          detail::no_decoder{}, &diag, std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec spec(verb method, std::string_view suffix,
                                  std::optional<std::string> body = {}) {
        return {.method = method,
                .base = detail::path_base::facts,
                .path = "/relationship_tuples" + std::string(suffix),
                .body = std::move(body)};
    }
    static detail::call_spec list_spec(const relationship_tuple_list_query& q, int page,
                                       int per_page) {
        detail::query_builder query;
        query.add_optional("tenant", q.tenant)
            .add_optional("subject", q.subject)
            .add_optional("relation", q.relation)
            .add_optional("object", q.object)
            .add_optional("subject_type", q.subject_type)
            .add_optional("object_type", q.object_type)
            .add_flag("include_total_count", true)
            .add_number("page", page)
            .add_number("per_page", per_page);
        auto out = spec(verb::get, "");
        out.query = std::move(query).str();
        return out;
    }
};

}  // namespace permit
