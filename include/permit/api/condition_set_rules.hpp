// permit.condition_set_rules: the permissions granted to usersets on resourcesets
// (`/v2/facts/{proj}/{env}/set_rules`).
#pragma once

#include <permit/api/api_base.hpp>
#include <permit/models/condition_set_rule.hpp>
#include <permit/models/page.hpp>
#include <permit/pager.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace permit {

namespace detail {
/// Reads the reply of `POST /set_rules`: an array of rules.
struct condition_set_rules_decoder {
    std::vector<condition_set_rule> operator()(const http::response& r) const {
        return decode_field<std::vector<condition_set_rule>>(parse_body(r.body),
                                                             "condition_set_rules");
    }
};
}  // namespace detail

/// The condition set rules of the environment. Reached as `client.condition_set_rules`.
///
/// A rule (userset, permission, resourceset) lets every user that matches the userset's
/// conditions do the permission's action on every resource that matches the resourceset's: the
/// attribute-based grants of `check`. A role (`is_role`) or a whole resource type
/// (`is_resource`) can stand for either set. Every function starts one request and completes with
/// the signature it names; the last argument is any Asio completion token (default
/// `permit::use_awaitable`, which throws `permit::api_error`), and each has an overload taking a
/// `permit::diagnostics&` before the token. Errors: `permit::error` codes for HTTP statuses,
/// network and TLS errors, the client's timeouts, `error::invalid_response`. Cancellation: any
/// per-operation cancellation type aborts the call with `operation_aborted`. Thread safety: as the
/// `permit::client` it belongs to.
class condition_set_rules_api : protected detail::api_base {
  private:
    friend class permit::client_view;
    explicit condition_set_rules_api(detail::client_handle impl) : api_base(std::move(impl)) {}
    using verb = http_method;

  public:
    /// Grants `rule.permission` to `rule.user_set` on `rule.resource_set` (`POST /set_rules`); a
    /// rule that exists already is not an error. Signature:
    /// `void(error_code, std::vector<permit::condition_set_rule>)`: the rules of the reply, which
    /// the API sends as an array (the official Node SDK returns its first item, the Python SDK
    /// all of them, as here). A set, role, resource type or permission that does not exist:
    /// `error::not_found`; a resourceset named as the userset, or the reverse:
    /// `error::validation_failed`.
    /// Not retried (POST), though repeating it is harmless.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto create(const condition_set_rule_create& rule, CompletionToken&& token = {}) const {
        return call<std::vector<condition_set_rule>>(spec(verb::post, to_json(rule)),
                                                     detail::condition_set_rules_decoder{}, nullptr,
                                                     std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto create(const condition_set_rule_create& rule, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<std::vector<condition_set_rule>>(spec(verb::post, to_json(rule)),
                                                     detail::condition_set_rules_decoder{}, &diag,
                                                     std::forward<CompletionToken>(token));
    }

    /// Takes a rule away (`DELETE /set_rules`, the rule in the body); a rule that does not exist
    /// is not an error. Signature: `void(error_code)`.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto remove(const condition_set_rule_remove& rule, CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, to_json(rule)), detail::no_decoder{}, nullptr,
                          std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto remove(const condition_set_rule_remove& rule, diagnostics& diag,
                CompletionToken&& token = {}) const {
        return call<void>(spec(verb::delete_, to_json(rule)), detail::no_decoder{}, &diag,
                          std::forward<CompletionToken>(token));
    }

    /// Reads one page of the rules matching `q` (`GET /set_rules`). Signature:
    /// `void(error_code, permit::page<permit::condition_set_rule>)`. The API answers a bare
    /// array, so `total_count` counts the page's rules only (the envelope is read too).
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto list(const condition_set_rule_list_query& q = {}, CompletionToken&& token = {}) const {
        return call<page<condition_set_rule>>(list_spec(q, q.page, q.per_page),
                                              detail::list_decoder<condition_set_rule>{}, nullptr,
                                              std::forward<CompletionToken>(token));
    }
    /// As the overload without `diag`, and stores the call's details in `diag` when it completes,
    /// successful or not. `diag` must outlive the operation.
    template <class CompletionToken = use_awaitable_t>
    auto list(const condition_set_rule_list_query& q, diagnostics& diag,
              CompletionToken&& token = {}) const {
        return call<page<condition_set_rule>>(list_spec(q, q.page, q.per_page),
                                              detail::list_decoder<condition_set_rule>{}, &diag,
                                              std::forward<CompletionToken>(token));
    }

    /// Every rule matching `q`, page by page from `q.page`, `q.per_page` at a time; the walk ends
    /// at the first page shorter than `q.per_page`.
    pager<condition_set_rule> list_all(condition_set_rule_list_query q = {}) const {
        return detail::pager_access::make<condition_set_rule>(
            impl_, q.per_page,
            [q](int page, int per_page) { return list_spec(q, page, per_page); });
    }

  private:
    static detail::call_spec spec(verb method, std::optional<std::string> body = {}) {
        return {.method = method,
                .base = detail::path_base::facts,
                .path = "/set_rules",
                .body = std::move(body)};
    }
    static detail::call_spec list_spec(const condition_set_rule_list_query& q, int page,
                                       int per_page) {
        detail::query_builder query;
        query.add_optional("user_set", q.user_set)
            .add_optional("permission", q.permission)
            .add_optional("resource_set", q.resource_set)
            .add_number("page", page)
            .add_number("per_page", per_page);
        auto out = spec(verb::get);
        out.query = std::move(query).str();
        return out;
    }
};

}  // namespace permit
