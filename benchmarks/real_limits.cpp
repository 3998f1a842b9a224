// Sign-ups under Permit's real rate limits: the emulator enforcing the documented limits on a time
// scale, the client pacing itself by the same limits on the same scale, and an arrival pattern of
// sign-ups, each one `client.bulk.sync_user` of a new user with the role `viewer` in the tenant
// `acme` (both in benchmarks/seed.json):
//
//   trickle before   R sign-ups a second of real wall time for S seconds (default 3 a second for
//                    10 s), each arriving on its own schedule
//   burst            N sign-ups at once (default 50,000), when every sign-up of the trickle
//                    before has completed
//   trickle after    the trickle again, from the moment the burst's last sign-up has completed
//
//   bench-real-limits [--seed FILE] [--burst N] [--trickle-rate R] [--trickle-seconds S]
//                     [--time-scale X] [--rounds N] [--timeout SECONDS]
//
// Prints one JSON line: per phase the sign-up latency in real wall time, from each sign-up's
// scheduled arrival to its completion (p50, p90, p99, max, count), the 429s the emulator
// answered, the client's own counters (requests, retries, 429s seen, bulk batches) and the
// requests the emulator received by class (bulk users, bulk role assignments, bulk tenants, single
// user writes, single role assignments, lookups, other) and by route; and for the burst its time,
// the ideal time (below) and its rate as a fraction of the ideal's; and the targets with whether
// each was met. Targets are reported, not asserted: the program fails (exit 1) only when a
// sign-up fails, the run outlasts --timeout (default 900 s), or the emulator does not hold every
// user and role assignment afterwards.
//
// The emulator: `permit::testing::emulator` in this process, on a thread of its own, seeded with
// --seed (default benchmarks/seed.json) and with the rate limits that
// `permit-emulator --rate-limits '{"enabled":true,"time_scale":60}'` enforces (the same JSON,
// read by the same `rate_limits_from_json`, with --time-scale in place of 60): Permit's documented
// classes ("Rate Limiting" in https://docs.permit.io/api/api-with-cli: 1,000 requests a minute in
// all, 300 writes a minute, 60 deletes a minute, 100 bulk requests in 10 minutes), each window
// divided by the time scale; a refused request gets 429 with Retry-After and uses no quota. In this
// process rather than as a separate `permit-emulator`, so that its per-route counters and the
// arrival time of every request (its request log) can be read by phase; the client reaches it
// over HTTP on 127.0.0.1 as it would reach the separate process.
//
// The client: `permit::config::rate_limits` with mode `on`, and each class's window divided by the
// same time scale (1,000 a second in all, 300 writes a second, 60 deletes a second, 100 bulk
// requests in 10 s at 60); everything else the library's defaults (`bulk_options`: 3,000 users and
// 2,000 role assignments per bulk request, 4 in flight, 50 ms linger).
//
// The ideal time of the burst: the fastest a perfect client could finish it, which is the larger
// of two bounds.
//   - Limits-bound: a perfect client sends the burst's N users in ceil(N / 3,000)
//     `PUT /bulk/users` calls and their N role assignments in ceil(N / 2,000)
//     `POST /role_assignments/bulk` calls (the largest calls the docs allow:
//     https://docs.permit.io/how-to/bulk-operations, "Bulk limits"; the role and the tenant
//     exist, so it needs nothing else). Each call is a request, a write and a bulk request. The
//     bound is the earliest moment, from the burst's start, at which the last of those calls can
//     be admitted, sending each as early as every window allows, given the budget left when the
//     burst starts: the requests the emulator admitted in each class's window before the burst
//     (from its request log; the trickle before the burst uses some). Also reported: the same
//     bound with the whole budget (no request before the burst).
//   - Machine-bound: the same burst (N sign-ups at once, with the role) by the same client with
//     pacing off against a fresh emulator of the same seed without rate limits, measured in the
//     same run: the fastest of such bursts, each against an emulator of its own. No perfect
//     client finishes faster on this machine than the library does with no limits to respect.
// The ideal is max(limits-bound, machine-bound), not their sum: a perfect client does the
// machine's work while it waits for the windows. The burst's rate as a fraction of the ideal is
// the ideal time divided by the burst's time; it is not capped at 1, so a figure above 1 shows
// how much the machine-bound time varies from run to run.
//
// Rounds (--rounds, default 3), after one unmeasured burst that warms the process: each round is
// a machine-bound burst, then the whole pattern against a fresh emulator with the limits, so that
// both meet the same moments of the machine.
// A burst of 50,000 lasts well under a second, and on a shared machine its time varies by a
// fifth either way; so the burst is compared like for like: the fastest of the rounds' bursts
// under the limits against the fastest of their machine-bound bursts. The phases reported in
// full are those of the round with the fastest burst; the trickle targets are held to the
// slowest trickle of every round, and the 429s are those of every round.
//
// Targets: trickle p50 <= 60 ms and p99 <= 250 ms, before and after the burst; the burst at >= 95%
// of the ideal; no 429 from the emulator in any round.
#include <permit/permit.hpp>
#include <permit/testing/config_json.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

