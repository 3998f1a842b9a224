// Async iteration over every page of a list.
#pragma once

#include <permit/detail/call.hpp>
#include <permit/detail/client_impl.hpp>
#include <permit/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace permit {

/// Walks a list page by page: `while (!pages.done()) for (auto& u : co_await pages.next()) ...`.
/// Made by `users.list_all`, `tenants.list_all` and `role_assignments.list_all`.
///
/// Thread safety: one `next` at a time. The pager may be destroyed while a `next` is in progress.
template <class T>
class pager {
  public:
    /// The type of the items.
    using value_type = T;

    /// False until a page shorter than `per_page` (or the last one by `total_count`) was read.
    bool done() const noexcept { return state_->done; }

    /// The number of the page the next call reads (1-based).
    int next_page() const noexcept { return state_->page; }

    /// Reads the next page. Completion signature: `void(boost::system::error_code,
    /// std::vector<T>)`; an empty vector once `done()`. A failed page can be read again by
    /// calling `next` again. Cancellation: as every call.
    template <detail::not_diagnostics CompletionToken = use_awaitable_t>
    auto next(CompletionToken&& token = {}) {
        return next_impl(nullptr, std::forward<CompletionToken>(token));
    }

    /// As `next`, and fills `diag` when it fails.
    template <class CompletionToken = use_awaitable_t>
    auto next(diagnostics& diag, CompletionToken&& token = {}) {
        return next_impl(&diag, std::forward<CompletionToken>(token));
    }

    /// Used by the list_all functions.
    pager(detail::client_handle impl, int per_page,
          std::function<detail::call_spec(int page, int per_page)> make_spec)
        : state_(std::make_shared<state>()) {
        state_->impl = std::move(impl);
        state_->per_page = per_page < 1 ? 100 : per_page;
        state_->make_spec = std::move(make_spec);
    }

  private:
    struct state {
        detail::client_handle impl;
        std::function<detail::call_spec(int, int)> make_spec;
        int page = 1;
        int per_page = 100;
        bool done = false;
    };

    static boost::asio::awaitable<detail::outcome<std::vector<T>>> fetch(std::shared_ptr<state> st,
                                                                         diagnostics* diag) {
        detail::outcome<std::vector<T>> out;
        if (st->done) co_return out;
        // Built before the co_await: g++ 12 destroys temporaries in a co_await expression twice.
        auto spec = st->make_spec(st->page, st->per_page);
        auto result = co_await detail::client_impl::run<page<T>>(
            st->impl.impl, std::move(spec), detail::list_decoder<T>{}, diag, st->impl.options);
        if (result.ec) {
            out.ec = result.ec;
            co_return out;
        }
        const auto seen = static_cast<long long>(st->page) * st->per_page;
        ++st->page;
        if (static_cast<int>(result.value.data.size()) < st->per_page ||
            seen >= result.value.total_count)
            st->done = true;
        out.value = std::move(result.value.data);
        co_return out;
    }

    template <class CompletionToken>
    auto next_impl(diagnostics* diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, detail::signature_t<std::vector<T>>>(
            detail::spawn_initiation<std::vector<T>>{state_->impl.impl->executor()}, token, diag,
            [st = state_](diagnostics* d) { return fetch(st, d); });
    }

    std::shared_ptr<state> state_;
};

}  // namespace permit
