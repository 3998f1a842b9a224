// permit.condition_sets: the usersets and resourcesets of attribute-based policies
// (`/v2/schema/{proj}/{env}/condition_sets`).
#pragma once

#include <permit/api/keyed_collection.hpp>
#include <permit/models/condition_set.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace permit {

namespace detail {
struct condition_set_traits {
    using create_type = condition_set_create;
    using read_type = condition_set;
    using update_type = condition_set_update;
    using query_type = condition_set_list_query;
    static constexpr path_base base = path_base::schema;
    static constexpr std::string_view collection = "/condition_sets";
    static void add_filters(query_builder& query, const condition_set_list_query& q) {
        // The list is a bare array in the official SDKs' types and an envelope in the API's
        // reference (https://api.permit.io/v2/redoc#tag/Condition-Sets); the flag asks for the
        // envelope with `total_count`, and either shape is read.
        query.add_optional("search", q.search)
            .add_optional("type", q.type)
            .add_flag("include_total_count", true);
    }
};
}  // namespace detail

/// The condition sets of the environment: usersets and resourcesets, the subjects and objects of
/// attribute-based rules (`permit::condition_set_rules_api`). Reached as
/// `client.condition_sets`.
///
/// `create`, `get`, `list`, `update` and `remove` work on `/condition_sets` (see
/// `permit::keyed_collection_api`), a set named by its key or its id: `create` fails with
/// `error::conflict` when the key is taken, with `error::not_found` when its resource type or
/// parent does not exist, and with `error::validation_failed` when the conditions are not the
/// documented language (an unknown operator, `all_of` for `allOf`: the API's reason, and where in
/// the conditions, are in `diagnostics`); `update` replaces each field it is given; `remove` also
/// takes away the rules that name the set.
///
/// Their completion signatures: `create(const condition_set_create&)`, `get(key)` and
/// `update(key, const condition_set_update&)` complete with `void(error_code,
/// permit::condition_set)`; `list(const condition_set_list_query& = {})` with `void(error_code,
/// permit::page<permit::condition_set>)` (the reply a bare array or the envelope alike);
/// `remove(key)` with `void(error_code)`. `list_all(condition_set_list_query = {})` returns a
/// `permit::pager<permit::condition_set>`. Each call but `list_all` also has a `diagnostics&`
/// overload.
///
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client`).
class condition_sets_api : public keyed_collection_api<detail::condition_set_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit condition_sets_api(detail::client_handle impl)
        : keyed_collection_api(std::move(impl)) {}

  public:
    /// One page of the set's ancestors, its parent first, then the parent's parent, and so on
    /// (`GET /condition_sets/{key}/ancestors`): the sets whose conditions it also requires.
    /// Signature: `void(error_code, permit::page<permit::condition_set>)`, the reply a bare array
    /// or the envelope alike. Missing set: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto ancestors(std::string_view key, const page_query& q = {},
                   CompletionToken&& token = {}) const {
        return call<page<condition_set>>(tree_spec(key, "/ancestors", q),
                                         detail::list_decoder<condition_set>{}, nullptr,
                                         std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto ancestors(std::string_view key, const page_query& q, diagnostics& diag,
                   CompletionToken&& token = {}) const {
        return call<page<condition_set>>(tree_spec(key, "/ancestors", q),
                                         detail::list_decoder<condition_set>{}, &diag,
                                         std::forward<CompletionToken>(token));
    }

    /// One page of the set's descendants: its children, their children, and so on
    /// (`GET /condition_sets/{key}/descendants`), the sets that require its conditions.
    /// Signature: `void(error_code, permit::page<permit::condition_set>)`, the reply a bare array
    /// or the envelope alike. Missing set: `error::not_found`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto descendants(std::string_view key, const page_query& q = {},
                     CompletionToken&& token = {}) const {
        return call<page<condition_set>>(tree_spec(key, "/descendants", q),
                                         detail::list_decoder<condition_set>{}, nullptr,
                                         std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto descendants(std::string_view key, const page_query& q, diagnostics& diag,
                     CompletionToken&& token = {}) const {
        return call<page<condition_set>>(tree_spec(key, "/descendants", q),
                                         detail::list_decoder<condition_set>{}, &diag,
                                         std::forward<CompletionToken>(token));
    }

  private:
    static detail::call_spec tree_spec(std::string_view key, std::string_view suffix,
                                       const page_query& q) {
        auto out = item_spec(verb::get, key, {}, suffix);
        detail::query_builder query;
        query.add_number("page", q.page).add_number("per_page", q.per_page);
        out.query = std::move(query).str();
        return out;
    }
};

}  // namespace permit