constexpr const char* api_key = "permit_key_emulator";
constexpr const char* role = "viewer";
constexpr const char* tenant = "acme";
// The documented largest bulk calls (https://docs.permit.io/how-to/bulk-operations).
constexpr std::uint64_t users_per_bulk_call = 3000;
constexpr std::uint64_t assignments_per_bulk_call = 2000;

struct options {
    std::string seed = "benchmarks/seed.json";
    std::uint64_t burst = 50000;
    double trickle_rate = 3;      // sign-ups a second
    double trickle_seconds = 10;  // each trickle
    double time_scale = 60;
    int rounds = 3;  // each a machine-bound burst and the pattern
    double timeout_seconds = 900;
};

/// `<prefix><n>`, appended (g++ 12 at -O3 warns falsely on `"x" + std::to_string(n)`, GCC bug
/// 105329).
std::string numbered(std::string_view prefix, std::uint64_t n) {
    std::string out(prefix);
    out += std::to_string(n);
    return out;
}

permit::user_create sign_up_user(const std::string& key, std::uint64_t n) {
    permit::user_create user;
    user.key = key;
    user.email = numbered("user", n) + "@example.com";
    user.first_name = numbered("First", n);
    user.last_name = numbered("Last", n);
    permit::user_role_create assignment;
    assignment.role = role;
    assignment.tenant = tenant;
    user.role_assignments.push_back(std::move(assignment));
    return user;
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

double seconds_between(steady::time_point from, steady::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

/// The q-quantile of `sorted` by nearest rank; 0 when empty.
double quantile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(q * double(sorted.size())));
    return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// ---- one phase of sign-ups ------------------------------------------------------------------

struct phase {
    std::string name;
    std::string key_prefix;
    std::uint64_t expected = 0;  // sign-ups it will have
    std::uint64_t done = 0;
    std::vector<double> latencies_ms;
    steady::time_point started, last_completed;
    permit::client_stats client_before, client_after;
    permit::bulk_stats bulk_before, bulk_after;
    double cpu_before = 0, cpu_after = 0;  // the client's thread
    std::unique_ptr<asio::steady_timer> all_done;
};

struct run_state {
    std::string error;  // the first failure
};

asio::awaitable<void> sign_up(permit::client& permit, run_state& run, phase& p, std::uint64_t n,
                              steady::time_point arrival) {
    const auto key = numbered(p.key_prefix, n);
    permit::diagnostics diag;
    auto [ec] = co_await permit.bulk.sync_user(sign_up_user(key, n), diag,
                                               asio::as_tuple(asio::use_awaitable));
    const auto now = steady::now();
    if (ec && run.error.empty()) run.error = p.name + ": sign-up " + key + ": " + diag.to_string();
    p.latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - arrival).count());
    p.last_completed = std::max(p.last_completed, now);
    if (++p.done == p.expected) p.all_done->cancel();
}

