// The bulk pipeline's I/O: admits callers (making them wait when it is full), sends the batches
// that `pipeline_state` forms through the client's retry loop, and resumes each caller with its
// own outcome.
#pragma once

#include <permit/bulk/detail/pipeline_state.hpp>
#include <permit/detail/client_impl.hpp>
#include <permit/detail/decl.hpp>
#include <permit/models/pdp.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
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
    using clock = std::chrono::steady_clock;
    template <class T>
    using awaitable = boost::asio::awaitable<T>;

  public:
    /// Hands one caller's item to the pipeline state: `admit(state, ticket, now)`.
    using admission =
        std::function<void(pipeline_state<>&, pipeline_state<>::ticket_id, clock::time_point)>;

    PERMIT_DECL explicit batcher(client_impl& client);

    /// The pipeline of `client`, made on first use. Call it where the client is made (it is not
    /// synchronised).
    PERMIT_DECL static batcher& of(client_impl& client);

    /// A call of the pipeline: `admit(state, ticket, now)` hands the item over once there is room.
    /// Runs on the client's executor.
    /// With `confirm_with_pdp` set, a successful call with a `probe` is resumed once the PDP sees
    /// it.
    PERMIT_DECL static awaitable<permit::detail::outcome<void>> submit(
        std::shared_ptr<client_impl> client, admission admit, std::optional<visibility_probe> probe,
        diagnostics* user_diag);

    /// Waits until every call admitted or waiting for room before it is finished, sending partial
    /// batches at once meanwhile.
    PERMIT_DECL static awaitable<permit::detail::outcome<void>> flush(
        std::shared_ptr<client_impl> client);

    /// The counters; safe from any thread.
    bulk_stats stats() const {
        std::lock_guard lock(stats_mutex_);
        return published_;
    }

    PERMIT_DECL void cancel(bool shutdown) override;

  private:
    // A caller waiting for room, or for its outcome.
    struct room_waiter {
        room_waiter(const client_impl::executor_type& ex, std::uint64_t ticket)
            : timer(ex, clock::time_point::max()), id(ticket) {}
        boost::asio::steady_timer timer;
        std::uint64_t id;
        bool woken = false;    // room was reserved for it
        bool aborted = false;  // the client was cancelled
    };
    struct ticket_waiter {
        explicit ticket_waiter(const client_impl::executor_type& ex)
            : timer(ex, clock::time_point::max()) {}
        boost::asio::steady_timer timer;
        bool done = false;
        boost::system::error_code ec;
        diagnostics diag;
    };
    struct flush_waiter {
        flush_waiter(const client_impl::executor_type& ex, std::uint64_t m)
            : timer(ex, clock::time_point::max()), mark(m) {}
        boost::asio::steady_timer timer;
        std::uint64_t mark;
        bool done = false;
        bool aborted = false;
    };

    PERMIT_DECL awaitable<boost::system::error_code> run_call(admission admit,
                                                              std::optional<visibility_probe> probe,
                                                              diagnostics& diag);

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

    PERMIT_DECL awaitable<boost::system::error_code> run_flush();

    PERMIT_DECL bool drained_before(std::uint64_t mark) const;

    // Resumes the callers whose outcome is known, lets waiting callers in, finishes flushes, and
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

    PERMIT_DECL awaitable<void> send(std::shared_ptr<client_impl> client, outgoing_batch batch,
                                     bool token_held);

    PERMIT_DECL static permit::detail::call_spec spec_for(outgoing_batch& batch);

    client_impl& client_;
    bulk_options options_;
    pipeline_state<> state_;
    boost::asio::steady_timer wake_;  // the dispatcher's sleep
    bool dispatching_ = false;
    std::shared_ptr<const call_options> retry_;
    std::uint64_t epoch_ = 0;

    std::list<room_waiter*> room_waiters_;
    std::size_t reserved_ = 0;  // callers woken for room, not yet admitted
    std::unordered_map<std::uint64_t, ticket_waiter*> waiters_;
    std::vector<flush_waiter*> flush_waiters_;

    mutable std::mutex stats_mutex_;
    bulk_stats published_;
};

}  // namespace permit::bulk::detail

#ifndef PERMIT_SEPARATE_COMPILATION
#include <permit/bulk/detail/impl/batcher.ipp>
#endif
