// The rate limiter of a client that shares its budget with other clients through Redis
// (`rate_limit_options::redis_url`), and paces itself alone with a share of the budget while
// Redis does not answer. Needs hiredis (`PERMIT_WITH_REDIS`).
#pragma once

#include <permit/detail/rate/limiter.hpp>
#include <permit/detail/rate/shared_budget.hpp>
#include <permit/detail/redis/connection.hpp>
#include <permit/log.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace permit::detail::rate {

/// Paces requests under `rate_limit_options` with a budget shared through Redis: every client
/// that names the same server and key prefix counts its requests there (see
/// `shared_budget_script`), so that together they never send more than a limit allows in any
/// window.
///
/// Waiters are served first come, first served within this process, one Redis call at a time:
/// a request waits only for the classes an earlier waiter lacks, as with `local_limiter`. When no
/// token is free, Redis says when the first may free; the limiter sleeps until then (at most
/// `max_sleep`, since a token that another client gives back unsent frees sooner).
///
/// Faults: when a call to Redis fails or takes longer than `redis_timeout` (Redis slow, down,
/// restarting, or a wrong reply), the limiter logs it once (a warning) and paces this client
/// alone, with a `local_limiter` holding its share of each limit (`fallback_share`), the waiters
/// included. Every `redis_retry_interval` the next request tries Redis again; when it answers,
/// the limiter logs that (info) and uses it again. Tokens taken in Redis and never given back
/// (the client died, or Redis was down at the release) stop counting after their lease and one
/// window; the lease of a token still held is renewed while Redis answers. A 429 shrinks the
/// narrowest class for every client sharing the budget, and the local share too; it remains the
/// last line of defence.
///
/// Not thread-safe: the client runs it on its executor (a strand in thread-safe mode).
class shared_limiter final : public limiter {
  public:
    /// The clock of the sleeps and retries.
    using clock = std::chrono::steady_clock;
    /// The longest sleep between two tries while waiters wait.
    static constexpr std::chrono::milliseconds max_sleep{250};

    /// A limiter applying `options` (`mode` aside: the client decides whether to use one) with
    /// the budget kept at `options.redis_url`, on `ex`. A token held in Redis counts for `lease`
    /// plus one window from its grant; the limiter renews the lease of the tokens it still holds
    /// every third of it, so that only the tokens of a client that died expire. `log` receives its
    /// records (may be empty). Throws `std::invalid_argument` when the URL is not valid. Connects
    /// nothing yet.
    shared_limiter(boost::asio::any_io_executor ex, const rate_limit_options& options,
                   std::chrono::milliseconds lease, log_function log)
        : core_(std::make_shared<core>(std::move(ex), options, lease, std::move(log))) {}

    /// Fails the waiters, and drops the connection to Redis. Tokens held in Redis expire there.
    ~shared_limiter() override { core_->stop(); }

    /// Waits until the request of `classes` may go; it then holds one token of each, which
    /// `release` gives back. Completes with `operation_aborted` when the caller's cancellation
    /// slot fires (any type) or `cancel_all()` is called; nothing is held then. Never fails
    /// otherwise: Redis failing, the client paces itself alone.
    boost::asio::awaitable<boost::system::error_code> acquire(class_set classes) override {
        return core::acquire(core_, classes);
    }

    /// A request that `acquire` let through is over: `sent` if it may have reached the server.
    /// Its tokens go back in the background.
    void release(class_set classes, bool sent) override { core_->release(classes, sent); }

    /// Tokens of class `c` free now, as Redis last counted them (the local share's while Redis
    /// does not answer); UINT32_MAX when `c` is not limited.
    std::uint32_t available(limit_class c) override { return core_->available(c); }

    /// The server answered a request of `classes` with 429, asking to wait `retry_after` if set:
    /// its narrowest class shrinks (and pauses) for every client sharing the budget.
    void on_rate_limited(class_set classes,
                         std::optional<std::chrono::milliseconds> retry_after) override {
        core_->on_rate_limited(classes, retry_after);
    }