void begin(permit::client& permit, phase& p, std::uint64_t expected) {
    p.expected = expected;
    p.started = steady::now();
    p.last_completed = p.started;
    p.client_before = permit.stats();
    p.bulk_before = permit.bulk.stats();
    p.cpu_before = thread_cpu_seconds();
    p.all_done =
        std::make_unique<asio::steady_timer>(permit.get_executor(), steady::time_point::max());
}

asio::awaitable<void> finish(permit::client& permit, phase& p) {
    while (p.done < p.expected)
        co_await p.all_done->async_wait(asio::as_tuple(asio::use_awaitable));
    p.client_after = permit.stats();
    p.bulk_after = permit.bulk.stats();
    p.cpu_after = thread_cpu_seconds();
}

/// `count` sign-ups, one every 1/rate seconds from now, each timed from its scheduled arrival.
asio::awaitable<void> trickle(permit::client& permit, run_state& run, phase& p, double rate,
                              double seconds) {
    const auto count = static_cast<std::uint64_t>(std::llround(rate * seconds));
    begin(permit, p, count);
    asio::steady_timer timer(permit.get_executor());
    for (std::uint64_t n = 0; n < count; ++n) {
        const auto arrival = p.started + std::chrono::duration_cast<steady::duration>(
                                             std::chrono::duration<double>(double(n) / rate));
        timer.expires_at(arrival);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        asio::co_spawn(permit.get_executor(), sign_up(permit, run, p, n, arrival), asio::detached);
    }
    co_await finish(permit, p);
}

/// `count` sign-ups arriving at once.
asio::awaitable<void> burst(permit::client& permit, run_state& run, phase& p, std::uint64_t count) {
    begin(permit, p, count);
    for (std::uint64_t n = 0; n < count; ++n)
        asio::co_spawn(permit.get_executor(), sign_up(permit, run, p, n, p.started),
                       asio::detached);
    co_await finish(permit, p);
}

// ---- the emulator -----------------------------------------------------------------------------

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

permit::testing::emulator_config emulator_config(const options& opt, bool limited) {
    permit::testing::emulator_config cfg;
    cfg.initial_state = json::parse(read_file(opt.seed));
    json::object limits{{"enabled", limited}, {"time_scale", opt.time_scale}};
    cfg.rate_limits = permit::testing::rate_limits_from_json(limits);
    cfg.request_log_capacity = 4'000'000;  // every request of the run, without bodies
    return cfg;
}

/// The client's pacing: Permit's documented classes, each window divided by `time_scale`.
permit::rate_limit_options client_limits(double time_scale) {
    permit::rate_limit_options limits;
    limits.mode = permit::rate_limit_options::mode_type::on;
    auto scaled = [&](permit::rate_limit& l) {
        l.window = std::chrono::milliseconds(std::llround(double(l.window.count()) / time_scale));
    };
    scaled(limits.all);
    scaled(limits.writes);
    scaled(limits.deletes);
    scaled(limits.bulk);
    return limits;
}

/// Checks that the emulator holds the seed's users and role assignments plus `added` of each.
void expect_held(const permit::testing::emulator& emu, std::size_t users_before,
                 std::size_t assignments_before, std::uint64_t added, std::string_view what) {
    const auto users = emu.user_count(), assignments = emu.role_assignment_count();
    if (users != users_before + added || assignments != assignments_before + added) {
        std::ostringstream msg;
        msg << what << ": the emulator holds " << users << " users and " << assignments
            << " role assignments, expected " << users_before + added << " and "
            << assignments_before + added;
        throw std::runtime_error(msg.str());
    }
}

/// Runs `body` on a fresh io_context with a client of `cfg`, stopping it at `timeout`.
template <class Body>
void run_client(const permit::config& cfg, double timeout_seconds, run_state& run, Body body) {
    asio::io_context ioc(1);
    permit::client permit(ioc.get_executor(), cfg);
    asio::steady_timer watchdog(ioc);
    watchdog.expires_after(std::chrono::duration_cast<steady::duration>(
        std::chrono::duration<double>(timeout_seconds)));
    bool finished = false;
    watchdog.async_wait([&](boost::system::error_code ec) {
        if (ec || finished) return;
        if (run.error.empty()) run.error = "the run outlasted --timeout";
        ioc.stop();
    });
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            co_await body(permit);
            finished = true;
            // Tokens come back a window after their requests; nothing else is waiting for them.
            ioc.stop();
        },
        asio::detached);
    ioc.run();
    if (!finished && run.error.empty()) run.error = "the run stopped before its end";
}

