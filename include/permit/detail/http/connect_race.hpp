// Connecting to a host with several addresses: the addresses in the order RFC 8305 tries them, and
// a race of connection attempts in which each next address gets a head start of its own instead
// of waiting for the previous one to time out ("Happy Eyeballs", RFC 8305, in its simple form).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/assert.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <ranges>
#include <utility>
#include <vector>

namespace permit::detail::http {

/// The addresses of `answer` (a resolver's answer, or any range of endpoints) in the order RFC 8305
/// section 4 tries them, in its simple form: the family of the first address first, then the
/// families in turn (a "First Address Family Count" of 1), each family keeping the resolver's
/// order, so that a host whose IPv6 addresses all fail is reached over IPv4 at the second attempt
/// rather than after every IPv6 address. Addresses that appear twice are kept once.
template <std::ranges::input_range Endpoints>
requires std::convertible_to<std::ranges::range_reference_t<const Endpoints>,
                             boost::asio::ip::tcp::endpoint>
    std::vector<boost::asio::ip::tcp::endpoint> interleave_families(const Endpoints& answer) {
    using endpoint = boost::asio::ip::tcp::endpoint;
    std::vector<endpoint> leading;  // the first address's family
    std::vector<endpoint> other;
    for (const auto& entry : answer) {
        const endpoint address = entry;
        if (std::ranges::find(leading, address) != leading.end() ||
            std::ranges::find(other, address) != other.end())
            continue;
        const bool same_family =
            leading.empty() || leading.front().address().is_v6() == address.address().is_v6();
        (same_family ? leading : other).push_back(address);
    }
    std::vector<endpoint> ordered;
    ordered.reserve(leading.size() + other.size());
    for (std::size_t i = 0; i < std::max(leading.size(), other.size()); ++i) {
        if (i < leading.size()) ordered.push_back(leading[i]);
        if (i < other.size()) ordered.push_back(other[i]);
    }
    return ordered;
}

/// Connects a socket to the first address of a list that answers (RFC 8305 section 5, simple
/// form): the first attempt starts at once; the next one starts when the latest attempt fails, or
/// when it has had `attempt_delay` (RFC 8305's "Connection Attempt Delay") without an answer,
/// whichever comes first. Attempts already started keep running, each on a socket of its own; the
/// first to connect wins and the others are closed.
///
/// A race has no timeout of its own: its owner bounds it by calling `cancel()` at its connect
/// deadline. It sets no socket option: the owner sets those it wants on the winning socket.
///
/// One race per object: `run` is called at most once. Not thread-safe: `run`, `cancel()` and the
/// counters are used on one thread, the one running the executor of the socket given to `run`;
/// every handler of the race runs on that executor.
class connect_race {
  public:
    /// An address to connect to.
    using endpoint = boost::asio::ip::tcp::endpoint;

    /// RFC 8305's recommended Connection Attempt Delay.
    static constexpr std::chrono::milliseconds default_attempt_delay{250};

    /// A race in which each attempt has `attempt_delay` to connect before the next one starts.
    explicit connect_race(std::chrono::milliseconds attempt_delay = default_attempt_delay)
        : state_(std::make_shared<state>(attempt_delay)) {}

    connect_race(const connect_race&) = delete;
    connect_race& operator=(const connect_race&) = delete;

    /// Cancels a race under way (see `cancel()`).
    ~connect_race() { cancel(); }

    /// Connects `out` (a closed socket) to the first of `endpoints`, tried in the order given
    /// (see `interleave_families`), that accepts. Completes with an empty error code and the
    /// winning address, the connected socket moved into `out`; when every attempt failed, with
    /// the error of the attempt that failed last (as `boost::asio::async_connect` over a range
    /// reports its last attempt's error) and `out` still closed; with
    /// `boost::asio::error::not_found` when `endpoints` is empty.
    ///
    /// Cancellation: `cancel()`, or a terminal cancellation of the awaiting coroutine (e.g. by
    /// `awaitable_operators::operator||`), closes every attempt and completes the race at once
    /// with `boost::asio::error::operation_aborted`; `out` is then left closed. As for any
    /// `co_await`, a coroutine whose cancellation was requested before it awaits `run` gets an
    /// exception from Asio instead.
    ///
    /// The attempts run on `out`'s executor, which must be the executor this coroutine runs on
    /// (or one on the same thread); see the class for thread safety.
    boost::asio::awaitable<std::pair<boost::system::error_code, endpoint>> run(
        boost::asio::ip::tcp::socket& out, std::vector<endpoint> endpoints) {
        // The coroutine keeps its own reference: the race object may be destroyed (and so
        // cancelled) while the coroutine waits, and `this` must not be used after the wait.
        auto race = state_;
        BOOST_ASSERT_MSG(!race->running, "connect_race::run is called at most once");
        BOOST_ASSERT_MSG(!out.is_open(), "connect_race::run needs a closed socket");
        race->running = true;
        if (!race->finished) race->begin(out, std::move(endpoints));
        while (!race->finished) {
            co_await race->wake->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            // The wait never expires: it ends when the race finishes, or when the awaiting
            // coroutine's cancellation slot cancelled it.
            if (!race->finished) race->finish(boost::asio::error::operation_aborted);
        }
        std::pair<boost::system::error_code, endpoint> outcome(race->result, race->winner);
        co_return outcome;
    }

