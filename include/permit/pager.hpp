// Async iteration over every page of a list.
#pragma once

#include <permit/detail/call.hpp>
#include <permit/detail/engine.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/use_awaitable.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace permit {

namespace detail {
struct pager_access;
}

/// Walks a list page by page: `while (!pages.done()) for (auto& u : co_await pages.next()) ...`.
/// Made by the `list_all` calls of the API groups. A list that answers the envelope ends at its
/// `total_count`; one that answers a bare array, at the first page shorter than `per_page`.
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

  private:
    friend struct detail::pager_access;

    pager(detail::client_handle impl, int per_page,
          std::function<detail::call_spec(int page, int per_page)> make_spec)
        : state_(std::make_shared<state>()) {
        state_->impl = std::move(impl);
        state_->per_page = per_page < 1 ? 100 : per_page;
        state_->make_spec = std::move(make_spec);
    }

    struct state {
        detail::client_handle impl;
        std::function<detail::call_spec(int, int)> make_spec;
        int page = 1;
        int per_page = 100;
        bool done = false;
    };

    // The items of the page being read, until the handler gets them. Decoding a page moves the
    // pager on: only a page that was read counts.
    struct page_slot {
        std::shared_ptr<state> st;
        std::vector<T> value;

        static void fill(void* self, const detail::http::response& resp) {
            auto& slot = *static_cast<page_slot*>(self);
            const auto body = detail::parse_body(resp.body);
            auto got = decode_list<T>(body);
            state& st = *slot.st;
            const auto seen = static_cast<long long>(st.page) * st.per_page;
            ++st.page;
            // A bare array has no total: only a short page ends it.
            if (static_cast<int>(got.data.size()) < st.per_page ||
                (body.is_object() && seen >= got.total_count))
                st.done = true;
            slot.value = std::move(got.data);
        }
    };

    struct initiation {
        std::shared_ptr<state> st;

        template <class Handler>
        void operator()(Handler&& handler, diagnostics* diag) const {
            if (st->done) {
                boost::asio::post(
                    detail::executor_of(*st->impl.impl),
                    boost::asio::append(std::forward<Handler>(handler), boost::system::error_code{},
                                        std::vector<T>{}));
                return;
            }
            auto spec = st->make_spec(st->page, st->per_page);
            auto slot = std::make_unique<page_slot>();
            slot->st = st;
            const detail::result_sink sink{slot.get(), &page_slot::fill};
            const bool plain = detail::is_plain_for(handler, detail::executor_of(*st->impl.impl));
            detail::start_call(st->impl, std::move(spec), sink, diag,
                               {detail::completion_handler(
                                    detail::deliver_result<std::decay_t<Handler>, page_slot>{
                                        std::forward<Handler>(handler), std::move(slot)}),
                                plain});
        }
    };

    template <class CompletionToken>
    auto next_impl(diagnostics* diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, detail::signature_t<std::vector<T>>>(
            initiation{state_}, token, diag);
    }

    std::shared_ptr<state> state_;
};

namespace detail {

/// How the API groups make the pagers of their `list_all` calls.
struct pager_access {
    template <class T>
    static pager<T> make(client_handle client, int per_page,
                         std::function<call_spec(int page, int per_page)> make_spec) {
        return pager<T>(std::move(client), per_page, std::move(make_spec));
    }
};

}  // namespace detail
}  // namespace permit