// ---- the ideal ------------------------------------------------------------------------------

/// One class of the documented limits: at most `limit` admissions in any window.
struct window_class {
    std::uint32_t limit;
    steady::duration window;
    std::deque<steady::time_point> admitted;  // ascending

    /// The earliest moment at or after `t` when one more admission fits.
    steady::time_point earliest(steady::time_point t) const {
        // Admissions still in the window at t: those with a + window > t.
        const auto first_in = std::upper_bound(admitted.begin(), admitted.end(), t - window);
        const auto in_window = static_cast<std::size_t>(admitted.end() - first_in);
        if (in_window < limit) return t;
        // The admission whose leaving makes room.
        return *(admitted.end() - static_cast<std::ptrdiff_t>(limit)) + window;
    }
};

bool is_write(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

/// Bulk routes have a `bulk` path segment (as the emulator's limiter classes them).
bool is_bulk(std::string_view target) {
    const auto path = target.substr(0, target.find('?'));
    for (auto pos = path.find("/bulk"); pos != std::string_view::npos;
         pos = path.find("/bulk", pos + 1)) {
        const auto end = pos + 5;
        if (end == path.size() || path[end] == '/') return true;
    }
    return false;
}

struct limits_bound {
    double seconds = 0;
    std::uint64_t calls = 0;
    // What was left of each class when the burst started.
    std::int64_t all_left = 0, writes_left = 0, bulk_left = 0;
};

/// The limits-bound time of `burst_users` sign-ups from `start`, given the requests the emulator
/// admitted before it (`history`: the limited requests, with their arrival times).
limits_bound limits_bound_of(const permit::testing::rate_limit_config& cfg,
                             const std::vector<permit::testing::request_record>& history,
                             steady::time_point start, std::uint64_t burst_users) {
    auto scaled = [&](std::chrono::minutes w) {
        return std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(
            double(std::chrono::seconds(w).count()) / cfg.time_scale));
    };
    window_class all{cfg.all_per_minute, scaled(std::chrono::minutes(1)), {}};
    window_class writes{cfg.writes_per_minute, scaled(std::chrono::minutes(1)), {}};
    window_class bulk{cfg.bulk_per_10_minutes, scaled(std::chrono::minutes(10)), {}};
    for (const auto& r : history) {
        if (r.received_at >= start || r.status == 429 || !r.target.starts_with("/v2/")) continue;
        all.admitted.push_back(r.received_at);
        if (is_write(r.method)) writes.admitted.push_back(r.received_at);
        if (is_bulk(r.target)) bulk.admitted.push_back(r.received_at);
    }
    for (auto* c : {&all, &writes, &bulk}) std::sort(c->admitted.begin(), c->admitted.end());
    limits_bound out;
    auto left = [&](const window_class& c) {
        const auto first_in =
            std::upper_bound(c.admitted.begin(), c.admitted.end(), start - c.window);
        return std::int64_t(c.limit) - std::int64_t(c.admitted.end() - first_in);
    };
    out.all_left = left(all);
    out.writes_left = left(writes);
    out.bulk_left = left(bulk);

    out.calls = (burst_users + users_per_bulk_call - 1) / users_per_bulk_call +
                (burst_users + assignments_per_bulk_call - 1) / assignments_per_bulk_call;
    auto t = start;
    for (std::uint64_t call = 0; call < out.calls; ++call) {
        for (;;) {
            const auto next = std::max({all.earliest(t), writes.earliest(t), bulk.earliest(t)});
            if (next == t) break;
            t = next;
        }
        for (auto* c : {&all, &writes, &bulk}) c->admitted.push_back(t);
    }
    out.seconds = seconds_between(start, t);
    return out;
}

// ---- figures --------------------------------------------------------------------------------

