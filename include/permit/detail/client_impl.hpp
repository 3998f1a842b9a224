// The shared state behind permit::client: configuration, connection pools, the API key's scope,
// and the coroutine that carries one call from its description to its result.
#pragma once

#include <permit/call_options.hpp>
#include <permit/client_stats.hpp>
#include <permit/config.hpp>
#include <permit/detail/call.hpp>
#include <permit/detail/check_coalescer_state.hpp>
#include <permit/detail/decl.hpp>
#include <permit/detail/encoding.hpp>
#include <permit/detail/engine.hpp>
#include <permit/detail/http/closed_connection.hpp>
#include <permit/detail/http/pipeline_pool.hpp>
#include <permit/detail/http/pool.hpp>
#include <permit/detail/rate/limiter.hpp>
#include <permit/detail/redact.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/detail/retry/budget.hpp>
#include <permit/detail/retry/decision.hpp>
#include <permit/detail/retry/idempotency.hpp>
#include <permit/detail/sync_headers.hpp>
#include <permit/diagnostics.hpp>
#include <permit/error.hpp>
#include <permit/models/scope.hpp>
#include <permit/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace permit::detail {

/// The project and environment that fill `{proj_id}` and `{env_id}` in API paths.
struct scope_ids {
    std::string project;
    std::string environment;
};

/// The paths' prefixes for a scope: `/v2/facts/{proj}/{env}` and `/v2/schema/{proj}/{env}`,
/// percent-encoded.
struct scope_paths {
    std::string facts;
    std::string schema;
};

/// A part of the client that keeps calls of its own (the bulk pipeline): cancelled with the
/// client's calls. `shutdown` is true when the client goes away.
class client_service {
  public:
    virtual ~client_service() = default;
    virtual void cancel(bool shutdown) = 0;
};

/// A cancellation filter that turns every type of cancellation into terminal cancellation: Beast's
/// reads and writes honour only terminal cancellation, and a connection whose exchange was
/// interrupted is closed anyway, so a partial or total request must become terminal to work.
struct cancel_as_terminal {
    boost::asio::cancellation_type_t operator()(boost::asio::cancellation_type_t type) const {
        return type == boost::asio::cancellation_type::none
                   ? type
                   : boost::asio::cancellation_type::terminal;
    }
};

class client_impl : public std::enable_shared_from_this<client_impl> {
  public:
    using executor_type = boost::asio::any_io_executor;

    PERMIT_DECL client_impl(executor_type ex, config cfg);
    PERMIT_DECL ~client_impl();

    client_impl(const client_impl&) = delete;
    client_impl& operator=(const client_impl&) = delete;

    const executor_type& executor() const noexcept { return ex_; }
    const config& cfg() const noexcept { return cfg_; }
    /// Whether the client was shut down (its owner is gone): new calls fail at once.
    bool stopped() const noexcept { return stopped_; }

    /// The requests, retries and 429s so far.
    client_stats stats() const noexcept {
        return {
            .requests = requests_.load(std::memory_order_relaxed),
            .retries = retries_.load(std::memory_order_relaxed),
            .rate_limited = rate_limited_.load(std::memory_order_relaxed),
            .replays = replays_.load(std::memory_order_relaxed),
            .connections = transport_.connections.load(std::memory_order_relaxed),
            .address_fallbacks = transport_.address_fallbacks.load(std::memory_order_relaxed),
            .proxy_tunnels = transport_.proxy_tunnels.load(std::memory_order_relaxed),
            .tls_full_handshakes = transport_.tls_full_handshakes.load(std::memory_order_relaxed),
            .tls_resumed_handshakes =
                transport_.tls_resumed_handshakes.load(std::memory_order_relaxed)};
    }

    /// The bulk pipeline, made by the first `bulk_api` (on the thread that makes the client).
    std::shared_ptr<client_service>& bulk_service() noexcept { return bulk_; }

    http::pool& pool_for(service s) noexcept {
        return s == service::pdp && pdp_pool_ ? *pdp_pool_ : *api_pool_;
    }

    /// The pipelined connections for `s`, or null when pipelining is off for it.
    http::pipeline_pool* pipeline_for(service s) noexcept {
        return s == service::pdp && pdp_pool_ ? pdp_pipeline_.get() : api_pipeline_.get();
    }

