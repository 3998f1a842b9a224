// The shared state behind permit::client: configuration, connection pools, the API key's scope,
// and the coroutine that carries one call from its description to its result.
#pragma once

#include <permit/call_options.hpp>
#include <permit/client_stats.hpp>
#include <permit/config.hpp>
#include <permit/detail/call.hpp>
#include <permit/detail/encoding.hpp>
#include <permit/detail/redact.hpp>
#include <permit/detail/response_body.hpp>
#include <permit/diagnostics.hpp>
#include <permit/error.hpp>
#include <permit/http/pipeline_pool.hpp>
#include <permit/http/pool.hpp>
#include <permit/models/scope.hpp>
#include <permit/rate/limiter.hpp>
#include <permit/retry/budget.hpp>
#include <permit/retry/decision.hpp>
#include <permit/retry/idempotency.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>

namespace permit::detail {

/// The project and environment that fill `{proj_id}` and `{env_id}` in API paths.
struct scope_ids {
    std::string project;
    std::string environment;
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

    client_impl(executor_type ex, config cfg)
        : cfg_(std::move(cfg))
        , ex_(cfg_.thread_safe ? executor_type(boost::asio::make_strand(ex)) : ex)
        , tls_context_(http::make_tls_context(cfg_.tls))
        , scope_gate_(ex_)
        , budget_(cfg_.retry_budget, std::chrono::steady_clock::now())
        , random_(std::random_device{}()) {
        if (cfg_.api_key.empty()) throw std::invalid_argument("permit::config::api_key is empty");
        auto settings = http::connection_settings::from(cfg_);
        auto api = http::origin::parse(cfg_.api_url);
        auto pdp = http::origin::parse(cfg_.pdp_url);
        check_transport_security("api_url", api);
        check_transport_security("pdp_url", pdp);
        if (cfg_.tls.insecure_disable_verification)
            log(log_level::warning,
                "TLS certificate verification is off (tls.insecure_disable_verification): anyone "
                "on the path can pose as the server and read the API key");
        api_pool_ = std::make_unique<http::pool>(ex_, api, &tls_context_, settings,
                                                 cfg_.api_max_connections, cfg_.idle_timeout);
        if (cfg_.api_pipelining.enabled)
            api_pipeline_ = std::make_unique<http::pipeline_pool>(
                ex_, api, &tls_context_, settings, cfg_.api_max_connections,
                cfg_.api_pipelining.max_depth, cfg_.idle_timeout);
        // One pool per origin: the emulator, for one, serves both at the same address.
        if (pdp.key() != api.key()) {
            pdp_pool_ = std::make_unique<http::pool>(ex_, pdp, &tls_context_, settings,
                                                     cfg_.pdp_max_connections, cfg_.idle_timeout);
            if (cfg_.pdp_pipelining.enabled)
                pdp_pipeline_ = std::make_unique<http::pipeline_pool>(
                    ex_, pdp, &tls_context_, settings, cfg_.pdp_max_connections,
                    cfg_.pdp_pipelining.max_depth, cfg_.idle_timeout);
        }
        authorization_ = "Bearer " + cfg_.api_key;
        if (cfg_.rate_limits.applies_to(api.host))
            limiter_ = std::make_unique<rate::limiter>(ex_, cfg_.rate_limits);
    }

    client_impl(const client_impl&) = delete;
    client_impl& operator=(const client_impl&) = delete;

    const executor_type& executor() const noexcept { return ex_; }
    const config& cfg() const noexcept { return cfg_; }
    /// Whether the client was shut down (its owner is gone): new calls fail at once.
    bool stopped() const noexcept { return stopped_; }

