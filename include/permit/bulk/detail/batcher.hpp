// The bulk pipeline's I/O: admits callers (making them wait when it is full), sends the batches
// that `pipeline_state` forms through the client's retry loop, and resumes each caller with its
// own outcome. A caller is held as a small record around its handler, not as a coroutine: a burst
// of a hundred thousand sign-ups costs little more than their items.
#pragma once

#include <permit/bulk/detail/pipeline_state.hpp>
#include <permit/bulk/detail/ticket_table.hpp>
#include <permit/detail/client_impl.hpp>
#include <permit/detail/decl.hpp>
#include <permit/detail/seqlock.hpp>
#include <permit/models/pdp.hpp>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace permit::bulk::detail {

/// What `bulk_options::confirm_with_pdp` waits for after a caller's bulk calls: the PDP's
/// decisions see each of `roles` (role, tenant) for `user`.
struct visibility_probe {
    std::string user;
    std::vector<std::pair<std::string, std::string>> roles;
};

class batcher final : public permit::detail::client_service {
    using client_impl = permit::detail::client_impl;
    using bulk_item = permit::detail::bulk_item;
    using clock = std::chrono::steady_clock;
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

  public:
    PERMIT_DECL explicit batcher(client_impl& client);

    /// The pipeline of `client`, made on first use. Call it where the client is made (it is not
    /// synchronised).
    PERMIT_DECL static batcher& of(client_impl& client);

    /// A call of the pipeline: hands `item` over once there is room, and completes `handler` once
    /// the API acknowledged it (and, with `confirm_with_pdp`, once the PDP sees its roles), after
    /// filling `*diag` (when not null). Callable from any thread in thread-safe mode (the call is
    /// dispatched to the client's strand), from the client's thread otherwise. The handler never
    /// runs inside this function.
    PERMIT_DECL static void start(const std::shared_ptr<client_impl>& client, bulk_item&& item,
                                  diagnostics* diag, permit::detail::engine_completion handler);

    /// Waits until every call admitted or waiting for room before it is finished, sending partial
    /// batches at once meanwhile.
    PERMIT_DECL static awaitable<permit::detail::outcome<void>> flush(
        std::shared_ptr<client_impl> client);

    /// The counters; safe from any thread.
    bulk_stats stats() const {
        bulk_stats out = published_.load();
        out.pending = published_pending_.load(std::memory_order_relaxed);
        return out;
    }

    PERMIT_DECL void cancel(bool shutdown) override;

  private:
    using ticket_id = pipeline_state<>::ticket_id;

    // A caller: its handler until it completes, and what it needs meanwhile.
    struct caller {
        caller(permit::detail::completion_handler h, diagnostics* d, bool p)
            : handler(std::move(h)), diag(d), plain(p) {}
        permit::detail::completion_handler handler;
        diagnostics* diag = nullptr;  // the caller's, or null
        bool plain = false;           // see `engine_completion::plain`
        // The handler's cancellation slot, when connected; cleared before the handler runs.
        boost::asio::cancellation_slot slot;
        // Outstanding work on the handler's own executor, when it is not the client's.
        std::unique_ptr<boost::asio::any_completion_executor> foreign_work;
        std::unique_ptr<visibility_probe> probe;  // with `confirm_with_pdp`
    };
    // Cancels one caller from its handler's cancellation slot (on any thread).
    struct caller_canceller {
        std::weak_ptr<client_impl> client;
        ticket_id id;
        void operator()(boost::asio::cancellation_type_t type) const;
    };
    struct flush_waiter {
        flush_waiter(const client_impl::executor_type& ex, std::uint64_t m)
            : timer(ex, clock::time_point::max()), mark(m) {}
        boost::asio::steady_timer timer;
        std::uint64_t mark;
        bool done = false;
        bool aborted = false;
    };

    // `start` on the client's executor.
    PERMIT_DECL void call(bulk_item&& item, diagnostics* diag,
                          permit::detail::engine_completion handler);

    // Hands `item` of caller `id` to the state.
    PERMIT_DECL void admit(ticket_id id, bulk_item&& item);

    // Completes caller `id` (when it still waits) with `ec` and what `diag` says (moved from;
    // null: nothing), after confirming with the PDP when that is asked for and the call
    // succeeded.
    PERMIT_DECL void finish(ticket_id id, boost::system::error_code ec, diagnostics* diag);

    // Hands `c`'s handler its outcome, posted: never inside the pipeline's own bookkeeping.
    PERMIT_DECL void complete(caller& c, boost::system::error_code ec, diagnostics* diag);

    // Runs the handlers of the plain callers that finished, in the order they finished.
    PERMIT_DECL void resume_callers();
    // Posts `resume_callers` unless it is posted already or nobody waits.
    PERMIT_DECL void post_resume();

    // The caller's cancellation: a caller waiting for room leaves the queue; an admitted one is
    // abandoned (its items already sent stay sent).
    PERMIT_DECL void cancel_call(ticket_id id);