/// The class of a request, by the emulator's route template.
std::string class_of(const permit::testing::request_record& r) {
    const std::string_view route = r.route;
    if (route.ends_with("/bulk/users")) return "bulk_users";
    if (route.ends_with("/role_assignments/bulk")) return "bulk_assignments";
    if (route.ends_with("/bulk/tenants")) return "bulk_tenants";
    if (r.method == "GET" || r.method == "HEAD") return "lookups";
    if (route.ends_with("/users") || route.ends_with("/users/{user_id}")) return "single_users";
    if (route.ends_with("/role_assignments") || route.ends_with("/users/{user_id}/roles"))
        return "single_assignments";
    return "other";
}

json::object phase_figures(const phase& p, const std::vector<permit::testing::request_record>& log,
                           steady::time_point from, steady::time_point to) {
    auto sorted = p.latencies_ms;
    std::sort(sorted.begin(), sorted.end());
    json::object requests{{"total", 0},        {"bulk_users", 0},   {"bulk_assignments", 0},
                          {"bulk_tenants", 0}, {"single_users", 0}, {"single_assignments", 0},
                          {"lookups", 0},      {"other", 0}};
    std::map<std::string, std::uint64_t> routes;
    std::uint64_t refused = 0;
    for (const auto& r : log) {
        if (r.received_at < from || r.received_at >= to) continue;
        requests["total"] = requests["total"].as_int64() + 1;
        auto& slot = requests[class_of(r)];
        slot = slot.as_int64() + 1;
        ++routes[r.route];
        if (r.status == 429) ++refused;
    }
    json::object by_route;
    for (const auto& [route, n] : routes) by_route[route] = n;
    const auto& cb = p.client_before;
    const auto& ca = p.client_after;
    const auto& bb = p.bulk_before;
    const auto& ba = p.bulk_after;
    json::object client{{"requests", ca.requests - cb.requests},
                        {"retries", ca.retries - cb.retries},
                        {"rate_limited", ca.rate_limited - cb.rate_limited},
                        {"user_batches", ba.user_batches - bb.user_batches},
                        {"assignment_batches", ba.assignment_batches - bb.assignment_batches},
                        {"tenant_batches", ba.tenant_batches - bb.tenant_batches},
                        {"cpu_s", p.cpu_after - p.cpu_before}};
    return json::object{{"phase", p.name},
                        {"sign_ups", p.latencies_ms.size()},
                        {"seconds", seconds_between(p.started, p.last_completed)},
                        {"p50_ms", quantile(sorted, 0.50)},
                        {"p90_ms", quantile(sorted, 0.90)},
                        {"p99_ms", quantile(sorted, 0.99)},
                        {"max_ms", sorted.empty() ? 0.0 : sorted.back()},
                        {"rate_limited", refused},
                        {"requests", std::move(requests)},
                        {"client", std::move(client)},
                        {"routes", std::move(by_route)}};
}

/// The machine-bound burst: the burst with no limits on either side, against a fresh emulator of
/// the same seed; its seconds.
double machine_bound_burst(const options& opt) {
    permit::testing::emulator emu(emulator_config(opt, false));
    const auto users = emu.user_count(), assignments = emu.role_assignment_count();
    permit::config cfg{.api_key = api_key, .api_url = emu.url(), .pdp_url = emu.pdp_url()};
    cfg.rate_limits.mode = permit::rate_limit_options::mode_type::off;
    run_state run;
    phase p{.name = "machine-bound burst", .key_prefix = "machine-"};
    run_client(cfg, opt.timeout_seconds, run,
               [&](permit::client& permit) { return burst(permit, run, p, opt.burst); });
    if (!run.error.empty()) throw std::runtime_error(run.error);
    expect_held(emu, users, assignments, opt.burst, "machine-bound burst");
    return seconds_between(p.started, p.last_completed);
}

/// One run of the pattern under the limits, as its figures.
struct pattern_outcome {
    json::array phases;  // phase_figures of the trickle before, the burst, the trickle after
    double burst_seconds = 0;
    limits_bound bound, full_budget;
    std::uint64_t signed_up = 0, rate_limited = 0, requests = 0;
};