    /// Runs one call and decodes a successful response into `sink`. Never throws: every failure
    /// becomes the returned code plus `*user_diag` (when not null), from which the API key is
    /// redacted. Any type of cancellation aborts the call. `in_caller`: awaited directly by the
    /// caller's coroutine, on the client's executor, rather than spawned: the caller's
    /// cancellation state is left as it is (its filter decides what cancels the call), and its
    /// `throw_if_cancelled` setting is restored at the end.
    PERMIT_DECL static boost::asio::awaitable<boost::system::error_code> run(
        std::shared_ptr<client_impl> self, call_spec spec, result_sink sink, diagnostics* user_diag,
        std::shared_ptr<const call_options> options = {}, bool in_caller = false);

    /// As above, for the library's own calls: the result decoded by the stateless `Decoder`.
    template <class T, class Decoder>
    static boost::asio::awaitable<outcome<T>> run(
        std::shared_ptr<client_impl> self, call_spec spec, Decoder, diagnostics* user_diag,
        std::shared_ptr<const call_options> options = {}) {
        outcome<T> out;
        if constexpr (std::is_void_v<T>) {
            out.ec = co_await run(std::move(self), std::move(spec), result_sink{}, user_diag,
                                  std::move(options));
        } else {
            result_slot<T> slot;
            slot.decode = &decode_with<T, Decoder>;
            out.ec = co_await run(std::move(self), std::move(spec),
                                  result_sink{&slot, &result_slot<T>::fill}, user_diag,
                                  std::move(options));
            if (!out.ec) out.value = std::move(slot.value);
        }
        co_return out;
    }

    /// Sends `spec` and reads the response into `resp`, retrying under the retry policy of
    /// `options` (null: the client's configuration). A non-2xx status is an error, described in
    /// `diag` (the last attempt's).
    PERMIT_DECL boost::asio::awaitable<boost::system::error_code> execute(
        const call_spec& spec, const call_options* options, diagnostics& diag,
        http::response& resp);

    /// Completes every call in flight with `operation_aborted`. Later calls work again.
    PERMIT_DECL void cancel();

    /// As `cancel()`, and later calls fail at once with `operation_aborted`.
    void shutdown() {
        stopped_ = true;
        cancel();
    }

    /// The client-side rate limiter, when the config turns it on for the API's host.
    rate::limiter* limiter() noexcept { return limiter_.get(); }

  private:
    // Hands one record to the user's log function, without the API key in it.
    PERMIT_DECL void log(log_level level, std::string message) const;

    // Returns the rate-limit token a call was given (`call_spec::rate_token_held`) unused.
    PERMIT_DECL void give_back_token(const call_spec& spec);

    // The rate limiter the config asks for: the budget shared through Redis when it names a
    // server (with PERMIT_WITH_REDIS), this client's own otherwise.
    PERMIT_DECL std::unique_ptr<rate::limiter> make_limiter() const;

    // Every request carries the API key: plain HTTP is for loopback, unless the user allows it.
    PERMIT_DECL void check_transport_security(const char* option, const http::origin& where) const;

    // What `execute` does next after an attempt.
    struct attempt_outcome {
        enum class kind {
            done,            ///< the call ends with `ec`
            again,           ///< send the request again at once (a replay)
            wait_and_retry,  ///< send it again after `delay`
        } what;
        boost::system::error_code ec;
        std::chrono::milliseconds delay{0};
        static attempt_outcome done_with(boost::system::error_code e) {
            return {kind::done, e, std::chrono::milliseconds(0)};
        }
    };

    // The parts of `execute` that do not wait, in functions of their own so that the coroutine's
    // frame holds only what lives across a suspension (a small frame is a cheaper allocation).

