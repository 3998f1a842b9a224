// What the client-side rate limiter costs a request: how many requests one client can take tokens
// for in a second, with its budget in its own memory (`local_limiter`) and with the budget shared
// through Redis (`shared_limiter`, `rate_limit_options::redis_url`), on loopback.
//
// Each run makes one limiter, as a client does for `config::rate_limits`, with limits so high that
// nothing ever waits for a token: what is measured is the limiter's own work, an acquire (for the
// shared limiter, one call of the Lua script in Redis) and a release (in the background, a second
// call), per request. C coroutines on one thread each take the tokens of a write (the classes
// `all` and `writes`, as `PUT /v2/facts/{proj}/{env}/users/{id}` takes) and give them back at
// once, for SECONDS; the figure is the tokens taken per second, with the time an acquire took
// (p50, p99). The release is counted as done when it is handed over, as in the client.
//
//   bench-limiter-cost [--redis URL] [--seconds S] [--concurrency C]...
//
// Without --redis, the local limiter only. Prints one JSON object a line:
// {"limiter":"shared","concurrency":1,"tokens":N,"seconds":S,"tokens_per_second":X,
//  "acquire_p50_us":A,"acquire_p99_us":B}.
#include <permit/detail/rate/limiter.hpp>
#ifdef PERMIT_WITH_REDIS
#include <permit/detail/rate/shared_limiter.hpp>
#endif
#include <permit/http_method.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace rate = permit::detail::rate;
using steady = std::chrono::steady_clock;

struct bench_options {
    std::string redis_url;
    double seconds = 3;
    std::vector<unsigned> concurrency;
};

/// Limits that no run reaches: every class limited (so that each takes its token), none waits.
permit::rate_limit_options unreachable_limits(const std::string& redis_url, unsigned run) {
    permit::rate_limit_options o;
    o.mode = permit::rate_limit_options::mode_type::on;
    const permit::rate_limit plenty{1'000'000'000, std::chrono::seconds(1)};
    o.all = o.writes = o.deletes = o.bulk = plenty;
    o.redis_url = redis_url;
    // A budget of this run's own, whatever an earlier run left in Redis.
    o.redis_key_prefix =
        "bench:limiter:" + std::to_string(::getpid()) + ":" + std::to_string(run) + ":";
    return o;
}

struct run_result {
    std::uint64_t tokens = 0;
    double seconds = 0;
    std::vector<std::chrono::nanoseconds> acquire_times;  // a sample of them
};

asio::awaitable<void> taker(rate::limiter& limiter, steady::time_point until, run_result& out) {
    const auto classes = rate::classes_of(permit::http_method::put, "/v2/facts/p/e/users/jane");
    while (steady::now() < until) {
        const auto started = steady::now();
        const auto ec = co_await limiter.acquire(classes);
        if (ec) throw std::runtime_error("acquire failed: " + ec.message());
        const auto took = steady::now() - started;
        if (out.tokens % 16 == 0) out.acquire_times.push_back(took);
        ++out.tokens;
        limiter.release(classes, true);
    }
}

double percentile_us(std::vector<std::chrono::nanoseconds> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto at = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    return std::chrono::duration<double, std::micro>(v[at]).count();
}

run_result measure(const std::string& kind, const bench_options& o, unsigned concurrency,
                   unsigned run) {
    asio::io_context ioc(1);
    std::string failure;  // the first warning the limiter logged
    std::unique_ptr<rate::limiter> limiter;
    const auto limits = unreachable_limits(o.redis_url, run);
    if (kind == "local") {
        limiter = std::make_unique<rate::local_limiter>(ioc.get_executor(), limits);
    } else {
#ifdef PERMIT_WITH_REDIS
        limiter = std::make_unique<rate::shared_limiter>(
            ioc.get_executor(), limits, std::chrono::seconds(30),
            [&failure](permit::log_level level, std::string_view text) {
                if (level == permit::log_level::warning && failure.empty()) failure = text;
            });
        // The connection is opened by the first acquire: a warm-up, not measured.
        run_result warm_up;
        asio::co_spawn(ioc,
                       taker(*limiter, steady::now() + std::chrono::milliseconds(200), warm_up),
                       asio::detached);
        ioc.run_for(std::chrono::milliseconds(400));
        ioc.restart();
        if (!failure.empty())
            throw std::runtime_error("Redis did not answer, the figure would be the local one's: " +
                                     failure);
#else
        throw std::invalid_argument("--redis needs the benchmark built with PERMIT_WITH_REDIS");
#endif
    }
    run_result out;
    const auto started = steady::now();
    const auto until = started + std::chrono::duration_cast<steady::duration>(
                                     std::chrono::duration<double>(o.seconds));
    std::exception_ptr error;
    unsigned running = concurrency;
    for (unsigned i = 0; i < concurrency; ++i)
        asio::co_spawn(ioc, taker(*limiter, until, out), [&](std::exception_ptr e) {
            if (e && !error) error = e;
            if (--running == 0)
                out.seconds = std::chrono::duration<double>(steady::now() - started).count();
        });
    // The takers end at `until`; what is left (releases in flight, the idle connection) is not
    // waited for.
    while (running > 0 && ioc.run_one() > 0) {
    }
    if (error) std::rethrow_exception(error);
    if (!failure.empty()) throw std::runtime_error("Redis failed during the run: " + failure);
    return out;
}

bench_options parse(int argc, char** argv) {
    bench_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "--redis")
            o.redis_url = value();
        else if (arg == "--seconds")
            o.seconds = std::stod(value());
        else if (arg == "--concurrency")
            o.concurrency.push_back(static_cast<unsigned>(std::stoul(value())));
        else
            throw std::invalid_argument("unknown option " + std::string(arg));
    }
    if (o.concurrency.empty()) o.concurrency = {1, 16};
    if (o.seconds <= 0) throw std::invalid_argument("--seconds must be positive");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto o = parse(argc, argv);
        std::vector<std::string> kinds{"local"};
        if (!o.redis_url.empty()) kinds.push_back("shared");
        unsigned run = 0;
        for (const auto& kind : kinds) {
            for (const auto c : o.concurrency) {
                const auto r = measure(kind, o, c, run++);
                boost::json::object line{
                    {"limiter", kind},
                    {"concurrency", c},
                    {"tokens", r.tokens},
                    {"seconds", r.seconds},
                    {"tokens_per_second", static_cast<double>(r.tokens) / r.seconds},
                    {"acquire_p50_us", percentile_us(r.acquire_times, 0.5)},
                    {"acquire_p99_us", percentile_us(r.acquire_times, 0.99)}};
                std::cout << boost::json::serialize(line) << std::endl;
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "bench-limiter-cost: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