/// The trickle pattern: a trickle, the burst and the trickle again, against a fresh emulator with
/// the limits, by a client pacing itself by them.
pattern_outcome run_pattern(const options& opt) {
    permit::testing::emulator emu(emulator_config(opt, true));
    const auto users = emu.user_count(), assignments = emu.role_assignment_count();
    permit::config cfg{.api_key = api_key, .api_url = emu.url(), .pdp_url = emu.pdp_url()};
    cfg.rate_limits = client_limits(opt.time_scale);
    run_state run;
    phase before{.name = "trickle before", .key_prefix = "before-"};
    phase during{.name = "burst", .key_prefix = "burst-"};
    phase after{.name = "trickle after", .key_prefix = "after-"};
    run_client(cfg, opt.timeout_seconds, run, [&](permit::client& permit) {
        return [](permit::client& permit, run_state& run, phase& before, phase& during,
                  phase& after, const options& opt) -> asio::awaitable<void> {
            co_await trickle(permit, run, before, opt.trickle_rate, opt.trickle_seconds);
            co_await burst(permit, run, during, opt.burst);
            co_await trickle(permit, run, after, opt.trickle_rate, opt.trickle_seconds);
        }(permit, run, before, during, after, opt);
    });
    if (!run.error.empty()) throw std::runtime_error(run.error);
    pattern_outcome out;
    out.signed_up = before.expected + during.expected + after.expected;
    expect_held(emu, users, assignments, out.signed_up, "the pattern under the limits");

    const auto stats = emu.stats();
    const auto log = emu.request_log();
    if (log.size() != stats.requests)
        throw std::runtime_error("the emulator's request log holds " + std::to_string(log.size()) +
                                 " of " + std::to_string(stats.requests) + " requests");
    out.bound = limits_bound_of(emu.config().rate_limits, log, during.started, opt.burst);
    out.full_budget = limits_bound_of(emu.config().rate_limits, {}, during.started, opt.burst);
    out.burst_seconds = seconds_between(during.started, during.last_completed);
    out.phases.push_back(phase_figures(before, log, steady::time_point::min(), during.started));
    out.phases.push_back(phase_figures(during, log, during.started, after.started));
    out.phases.push_back(phase_figures(after, log, after.started, steady::time_point::max()));
    out.rate_limited = stats.rate_limited;
    out.requests = stats.requests;
    return out;
}

/// The slowest trickle latencies over every run of the pattern: what the targets are held to.
struct worst_trickles {
    double before_p50 = 0, before_p99 = 0, after_p50 = 0, after_p99 = 0;

    void add(const json::array& phases) {
        auto at = [&](std::size_t i, const char* name) {
            return phases.at(i).as_object().at(name).to_number<double>();
        };
        before_p50 = std::max(before_p50, at(0, "p50_ms"));
        before_p99 = std::max(before_p99, at(0, "p99_ms"));
        after_p50 = std::max(after_p50, at(2, "p50_ms"));
        after_p99 = std::max(after_p99, at(2, "p99_ms"));
    }
};