    /// The requests, retries and 429s so far.
    client_stats stats() const noexcept {
        return {.requests = requests_.load(std::memory_order_relaxed),
                .retries = retries_.load(std::memory_order_relaxed),
                .rate_limited = rate_limited_.load(std::memory_order_relaxed),
                .replays = replays_.load(std::memory_order_relaxed)};
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

    /// Runs one call and decodes its result. Never throws: every failure becomes `ec` plus `diag`.
    template <class T, class Decoder>
    static boost::asio::awaitable<outcome<T>> run(
        std::shared_ptr<client_impl> self, call_spec spec, Decoder decode, diagnostics* user_diag,
        std::shared_ptr<const call_options> options = {}) {
        // Errors are values here; a cancelled coroutine still runs its cleanup to the end.
        co_await boost::asio::this_coro::throw_if_cancelled(false);
        // Any type of cancellation aborts the call, and reaches the socket as terminal: Beast's
        // composed reads let only terminal cancellation through.
        co_await boost::asio::this_coro::reset_cancellation_state(
            boost::asio::enable_total_cancellation(), cancel_as_terminal{});
        outcome<T> out;
        diagnostics diag;
        try {
            http::response resp;
            const retry_policy& policy =
                options && options->retry ? *options->retry : self->cfg_.retry;
            out.ec = co_await self->execute(spec, policy, diag, resp);
            if (!out.ec) {
                try {
                    if constexpr (!std::is_void_v<T>) out.value = decode(resp);
                } catch (const model_error& e) {
                    out.ec = error::invalid_response;
                    diag.status = resp.status;
                    diag.request_id = bounded(resp.request_id);
                    diag.client_message = e.what();
                } catch (const std::exception& e) {
                    // Not JSON (system_error from the parser), or a value out of range.
                    out.ec = error::invalid_response;
                    diag.status = resp.status;
                    diag.request_id = bounded(resp.request_id);
                    diag.client_message = e.what();
                    diag.raw_body = bounded(resp.body);
                }
            }
        } catch (const std::bad_alloc&) {
            out.ec = make_error_code(boost::system::errc::not_enough_memory);
        }
        // A server or proxy may echo the Authorization header back; the key goes no further.
        redact(diag, self->cfg_.api_key);
        if (out.ec && self->cfg_.log) self->log(log_level::debug, diag.to_string());
        if (user_diag) *user_diag = std::move(diag);
        co_return out;
    }

    /// Sends `spec` and reads the response into `resp`, retrying under `policy`. A non-2xx status
    /// is an error, described in `diag` (the last attempt's).
    boost::asio::awaitable<boost::system::error_code> execute(const call_spec& spec,
                                                              const retry_policy& policy,
                                                              diagnostics& diag,
                                                              http::response& resp) {
        namespace bhttp = boost::beast::http;
        using clock = std::chrono::steady_clock;
        diag.request = std::string(bhttp::to_string(spec.method)) + " " + spec.path;
        // A rate-limit token taken for this call goes back unused if the call ends before it is
        // sent.
        const bool token_held = spec.rate_token_held && limiter_ && spec.target == service::api;
        auto give_back_token = [&] {
            if (token_held) limiter_->release(rate::classes_of(spec.method, spec.path), false);
        };
        if (stopped_) {
            give_back_token();
            diag.client_message = "the client is shut down";
            diag.stop_reason = retry_stop::cancelled;
            co_return boost::asio::error::operation_aborted;
        }
        http::pool& pool = pool_for(spec.target);
        std::string target = pool.where().base_path;
        if (spec.base != path_base::none) {
            scope_ids ids;
            if (auto ec = co_await resolve_scope(diag, ids); ec) {
                give_back_token();
                co_return ec;
            }
            target += spec.base == path_base::facts ? "/v2/facts/" : "/v2/schema/";
            target += percent_encode(ids.project);
            target += '/';
            target += percent_encode(ids.environment);
        }
        target += spec.path;
        diag.request = std::string(bhttp::to_string(spec.method)) + " " + target;
        // Requests to the REST API are paced; the PDP's are not (a local PDP has no limits).
        const bool paced = limiter_ && spec.target == service::api;
        const rate::class_set classes = paced ? rate::classes_of(spec.method, target) : 0;
        if (!spec.query.empty()) {
            target += '?';
            target += spec.query;
        }
        http::request req = make_request(spec, pool, std::move(target));

        const bool idempotent = spec.idempotent.value_or(
            retry::is_idempotent(spec.method, spec.target == service::pdp));
        const auto started = clock::now();
        retry::retry_state<> retries(policy, idempotent, started);
        budget_.on_call(started);
        const auto epoch = cancel_epoch_;
        bool fresh = false;
        bool holds_token = token_held;
        for (;;) {
            if (paced && !std::exchange(holds_token, false)) {
                const auto waiting_since = clock::now();
                const auto ec = co_await limiter_->acquire(classes);
                diag.rate_limit_wait += std::chrono::duration_cast<std::chrono::milliseconds>(
                    clock::now() - waiting_since);
                if (ec) {
                    diag.client_message = "cancelled while waiting for the client-side rate limit";
                    diag.stop_reason = retry_stop::cancelled;
                    co_return boost::asio::error::operation_aborted;
                }
            }
            // Pipelined only when idempotent: a request in a pipeline that dies is sent again.
            // A replay always takes an ordinary connection.
            http::pipeline_pool* pipeline = pipeline_for(spec.target);
            // (An if rather than ?: : g++ 12 destroys the result of a conditional co_await twice.)
            http::exchange_result result;
            if (pipeline && idempotent && !diag.replayed)
                result = co_await pipeline->exchange(req);
            else
                result = co_await pool.exchange(req, fresh);
            fresh = false;
            diag.attempts += 1;
            requests_.fetch_add(1, std::memory_order_relaxed);
            if (paced) limiter_->release(classes, result.sent);
            diag.clear_failure();
            retry::attempt_result attempt;
            if (result.ec) {
                diag.client_message = std::move(result.note);
                // Whatever broke while the client was being cancelled, the cause is the cancel.
                if (epoch != cancel_epoch_ || stopped_) {
                    diag.stop_reason = retry_stop::cancelled;
                    co_return boost::asio::error::operation_aborted;
                }
                // The server closed an idle keep-alive connection as the request went out: it
                // never saw the request, so it is sent once more, on a new connection, whatever
                // its verb (what browsers and curl do).
                if (result.reused && !result.response_started && !diag.replayed &&
                    retry::is_closed_connection_error(result.ec)) {
                    diag.replayed = true;
                    replays_.fetch_add(1, std::memory_order_relaxed);
                    fresh = true;
                    log(log_level::info, diag.request +
                                             ": the server had closed the kept-alive connection; "
                                             "sending the request again on a new one");
                    continue;
                }
                // A pipelined connection died before this request's response: it goes again, on
                // an ordinary connection (pipelined requests are idempotent).
                if (result.unanswered && !diag.replayed) {
                    diag.replayed = true;
                    replays_.fetch_add(1, std::memory_order_relaxed);
                    log(log_level::info, diag.request +
                                             ": the pipelined connection died before the "
                                             "response; sending the request again");
                    continue;
                }
                attempt.ec = result.ec;
            } else {
                resp = std::move(result.resp);
                if (resp.status >= 200 && resp.status < 300) co_return boost::system::error_code{};
                read_error_body(resp, diag);
                attempt.ec = error_from_status(resp.status);
                attempt.status = resp.status;
                attempt.retry_after = resp.retry_after;
                if (resp.status == 429) {
                    rate_limited_.fetch_add(1, std::memory_order_relaxed);
                    if (paced) limiter_->on_rate_limited(classes, retry_after_of(resp));
                }
            }
            const auto decision = retries.after_failure(
                attempt, clock::now(), std::chrono::system_clock::now(), random_unit(),
                cfg_.retry_budget.enabled ? &budget_ : nullptr);
            if (!decision.retry) {
                diag.stop_reason = decision.stop;
                note_stop(diag, decision.stop, spec.method, policy);
                co_return attempt.ec;
            }
            diag.retry_delays.push_back(decision.delay);
            retries_.fetch_add(1, std::memory_order_relaxed);
            if (cfg_.log)
                log(log_level::warning, diag.to_string() + "; retrying in " +
                                            std::to_string(decision.delay.count()) + " ms");
            if (!co_await sleep(decision.delay) || epoch != cancel_epoch_ || stopped_) {
                diag.client_message = "cancelled while waiting to retry";
                diag.stop_reason = retry_stop::cancelled;
                co_return boost::asio::error::operation_aborted;
            }
        }
    }

    /// Completes every call in flight with `operation_aborted`. Later calls work again.
    void cancel() {
        ++cancel_epoch_;
        if (bulk_) bulk_->cancel(stopped_);
        for (auto* timer : sleepers_) timer->cancel();
        if (limiter_) limiter_->cancel_all();
        api_pool_->close_all();
        if (pdp_pool_) pdp_pool_->close_all();
        if (api_pipeline_) api_pipeline_->close_all();
        if (pdp_pipeline_) pdp_pipeline_->close_all();
        scope_gate_.cancel();
    }

    /// As `cancel()`, and later calls fail at once with `operation_aborted`.
    void shutdown() {
        stopped_ = true;
        cancel();
    }

    /// The client-side rate limiter, when the config turns it on for the API's host.
    rate::limiter* limiter() noexcept { return limiter_.get(); }

  private:
    // Hands one record to the user's log function, without the API key in it.
    void log(log_level level, std::string message) const {
        if (!cfg_.log) return;
        redact(message, cfg_.api_key);
        cfg_.log(level, message);
    }

    // Every request carries the API key: plain HTTP is for loopback, unless the user allows it.
    void check_transport_security(const char* option, const http::origin& where) const {
        if (where.tls || where.is_loopback()) return;
        if (!cfg_.insecure_allow_plain_http)
            throw std::invalid_argument(
                std::string("permit::config::") + option + " is plain http:// to " + where.host +
                ", which is not a loopback address: the API key would cross the network "
                "unencrypted. Use https://, or set config.insecure_allow_plain_http = true if "
                "the network is private");
        log(log_level::warning, std::string(option) + " sends the API key over plain http:// to " +
                                    where.host + " (config.insecure_allow_plain_http)");
    }

    http::request make_request(const call_spec& spec, http::pool& pool, std::string target) const {
        namespace bhttp = boost::beast::http;
        http::request req{spec.method, target, 11};
        req.set(bhttp::field::host, pool.where().host_header);
        req.set(bhttp::field::authorization, authorization_);
        req.set(bhttp::field::user_agent, "permit-cpp/0.1");
        req.set(bhttp::field::accept, "application/json");
        if (spec.body) {
            req.set(bhttp::field::content_type, "application/json");
            req.body() = *spec.body;
        }
        req.prepare_payload();
        return req;
    }

    static std::optional<std::chrono::milliseconds> retry_after_of(const http::response& resp) {
        if (resp.retry_after.empty()) return std::nullopt;
        auto wait = retry::parse_retry_after(resp.retry_after, std::chrono::system_clock::now());
        if (!wait) return std::nullopt;
        return std::chrono::duration_cast<std::chrono::milliseconds>(*wait);
    }

    // Says in the diagnostics why a failure that could have been retried was not.
    static void note_stop(diagnostics& diag, retry_stop stop, boost::beast::http::verb method,
                          const retry_policy& policy) {
        std::string why;
        switch (stop) {
            case retry_stop::not_idempotent:
                why = "not retried: " + std::string(boost::beast::http::to_string(method)) +
                      " is not idempotent, and the server may have applied it";
                break;
            case retry_stop::attempts_exhausted:
                if (policy.max_attempts > 1)
                    why = "gave up after " + std::to_string(policy.max_attempts) + " attempts";
                break;
            case retry_stop::time_exhausted:
                why = "gave up: the next retry would end after retry_policy::max_elapsed";
                break;
            case retry_stop::budget_empty:
                why =
                    "not retried: the client's retry budget is empty (too many retries across "
                    "the client; see config::retry_budget)";
                break;
            default:
                return;
        }
        if (why.empty()) return;
        if (!diag.client_message.empty()) diag.client_message += "; ";
        diag.client_message += why;
    }

    double random_unit() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

    // Waits `delay`; false when cancelled (by the caller, or by `cancel()`).
    boost::asio::awaitable<bool> sleep(std::chrono::milliseconds delay) {
        boost::asio::steady_timer timer(ex_, delay);
        sleeper_registration registration(sleepers_, timer);
        auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        co_return !ec;
    }

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

    // The project and environment for an API path: from the config, or from the key's scope,
    // fetched once however many calls ask for it at the same time.
    boost::asio::awaitable<boost::system::error_code> resolve_scope(diagnostics& diag,
                                                                    scope_ids& ids) {
        if (cfg_.project_id && cfg_.environment_id) {
            ids = {*cfg_.project_id, *cfg_.environment_id};
            co_return boost::system::error_code{};
        }
        if (!scope_) {
            if (!scope_in_flight_) {
                scope_in_flight_ = true;
                scope_gate_.expires_at(std::chrono::steady_clock::time_point::max());
                // Detached from the caller, so that cancelling the first caller does not fail the
                // others that wait for the same answer.
                boost::asio::co_spawn(ex_, fetch_scope(shared_from_this()), boost::asio::detached);
            }
            const auto epoch = cancel_epoch_;
            co_await scope_gate_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (!scope_) {
                if (scope_in_flight_ || epoch != cancel_epoch_) {
                    diag.client_message = "cancelled while the API key's scope was fetched";
                    co_return boost::asio::error::operation_aborted;
                }
                const auto request = diag.request;
                diag = scope_diag_;
                diag.client_message =
                    "could not fetch the API key's scope (GET /v2/api-key/scope)" +
                    (diag.client_message.empty() ? "" : ": " + diag.client_message);
                if (diag.request.empty()) diag.request = request;
                co_return scope_error_;
            }
        }
        auto project = cfg_.project_id ? cfg_.project_id : scope_->project_id;
        auto environment = cfg_.environment_id ? cfg_.environment_id : scope_->environment_id;
        if (!project || !environment) {
            diag.client_message =
                std::string("the API key is ") + (scope_->project_id ? "project" : "organization") +
                "-level: set config.environment_id" + (project ? "" : " and config.project_id") +
                " to call environment-level routes";
            co_return error::environment_key_required;
        }
        ids = {std::move(*project), std::move(*environment)};
        co_return boost::system::error_code{};
    }

    static boost::asio::awaitable<void> fetch_scope(std::shared_ptr<client_impl> self) {
        co_await boost::asio::this_coro::throw_if_cancelled(false);
        // Arguments are built before the co_await: g++ 12 destroys aggregate temporaries in a
        // co_await expression twice.
        call_spec spec{.method = boost::beast::http::verb::get, .path = "/v2/api-key/scope"};
        self->scope_diag_.clear();
        auto result = co_await run<api_key_scope>(
            self, std::move(spec), json_decoder<api_key_scope>{}, &self->scope_diag_);
        if (!result.ec) self->scope_ = std::move(result.value);
        self->scope_error_ = result.ec;
        self->scope_in_flight_ = false;
        self->scope_gate_.cancel();
    }

    config cfg_;
    executor_type ex_;
    boost::asio::ssl::context tls_context_;
    std::unique_ptr<http::pool> api_pool_;
    std::unique_ptr<http::pool> pdp_pool_;  // null when the PDP shares the API's origin
    std::unique_ptr<http::pipeline_pool> api_pipeline_;  // null unless pipelining is on
    std::unique_ptr<http::pipeline_pool> pdp_pipeline_;
    std::string authorization_;

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

    std::shared_ptr<client_service> bulk_;  // null until the first bulk_api
    // Read from any thread by `client::stats()`.
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> retries_{0};
    std::atomic<std::uint64_t> rate_limited_{0};
    std::atomic<std::uint64_t> replays_{0};
};

/// The initiation of every operation: runs the coroutine that `make(diag)` returns on the
/// client's executor, and completes the caller's handler with its outcome.
template <class T>
struct spawn_initiation {
    client_impl::executor_type ex;

    template <class Handler, class Factory>
    void operator()(Handler&& handler, diagnostics* diag, Factory make) const {
        boost::asio::co_spawn(
            ex, make(diag),
            outcome_handler<std::decay_t<Handler>, T>{std::forward<Handler>(handler)});
    }
};

/// What an API group or a view of the client calls through: the client, and the options of the
/// view (null: the client's configuration).
struct client_handle {
    std::shared_ptr<client_impl> impl;
    std::shared_ptr<const call_options> options;
};

/// Starts an operation yielding `T` with any completion token.
template <class T, class Decoder, class Token>
auto async_call(const client_handle& handle, call_spec spec, Decoder decode, diagnostics* diag,
                Token&& token) {
    return boost::asio::async_initiate<Token, signature_t<T>>(
        spawn_initiation<T>{handle.impl->executor()}, token, diag,
        [handle, spec = std::move(spec), decode = std::move(decode)](diagnostics* d) mutable {
            return client_impl::run<T>(handle.impl, std::move(spec), std::move(decode), d,
                                       handle.options);
        });
}

}  // namespace permit::detail