    /// Fails every waiting request with `operation_aborted`.
    void cancel_all() override { core_->cancel_all(); }

    /// Requests waiting in `acquire`.
    std::size_t waiting_count() const noexcept override { return core_->waiting_count(); }

    /// The configured limit of class `c` (the local share's current limit while Redis does not
    /// answer).
    std::uint32_t limit(limit_class c) const noexcept override { return core_->limit(c); }

    /// Whether the limiter paces this client alone because Redis did not answer.
    bool falling_back() const noexcept { return core_->redis_down; }

    /// The clients Redis last counted in the longest window (0 before it first answered).
    std::uint32_t clients() const noexcept { return core_->clients; }

  private:
    // What a waiter in the queue was told.
    enum class turn { waiting, granted, local, aborted };

    // Everything, shared with the background work (the pump, the releases) that may outlive the
    // limiter by a moment.
    struct core : std::enable_shared_from_this<core> {
        core(boost::asio::any_io_executor executor, const rate_limit_options& o,
             std::chrono::milliseconds lease, log_function log_fn)
            : ex(std::move(executor))
            , options(o)
            , budget(o, lease)
            , redis(ex, redis::endpoint::parse(o.redis_url))
            , log(std::move(log_fn))
            , wake(ex)
            , renewal(ex) {
            std::random_device random;
            const auto id = (std::uint64_t{random()} << 32) | random();
            static constexpr char hex[] = "0123456789abcdef";
            for (int shift = 60; shift >= 0; shift -= 4) client_id += hex[(id >> shift) & 15];
            for (unsigned c = 0; c < class_count; ++c) free_tokens[c] = configured(limit_class(c));
        }

        // A request waiting for the pump, listed while it exists. (A class of the limiter rather
        // than of the coroutine: g++ 12 mishandles local classes in coroutines.)
        struct waiter {
            waiter(core& c, class_set cls)
                : owner(c)
                , id(++c.last_waiter)
                , classes(cls)
                , timer(c.ex, clock::time_point::max()) {
                owner.waiters.emplace(id, this);
                owner.queue.push_back(id);
            }
            waiter(const waiter&) = delete;
            waiter& operator=(const waiter&) = delete;
            ~waiter() {
                owner.waiters.erase(id);
                if (queued) owner.unqueue(id);
            }
            core& owner;
            std::uint64_t id;
            class_set classes;
            boost::asio::steady_timer timer;  // never expires; cancelled to wake the waiter
            turn result = turn::waiting;
            bool queued = true;
            std::string token;  // when granted
        };

        static boost::asio::awaitable<boost::system::error_code> acquire(std::shared_ptr<core> self,
                                                                         class_set classes) {
            classes = self->budget.limited(classes);
            if (classes == 0) co_return boost::system::error_code{};
            if (self->stopped) co_return boost::asio::error::operation_aborted;
            if (self->use_redis()) {
                std::string token;
                const turn t = co_await self->wait_turn(classes, token);
                if (t == turn::granted) {
                    self->held[classes].push_back(std::move(token));
                    self->keep_leases();
                    co_return boost::system::error_code{};
                }
                if (t == turn::aborted) co_return boost::asio::error::operation_aborted;
            }
            // Redis does not answer: this client's share of the budget, kept here.
            const auto ec = co_await self->local().acquire(classes);
            if (!ec) {
                self->held[classes].emplace_back();
                ++self->local_tokens;
            }
            co_return ec;
        }

        // Waits in the queue until the pump grants a token in Redis (in `token`), sends the
        // waiter to the local share, or it is cancelled.
        boost::asio::awaitable<turn> wait_turn(class_set classes, std::string& token) {
            waiter w(*this, classes);
            poke();
            co_await w.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            const bool cancelled =
                (co_await boost::asio::this_coro::cancellation_state).cancelled() !=
                boost::asio::cancellation_type::none;
            if (w.result == turn::granted && cancelled) {
                // Granted and cancelled at once: the tokens go back unused.
                give_back(classes, w.token, false);
                co_return turn::aborted;
            }
            if (w.result == turn::granted) token = std::move(w.token);
            if (cancelled || w.result == turn::waiting) co_return turn::aborted;
            co_return w.result;
        }