    /// Closes every attempt and makes `run` complete with `boost::asio::error::operation_aborted`
    /// (at once, through the executor: it is not resumed from inside this call). Before `run`, the
    /// race will complete that way without connecting; once the race has completed, does nothing
    /// (the winning socket is the caller's). May be called any number of times, from any code on
    /// the race's thread (a handler, a coroutine, or a plain function while `run` is suspended).
    void cancel() noexcept {
        if (!state_->finished) state_->finish(boost::asio::error::operation_aborted);
    }

    /// How many connection attempts were started (for statistics).
    std::size_t attempts_started() const noexcept { return state_->attempts.size(); }

    /// Whether the race was won by an address other than the first of the list: the first did
    /// not answer, or answered too late (for statistics).
    bool fell_back() const noexcept {
        return state_->finished && !state_->result && state_->winner_index != 0;
    }

  private:
    // What the pending handlers share with the race object and the coroutine: handlers may
    // complete after the coroutine has returned and the race object is gone (an attempt closed
    // by `finish()` completes later, with `operation_aborted`), so they hold it by `shared_ptr`.
    struct state : std::enable_shared_from_this<state> {
        explicit state(std::chrono::milliseconds delay) : attempt_delay(delay) {}

        void begin(boost::asio::ip::tcp::socket& socket, std::vector<endpoint> list) {
            out = &socket;
            endpoints = std::move(list);
            // Reserved once: a socket must not move while a connect is pending on it.
            attempts.reserve(endpoints.size());
            next_attempt_timer.emplace(socket.get_executor());
            wake.emplace(socket.get_executor(), boost::asio::steady_timer::time_point::max());
            if (endpoints.empty())
                finish(boost::asio::error::not_found);
            else
                start_next();
        }

        void start_next() {
            const std::size_t index = attempts.size();
            auto& socket = attempts.emplace_back(out->get_executor());
            ++in_flight;
            // `async_connect` opens the socket with the address's protocol; an address family the
            // host lacks fails that attempt like any other error.
            socket.async_connect(endpoints[index],
                                 [self = shared_from_this(), index](boost::system::error_code ec) {
                                     self->attempt_done(index, ec);
                                 });
            if (index + 1 == endpoints.size()) {
                next_attempt_timer->cancel();
                return;
            }
            next_attempt_timer->expires_after(attempt_delay);
            next_attempt_timer->async_wait(
                [self = shared_from_this(), index](boost::system::error_code ec) {
                    // A delay that ran out as a failure was starting the next attempt is stale.
                    if (ec || self->finished || self->attempts.size() != index + 1) return;
                    self->start_next();
                });
        }

        void attempt_done(std::size_t index, boost::system::error_code ec) {
            --in_flight;
            if (finished) return;  // a loser, or cancelled: `finish()` closed its socket
            auto& socket = attempts[index];
            if (!ec) {
                *out = std::move(socket);
                winner = endpoints[index];
                winner_index = index;
                finish({});
                return;
            }
            boost::system::error_code ignored;
            socket.close(ignored);  // its descriptor is of no more use
            last_error = ec;
            const bool latest = index + 1 == attempts.size();
            if (latest && attempts.size() < endpoints.size())
                start_next();
            else if (in_flight == 0 && attempts.size() == endpoints.size())
                finish(last_error);
        }

        // Ends the race with `ec`: closes every attempt still open (their handlers then complete
        // with `operation_aborted`) and wakes the coroutine.
        void finish(boost::system::error_code ec) {
            finished = true;
            result = ec;
            boost::system::error_code ignored;
            for (auto& attempt : attempts) attempt.close(ignored);
            if (next_attempt_timer) next_attempt_timer->cancel();
            if (wake) wake->cancel();
        }

        std::chrono::milliseconds attempt_delay;
        bool running = false;   // `run` was called
        bool finished = false;  // won, lost or cancelled: `result` holds the outcome
        boost::system::error_code result;
        endpoint winner;
        std::size_t winner_index = 0;
        boost::system::error_code last_error;
        boost::asio::ip::tcp::socket* out = nullptr;  // used only until `finished`
        std::vector<endpoint> endpoints;
        std::vector<boost::asio::ip::tcp::socket> attempts;  // one per attempt started, in order
        std::size_t in_flight = 0;                           // attempts whose connect is pending
        std::optional<boost::asio::steady_timer> next_attempt_timer;
        // Never expires: the coroutine waits on it, and `finish()` cancels the wait to wake it.
        std::optional<boost::asio::steady_timer> wake;
    };

    std::shared_ptr<state> state_;
};

}  // namespace permit::detail::http