    // A call made after shutdown fails at once.
    PERMIT_DECL boost::system::error_code shut_down_call(const call_spec& spec, bool token_held,
                                                         diagnostics& diag);
    // The wait-for-sync settings of a write through the PDP's facts proxy; null for any other.
    PERMIT_DECL const sync_wait* wait_of(const call_spec& spec, const call_options* options) const;
    // The request target of `spec` on `pool` (base path, scope, path and query), the path being
    // its first `path_size` characters; fills `diag.request` ("<method> <path>"). The scope's
    // paths must be known when the path has a base.
    PERMIT_DECL std::string target_of(const call_spec& spec, const http::pool& pool,
                                      const sync_wait* wait, diagnostics& diag,
                                      std::size_t& path_size) const;
    // Notes a wait for the rate limiter; false (with the diagnostics) when it was cancelled.
    PERMIT_DECL static bool rate_limit_waited(std::chrono::steady_clock::time_point since,
                                              boost::system::error_code ec, diagnostics& diag);
    // Sends `req` once: pipelined when the destination pipelines and `may_pipeline`, else on the
    // pool (on a new connection when `fresh`).
    PERMIT_DECL boost::asio::awaitable<http::exchange_result> exchange_once(
        service destination, http::pool& pool, const http::request& req, bool may_pipeline,
        bool fresh);
    // Counts an attempt and decides what follows it: the call's end (a 2xx response moved into
    // `resp`, or a failure in `diag`), a replay, or a retry after a delay. `paced_classes`: the
    // rate-limit classes the attempt was paced under (0: not paced). Sets `fresh` for a replay
    // that needs a new connection.
    PERMIT_DECL attempt_outcome after_attempt(http::exchange_result& result, const call_spec& spec,
                                              const retry_policy& policy,
                                              rate::class_set paced_classes, std::uint64_t epoch,
                                              retry::retry_state<>& retries, diagnostics& diag,
                                              http::response& resp, bool& fresh);

    // The header fields every request to `where` carries: Host, Authorization, User-Agent,
    // Accept, as they go on the wire.
    PERMIT_DECL std::string common_headers(const http::origin& where) const;

    // The request of `spec` to `target` on `pool`; with the wait-for-sync headers when `wait`
    // (a write through the PDP's facts proxy). Its body refers to `spec`'s.
    PERMIT_DECL http::request make_request(const call_spec& spec, const http::pool& pool,
                                           std::string_view target, const sync_wait* wait) const;

    PERMIT_DECL static std::optional<std::chrono::milliseconds> retry_after_of(
        const http::response& resp);

    // Says in the diagnostics why a failure that could have been retried was not.
    PERMIT_DECL static void note_stop(diagnostics& diag, retry_stop stop, http_method method,
                                      const retry_policy& policy);

    double random_unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

    // Waits `delay`; false when cancelled (by the caller, or by `cancel()`).
    PERMIT_DECL boost::asio::awaitable<bool> sleep(std::chrono::milliseconds delay);

    // The prefixes of `ids`' paths.
    PERMIT_DECL static scope_paths paths_of(const scope_ids& ids);

    // Lists a sleeping timer for `cancel()` while it exists. (A class of the client rather than of
    // the coroutine: g++ 12 mishandles local classes in coroutines.)
    struct sleeper_registration {
        sleeper_registration(std::unordered_set<boost::asio::steady_timer*>& s,
                             boost::asio::steady_timer& t)
            : set(s), timer(&t) {
            set.insert(timer);
        }
        sleeper_registration(const sleeper_registration&) = delete;
        sleeper_registration& operator=(const sleeper_registration&) = delete;
        ~sleeper_registration() { set.erase(timer); }
        std::unordered_set<boost::asio::steady_timer*>& set;
        boost::asio::steady_timer* timer;
    };

    // Check coalescing (`config::coalesce_checks`): a check that finds every connection to the
    // PDP busy is queued (its ticket is returned, and `spec` loses its body); any other goes at
    // once through `execute`, as a check does without coalescing, with nothing more on its way
    // than this test.
    PERMIT_DECL std::optional<check_coalescer_state::ticket> queue_check(call_spec& spec);

    // The queued check `id` waits for a connection, and goes out with the checks queued by then.
    PERMIT_DECL boost::asio::awaitable<boost::system::error_code> await_queued_check(
        check_coalescer_state::ticket id, const call_spec& spec, diagnostics& diag,
        http::response& resp);

    // The pool's listener: a connection to the PDP freed up, so the queued checks go out.
    PERMIT_DECL static void on_pdp_connection_free(void* self);