        void release(class_set classes, bool sent) {
            classes = budget.limited(classes);
            if (classes == 0) return;
            auto& tokens = held[classes];
            if (tokens.empty()) return;
            // The tokens of one class set are alike: whichever request ended, one of them goes.
            // While Redis does not answer, one of the local share's first (so that the client
            // goes on); otherwise one kept in Redis first (so that the other clients do).
            auto it = std::find_if(tokens.begin(), tokens.end(), [this](const std::string& t) {
                return t.empty() == redis_down;
            });
            if (it == tokens.end()) it = tokens.begin();
            std::string token = std::move(*it);
            tokens.erase(it);
            // Nothing left to renew: the renewal ends now rather than after its sleep, so that
            // an idle client leaves its `io_context` nothing to wait for.
            if (renewing && holds_nothing_in_redis()) renewal.cancel();
            if (token.empty()) {
                --local_tokens;
                if (fallback) fallback->release(classes, sent);
                return;
            }
            give_back(classes, token, sent);
        }

        void on_rate_limited(class_set classes,
                             std::optional<std::chrono::milliseconds> retry_after) {
            std::optional<std::chrono::milliseconds> pause;
            if (retry_after) pause = std::min(*retry_after, options.max_pause);
            if (auto command = budget.rate_limited(classes, pause); !command.empty())
                boost::asio::co_spawn(ex,
                                      send_command(shared_from_this(), std::move(command), false),
                                      boost::asio::detached);
            if (fallback) fallback->on_rate_limited(classes, retry_after);
        }

        std::uint32_t available(limit_class c) {
            if (budget.limited(bit(c)) == 0) return UINT32_MAX;
            if (redis_down && fallback) return fallback->available(c);
            return free_tokens[static_cast<unsigned>(c)];
        }

        void cancel_all() {
            for (const auto id : queue) {
                if (auto it = waiters.find(id); it != waiters.end()) {
                    it->second->result = turn::aborted;
                    it->second->queued = false;
                    it->second->timer.cancel();
                }
            }
            queue.clear();
            if (fallback) fallback->cancel_all();
        }

        std::size_t waiting_count() const noexcept {
            return queue.size() + (fallback ? fallback->waiting_count() : 0);
        }

        std::uint32_t limit(limit_class c) const noexcept {
            if (redis_down && fallback) return fallback->limit(c);
            return configured(c);
        }

        void stop() {
            stopped = true;
            cancel_all();
            wake.cancel();
            renewal.cancel();
            redis.close();
        }

        // ---------------------------------------------------------------- the pump

        // Starts the pump, or has it look at the queue again.
        void poke() {
            if (pumping) {
                poked = true;
                if (sleeping) wake.cancel();
                return;
            }
            pumping = true;
            boost::asio::co_spawn(ex, pump(shared_from_this()), boost::asio::detached);
        }