    // What `bulk_options::confirm_with_pdp` confirms for an item: the tenant-level roles a user is
    // given (a missing tenant is the default one, as for `check()`). Nothing for a tenant.
    PERMIT_DECL std::optional<visibility_probe> visibility_of(const bulk_item& item) const;

    // Reads a /user-permissions reply.
    struct permissions_decoder {
        user_permissions operator()(const permit::detail::http::response& r) const {
            return decode_user_permissions(permit::detail::parse_body(r.body));
        }
    };

    // Whether a `GET /relationship_tuples` reply lists a tuple (a bare array, or an envelope).
    struct tuple_listed_decoder {
        bool operator()(const permit::detail::http::response& r) const {
            const auto body = permit::detail::parse_body(r.body);
            if (const auto* list = body.if_array()) return !list->empty();
            if (const auto* page = body.if_object())
                if (const auto* data = page->if_contains("data"); data && data->is_array())
                    return !data->get_array().empty();
            return false;
        }
    };

    // Whether the PDP's reply holds every role of `probe` in its tenant.
    PERMIT_DECL static bool sees(const user_permissions& permissions,
                                 const visibility_probe& probe);

    // Asks the PDP until it sees `probe` (`bulk_options::confirm_with_pdp`).
    PERMIT_DECL awaitable<boost::system::error_code> confirm_visible(visibility_probe probe,
                                                                     diagnostics& diag);

    // `confirm_visible` for a caller whose calls succeeded; fills `*user_diag` (when not null).
    PERMIT_DECL static awaitable<permit::detail::outcome<void>> confirm_for(
        std::shared_ptr<client_impl> client, visibility_probe probe, diagnostics* user_diag);

    PERMIT_DECL awaitable<boost::system::error_code> run_flush();

    PERMIT_DECL bool drained_before(std::uint64_t mark) const;

    // Completes the callers whose outcome is known, admits waiting callers, finishes flushes, and
    // makes sure a due batch goes out.
    PERMIT_DECL void after_change();

    // Starts the lookups the pipeline asks for (roles before their first assignment, tenants of
    // a batch answered 409), concurrently.
    PERMIT_DECL void start_lookups();

    PERMIT_DECL awaitable<void> look_up(std::shared_ptr<client_impl> client, lookup what);

    PERMIT_DECL void deliver();

    PERMIT_DECL void publish();

    // Starts the dispatcher, or wakes it to look at the queues again.
    PERMIT_DECL void poke();

    // Sends each batch when it is due and a place in flight (and, when the client paces itself, a
    // bulk token) is free. Runs while items are queued; `client` keeps the client alive meanwhile.
    PERMIT_DECL awaitable<void> dispatch(std::shared_ptr<client_impl> client);

    // When the client paces itself: sends the due batch as single writes if it is small and the
    // write budget is free (`bulk_options::single_writes`). False when it is left to a bulk
    // request.
    PERMIT_DECL bool send_singles(const std::shared_ptr<client_impl>& client,
                                  permit::detail::rate::limiter& limiter);

    PERMIT_DECL awaitable<void> send(std::shared_ptr<client_impl> client, outgoing_batch batch,
                                     bool token_held);

    PERMIT_DECL static permit::detail::call_spec spec_for(outgoing_batch& batch);

    client_impl& client_;
    bulk_options options_;
    pipeline_state<> state_;
    boost::asio::steady_timer wake_;  // the dispatcher's sleep
    bool dispatching_ = false;
    bool sleeping_ = false;  // the dispatcher waits on `wake_`, until `wake_at_`
    clock::time_point wake_at_ = clock::time_point::max();
    std::shared_ptr<const call_options> retry_;
    std::uint64_t epoch_ = 0;

    ticket_table<caller> callers_;                            // admitted or waiting for room
    std::deque<std::pair<ticket_id, bulk_item>> room_queue_;  // waiting for room, oldest first
    // The handlers of plain callers that finished, with their outcomes, until `resume_callers`
    // runs them; `resume_posted_` while it is posted. Vectors that keep their memory (a round's
    // storage becomes the next queue's): a deque would allocate and free a block every sixteen
    // callers.
    using resumable_list =
        std::vector<std::pair<permit::detail::completion_handler, boost::system::error_code>>;
    resumable_list resumable_;
    resumable_list spare_resumable_;
    bool resume_posted_ = false;
    // Keeps the client's executor busy while a caller waits (its handler may not).
    std::optional<boost::asio::any_io_executor> work_;
    std::vector<flush_waiter*> flush_waiters_;

    // The counters as `publish` last saw them, for `stats()` on any thread. `pending`, which
    // every call admitted changes, has a word of its own; the others are published whole, and
    // only when they changed (`last_published_`): a mutex and a copy of every counter for each
    // call admitted cost a fiftieth of the call.
    permit::detail::seqlock<bulk_stats> published_;
    std::atomic<std::uint64_t> published_pending_{0};
    bulk_stats last_published_;
};

}  // namespace permit::bulk::detail

#ifndef PERMIT_SEPARATE_COMPILATION
#include <permit/bulk/detail/impl/batcher.ipp>
#endif