    // Sends checks that go out together, and hands each its answer.
    PERMIT_DECL static boost::asio::awaitable<void> send_checks(std::shared_ptr<client_impl> self,
                                                                check_coalescer_state::batch batch);

    // Completes the waiting checks of `tickets` (those not cancelled meanwhile): with `ec` and
    // `diag`, or, on success, each with its answer (the JSON text of an /allowed reply).
    PERMIT_DECL void deliver_checks(const std::vector<check_coalescer_state::ticket>& tickets,
                                    boost::system::error_code ec, const diagnostics& diag,
                                    std::vector<std::string>& answers);

    // A check waiting in the coalescing queue, listed for `deliver_checks` and `cancel()` while
    // it exists; leaving, it leaves the queue too if it has not gone out. (A class of the client
    // rather than of the coroutine: g++ 12 mishandles local classes in coroutines.)
    struct queued_check {
        queued_check(client_impl& c, check_coalescer_state::ticket t)
            : owner(c), id(t), timer(c.ex_, std::chrono::steady_clock::time_point::max()) {
            owner.queued_checks_.emplace(id, this);
        }
        queued_check(const queued_check&) = delete;
        queued_check& operator=(const queued_check&) = delete;
        ~queued_check() {
            owner.queued_checks_.erase(id);
            if (!done) owner.coalescer_->cancel(id);
        }
        client_impl& owner;
        check_coalescer_state::ticket id;
        boost::asio::steady_timer timer;  // never expires; cancelled to wake the check
        bool done = false;                // the answer, or the failure, is here
        bool aborted = false;             // the client was cancelled
        boost::system::error_code ec;
        diagnostics diag;
        std::string answer;
    };

    // The project and environment for an API path: from the config, or from the key's scope,
    // fetched once however many calls ask for it at the same time.
    PERMIT_DECL boost::asio::awaitable<boost::system::error_code> resolve_scope(diagnostics& diag,
                                                                                scope_ids& ids);

    PERMIT_DECL static boost::asio::awaitable<void> fetch_scope(std::shared_ptr<client_impl> self);

    config cfg_;
    executor_type ex_;
    // Made only when an origin is `https`: loading the system's CA store costs tens of
    // milliseconds, which a client of a local `http` PDP or emulator has no use for.
    std::optional<boost::asio::ssl::context> tls_context_;
    // The sessions the connections resume; beside the TLS context, which outlives the pools.
    http::tls_session_store tls_sessions_;
    http::transport_counters transport_;  // what the connections did, for stats()
    std::unique_ptr<http::pool> api_pool_;
    std::unique_ptr<http::pool> pdp_pool_;  // null when the PDP shares the API's origin
    std::unique_ptr<http::pipeline_pool> api_pipeline_;  // null unless pipelining is on
    std::unique_ptr<http::pipeline_pool> pdp_pipeline_;
    std::string api_headers_;  // common_headers() of each origin
    std::string pdp_headers_;

    std::optional<scope_paths> scope_paths_;

    std::optional<api_key_scope> scope_;
    bool scope_in_flight_ = false;
    boost::system::error_code scope_error_;
    diagnostics scope_diag_;
    boost::asio::steady_timer scope_gate_;  // never expires; cancelled to wake the waiters

    retry::budget<> budget_;
    std::minstd_rand random_;
    std::unique_ptr<rate::limiter> limiter_;                   // null when the limits do not apply
    std::unordered_set<boost::asio::steady_timer*> sleepers_;  // calls waiting to retry

    std::uint64_t cancel_epoch_ = 0;
    bool stopped_ = false;

    std::optional<check_coalescer_state> coalescer_;  // set when checks are coalesced
    std::unordered_map<check_coalescer_state::ticket, queued_check*> queued_checks_;
    check_coalescer_state::ticket last_check_ = 0;

    std::shared_ptr<client_service> bulk_;  // null until the first bulk_api
    // Read from any thread by `client::stats()`.
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> retries_{0};
    std::atomic<std::uint64_t> rate_limited_{0};
    std::atomic<std::uint64_t> replays_{0};
};

}  // namespace permit::detail

#ifndef PERMIT_SEPARATE_COMPILATION
#include <permit/detail/impl/client_impl.ipp>
#endif