        // Serves the queue in rounds: each waiter in turn asks Redis for its tokens unless an
        // earlier one lacks one of its classes; then it sleeps until a token may free.
        static boost::asio::awaitable<void> pump(std::shared_ptr<core> self) {
            while (!self->stopped && !self->queue.empty()) {
                self->poked = false;
                auto next_try = max_sleep;
                class_set blocked = 0;
                bool failed = false;
                const std::vector<std::uint64_t> round(self->queue.begin(), self->queue.end());
                for (const auto id : round) {
                    auto it = self->waiters.find(id);
                    if (it == self->waiters.end() || !it->second->queued) continue;
                    const class_set classes = it->second->classes;
                    if (classes & blocked) continue;
                    std::string token = self->client_id + ":" + std::to_string(++self->last_token);
                    auto result =
                        co_await self->run(self->budget.acquire(classes, token, self->client_id));
                    if (self->stopped) break;
                    std::optional<shared_acquire_reply> r;
                    if (!result.ec) {
                        try {
                            r = self->budget.parse_acquire(classes, result.value);
                        } catch (const std::exception& e) {
                            result.message =
                                "Redis at " + self->redis.where().to_string() + ": " + e.what();
                        }
                    }
                    if (!r) {
                        self->fall_back(result.message);
                        failed = true;
                        break;
                    }
                    self->recovered(*r);
                    it = self->waiters.find(id);
                    const bool still_waiting = it != self->waiters.end() && it->second->queued;
                    if (r->granted) {
                        if (still_waiting)
                            self->grant(*it->second, std::move(token));
                        else
                            self->give_back(classes, token, false);
                    } else {
                        blocked |= r->lacking != 0 ? r->lacking : classes;
                        next_try = std::min(next_try, r->wait + std::chrono::milliseconds(1));
                    }
                }
                if (failed || self->stopped || self->queue.empty() || self->poked) continue;
                self->wake.expires_after(next_try);
                self->sleeping = true;
                co_await self->wake.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
                self->sleeping = false;
            }
            self->pumping = false;
        }

        // Runs a command of `budget`, loading the script first when Redis does not have it
        // (a restart empties its cache).
        boost::asio::awaitable<redis::command_result> run(std::vector<std::string> command) {
            auto r = co_await redis.execute(command, options.redis_timeout);
            if (!r.ec && r.value.is_error("NOSCRIPT"))
                r = co_await redis.execute(shared_budget::as_eval(std::move(command)),
                                           options.redis_timeout);
            co_return r;
        }

        // Sends a release or a 429's news; `frees` wakes the pump once the token is free.
        static boost::asio::awaitable<void> send_command(std::shared_ptr<core> self,
                                                         std::vector<std::string> command,
                                                         bool frees) {
            // A failure changes nothing here: the token expires with its lease, and the next
            // acquire finds out whether Redis answers.
            const auto r = co_await self->run(std::move(command));
            if (frees && !r.ec && !self->stopped && !self->queue.empty()) self->poke();
        }

        void give_back(class_set classes, const std::string& token, bool sent) {
            boost::asio::co_spawn(
                ex, send_command(shared_from_this(), budget.release(classes, token, sent), !sent),
                boost::asio::detached);
        }

        void grant(waiter& w, std::string token) {
            w.result = turn::granted;
            w.token = std::move(token);
            w.queued = false;
            unqueue(w.id);
            w.timer.cancel();
        }

        void unqueue(std::uint64_t id) {
            if (auto it = std::find(queue.begin(), queue.end(), id); it != queue.end())
                queue.erase(it);
        }

        // ---------------------------------------------------------------- leases

        bool holds_nothing_in_redis() const {
            return std::all_of(held.begin(), held.end(), [](const auto& tokens) {
                return std::all_of(tokens.begin(), tokens.end(),
                                   [](const std::string& t) { return t.empty(); });
            });
        }

        // Starts renewing the leases of the tokens held in Redis, unless it runs already.
        void keep_leases() {
            if (renewing || stopped) return;
            renewing = true;
            boost::asio::co_spawn(ex, renew(shared_from_this()), boost::asio::detached);
        }

        // Three times a lease, while tokens are held in Redis, starts their leases again: a
        // request that waits long for a connection keeps counting until its release. (A client
        // that dies renews nothing, and its tokens expire.)
        static boost::asio::awaitable<void> renew(std::shared_ptr<core> self) {
            const auto every = std::max(self->budget.lease() / 3, std::chrono::milliseconds(1));
            for (bool any = true; any && !self->stopped;) {
                self->renewal.expires_after(every);
                co_await self->renewal.async_wait(
                    boost::asio::as_tuple(boost::asio::use_awaitable));
                any = false;
                for (class_set s = 1; s < self->held.size() && !self->stopped; ++s) {
                    // Collected right before the command goes out: a later release follows it.
                    std::vector<std::string> tokens;
                    for (const auto& t : self->held[s])
                        if (!t.empty()) tokens.push_back(t);
                    if (tokens.empty()) continue;
                    any = true;
                    // A failure changes nothing: Redis down, the limiter falls back anyway.
                    (void)co_await self->run(self->budget.renew(s, tokens));
                }
            }
            self->renewing = false;
        }