options parse_options(int argc, char** argv) {
    options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
        const std::string value = argv[++i];
        if (arg == "--seed")
            opt.seed = value;
        else if (arg == "--burst")
            opt.burst = std::stoull(value);
        else if (arg == "--trickle-rate")
            opt.trickle_rate = std::stod(value);
        else if (arg == "--trickle-seconds")
            opt.trickle_seconds = std::stod(value);
        else if (arg == "--time-scale")
            opt.time_scale = std::stod(value);
        else if (arg == "--rounds")
            opt.rounds = std::stoi(value);
        else if (arg == "--timeout")
            opt.timeout_seconds = std::stod(value);
        else
            throw std::invalid_argument("unknown argument " + std::string(arg));
    }
    if (opt.burst == 0 || opt.trickle_rate <= 0 || opt.trickle_seconds <= 0 ||
        opt.time_scale <= 0 || opt.rounds < 1 || opt.timeout_seconds <= 0)
        throw std::invalid_argument("every figure must be positive");
    return opt;
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    try {
        opt = parse_options(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bench-real-limits: " << e.what()
                  << "\nusage: bench-real-limits [--seed FILE] [--burst N] [--trickle-rate R] "
                     "[--trickle-seconds S] [--time-scale X] [--rounds N] "
                     "[--timeout SECONDS]\n";
        return 2;
    }
    try {
        // Rounds of a machine-bound burst and the pattern, each against an emulator of its own:
        // the two meet the same moments of the machine, and both bursts are the fastest of as
        // many runs (a single burst against the fastest of three would be biased against it).
        json::array machine_runs, pattern_runs;
        double machine_seconds = 0;
        std::optional<pattern_outcome> fastest;
        worst_trickles worst;
        std::uint64_t rate_limited = 0;
        // A first burst warms the process (its heap, the emulator's code): not measured, so that
        // the first round's bursts start as warm as the others'.
        machine_bound_burst(opt);
        for (int i = 0; i < opt.rounds; ++i) {
            const double machine = machine_bound_burst(opt);
            machine_runs.push_back(machine);
            machine_seconds = i == 0 ? machine : std::min(machine_seconds, machine);
            auto pattern = run_pattern(opt);
            pattern_runs.push_back(pattern.burst_seconds);
            worst.add(pattern.phases);
            rate_limited += pattern.rate_limited;
            if (!fastest || pattern.burst_seconds < fastest->burst_seconds)
                fastest = std::move(pattern);
        }
        const auto& bound = fastest->bound;
        const double burst_seconds = fastest->burst_seconds;
        const double ideal = std::max(bound.seconds, machine_seconds);
        const double fraction = ideal / burst_seconds;

        constexpr double target_p50_ms = 60, target_p99_ms = 250, target_fraction = 0.95;
        json::object met{
            {"trickle_before_p50", worst.before_p50 <= target_p50_ms},
            {"trickle_before_p99", worst.before_p99 <= target_p99_ms},
            {"trickle_after_p50", worst.after_p50 <= target_p50_ms},
            {"trickle_after_p99", worst.after_p99 <= target_p99_ms},
            {"burst_fraction_of_ideal", fraction >= target_fraction},
            {"no_rate_limited", rate_limited == 0},
        };
        json::object out{
            {"time_scale", opt.time_scale},
            {"trickle_rate", opt.trickle_rate},
            {"trickle_seconds", opt.trickle_seconds},
            {"burst_users", opt.burst},
            {"rounds", opt.rounds},
            {"sign_ups", fastest->signed_up},
            {"phases", std::move(fastest->phases)},
            {"trickles_worst", json::object{{"before_p50_ms", worst.before_p50},
                                            {"before_p99_ms", worst.before_p99},
                                            {"after_p50_ms", worst.after_p50},
                                            {"after_p99_ms", worst.after_p99}}},
            {"burst", json::object{{"seconds", burst_seconds},
                                   {"users_per_second", double(opt.burst) / burst_seconds},
                                   {"runs_s", std::move(pattern_runs)},
                                   {"machine_bound_s", machine_seconds},
                                   {"machine_bound_runs_s", std::move(machine_runs)},
                                   {"limits_bound_s", bound.seconds},
                                   {"limits_bound_full_budget_s", fastest->full_budget.seconds},
                                   {"ideal_s", ideal},
                                   {"fraction_of_ideal", fraction},
                                   {"ideal_bulk_calls", bound.calls},
                                   {"budget_left", json::object{{"all", bound.all_left},
                                                                {"writes", bound.writes_left},
                                                                {"bulk", bound.bulk_left}}}}},
            {"rate_limited", rate_limited},
            {"requests", fastest->requests},
            {"targets", json::object{{"trickle_p50_ms", target_p50_ms},
                                     {"trickle_p99_ms", target_p99_ms},
                                     {"burst_fraction_of_ideal", target_fraction},
                                     {"rate_limited", 0}}},
            {"met", std::move(met)},
        };
        std::cout << json::serialize(out) << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "bench-real-limits: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