        // ---------------------------------------------------------------- faults

        bool use_redis() const { return !redis_down || clock::now() >= retry_at; }

        // Redis failed: the waiters go to the local share, and Redis is tried again later.
        void fall_back(const std::string& why) {
            retry_at = clock::now() + options.redis_retry_interval;
            const bool first = !redis_down;
            redis_down = true;
            // The connection may be half-broken: the next try opens a new one.
            redis.close();
            local();
            if (first)
                say(log_level::warning, "rate limits: " + why + "; pacing this client alone with " +
                                            std::to_string(static_cast<int>(share * 100 + 0.5)) +
                                            "% of each limit until Redis answers again");
            for (const auto id : queue) {
                if (auto it = waiters.find(id); it != waiters.end()) {
                    it->second->result = turn::local;
                    it->second->queued = false;
                    it->second->timer.cancel();
                }
            }
            queue.clear();
        }

        // Redis answered.
        void recovered(const shared_acquire_reply& r) {
            clients = r.clients;
            for (unsigned c = 0; c < class_count; ++c)
                if (r.free[c]) free_tokens[c] = *r.free[c];
            if (!redis_down) return;
            redis_down = false;
            say(log_level::info, "rate limits: Redis at " + redis.where().to_string() +
                                     " answers again; the budget shared with the other clients "
                                     "is back in use");
        }

        // The local share of the budget, made anew when the last one holds nothing (no token
        // held, cooling or awaited), so that it follows the number of clients.
        local_limiter& local() {
            if (!fallback || idle(*fallback)) {
                share = options.fallback_share > 0 ? options.fallback_share
                        : clients > 0              ? 1.0 / clients
                                                   : 1.0;
                fallback =
                    std::make_unique<local_limiter>(ex, shared_budget::local_share(options, share));
            }
            return *fallback;
        }

        bool idle(local_limiter& l) const {
            if (local_tokens != 0 || l.waiting_count() != 0) return false;
            for (unsigned c = 0; c < class_count; ++c)
                if (l.available(limit_class(c)) < l.limit(limit_class(c))) return false;
            return true;
        }

        std::uint32_t configured(limit_class c) const noexcept {
            switch (c) {
                case limit_class::all:
                    return options.all.limit;
                case limit_class::writes:
                    return options.writes.limit;
                case limit_class::deletes:
                    return options.deletes.limit;
                case limit_class::bulk:
                    return options.bulk.limit;
            }
            return 0;
        }

        void say(log_level level, const std::string& text) const {
            if (log) log(level, text);
        }

        boost::asio::any_io_executor ex;
        rate_limit_options options;
        shared_budget budget;
        redis::connection redis;
        log_function log;
        std::string client_id;  // random: tells this client's tokens from the others'
        std::uint64_t last_token = 0;
        std::uint64_t last_waiter = 0;
        std::deque<std::uint64_t> queue;  // waiting for the pump, oldest first
        std::unordered_map<std::uint64_t, waiter*> waiters;
        std::array<std::deque<std::string>, 1u << class_count> held;  // by class set; "": local
        bool pumping = false;
        bool poked = false;  // the queue changed during a round
        bool sleeping = false;
        boost::asio::steady_timer wake;  // the pump's sleep
        bool renewing = false;
        boost::asio::steady_timer renewal;  // the lease renewal's sleep
        bool redis_down = false;
        clock::time_point retry_at{};
        std::unique_ptr<local_limiter> fallback;  // the local share, once Redis has failed
        double share = 1;
        std::size_t local_tokens = 0;  // held from `fallback`
        std::uint32_t clients = 0;
        std::array<std::uint32_t, class_count> free_tokens{};  // as Redis last counted them
        bool stopped = false;
    };

    std::shared_ptr<core> core_;
};

}  // namespace permit::detail::rate
