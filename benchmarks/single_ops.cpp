// Single operations against a running emulator: `users.sync` (PUT), `users.create` (POST) or
// `check`, from C coroutines for D seconds, on C connections. Prints one JSON object: operations/s,
// p50 and p99 latency, and the client's CPU time per operation (user + sys of this process over
// the measured window / operations).
//
//   bench-single-ops URL sync|create|check CONCURRENCY SECONDS [--prefix P] [--pipelining]
//                    [--coalesce] [--connections N] [--taking-turns]
//
// `--coalesce` turns on `config::coalesce_checks` (checks that find every connection busy go out
// together in `POST /allowed/bulk` requests); `--connections N` caps the connections of each
// origin at N (default: CONCURRENCY, one per worker, as wrk and the Node SDK's agent have, with
// which a check always finds its worker's connection free and coalescing has nothing to do).
//
// `--taking-turns` (check only, concurrency 1): two clients on one connection each, one with
// coalesced checks and one without, and one worker that calls them in turn, so that both kinds of
// check meet the same moments of the machine. The operations, their rate and their CPU time are
// both kinds'; the latencies are the coalesced checks', with the plain checks' under "plain".
//
// Users get keys `P-<worker>-<n>` (P defaults to "bench"), so that each run adds exactly one new
// user per counted operation and the runner can check the emulator against the count. Every
// operation is checked (an error, or a check that is not allowed, stops the run), so that a fast
// wrong answer cannot count. `check` asks whether `bench-user` may `read` a `document`, which the
// runner's seed allows.
#include <permit/permit.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct run_state {
    std::string operation;
    std::string prefix = "bench";
    steady::time_point deadline;
    std::vector<double> latencies_us;  // of every completed operation
    std::uint64_t next_key = 0;
    std::string error;
};

std::string key_of(const run_state& run, int worker, std::uint64_t n) {
    return run.prefix + "-" + std::to_string(worker) + "-" + std::to_string(n);
}

/// Whether a check answered as the runner's seed says it must (allowed), keeping its failure in
/// `run.error` otherwise.
bool check_passed(run_state& run, boost::system::error_code ec, bool allowed,
                  const permit::diagnostics& diag) {
    if (ec)
        run.error = diag.to_string();
    else if (!allowed)
        run.error = "check: bench-user was denied reading a document";
    return run.error.empty();
}

double microseconds_since(steady::time_point started) {
    return std::chrono::duration<double, std::micro>(steady::now() - started).count();
}

asio::awaitable<void> worker(permit::client& permit, run_state& run, int id) {
    while (steady::now() < run.deadline && run.error.empty()) {
        const auto n = run.next_key++;
        const auto started = steady::now();
        permit::diagnostics diag;
        boost::system::error_code ec;
        if (run.operation == "sync") {
            permit::user_create who{.key = key_of(run, id, n),
                                    .email = "bench" + std::to_string(n) + "@example.com"};
            auto [e, result] =
                co_await permit.users.sync(who, diag, asio::as_tuple(asio::use_awaitable));
            ec = e;
        } else if (run.operation == "create") {
            permit::user_create who{.key = key_of(run, id, n),
                                    .email = "bench" + std::to_string(n) + "@example.com"};
            auto [e, result] =
                co_await permit.users.create(who, diag, asio::as_tuple(asio::use_awaitable));
            ec = e;
        } else {
            auto [e, allowed] = co_await permit.check("bench-user", "read", "document", diag,
                                                      asio::as_tuple(asio::use_awaitable));
            if (!check_passed(run, e, allowed, diag)) break;
        }
        if (ec) {
            run.error = diag.to_string();
            break;
        }
        run.latencies_us.push_back(microseconds_since(started));
    }
}

/// `--taking-turns`: checks through each client in turn, as `worker` makes them, the coalescing
/// client's latencies in `run.latencies_us`, the plain one's in `plain_us`.
asio::awaitable<void> turns_worker(permit::client& coalescing, permit::client& plain,
                                   run_state& run, std::vector<double>& plain_us) {
    for (std::uint64_t turn = 0; steady::now() < run.deadline; ++turn) {
        auto& client = turn % 2 ? plain : coalescing;
        auto& latencies_us = turn % 2 ? plain_us : run.latencies_us;
        const auto started = steady::now();
        permit::diagnostics diag;
        auto [ec, allowed] = co_await client.check("bench-user", "read", "document", diag,
                                                   asio::as_tuple(asio::use_awaitable));
        if (!check_passed(run, ec, allowed, diag)) co_return;
        latencies_us.push_back(microseconds_since(started));
    }
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    const auto at = static_cast<std::size_t>(p * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
    return v[at];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: bench-single-ops URL sync|create|check CONCURRENCY SECONDS "
                     "[--prefix P] [--pipelining] [--coalesce] [--connections N] "
                     "[--taking-turns]\n";
        return 2;
    }
    const std::string url = argv[1];
    run_state run{.operation = argv[2]};
    const int concurrency = std::atoi(argv[3]);
    const double seconds = std::atof(argv[4]);
    bool pipelining = false;
    bool coalesce = false;
    bool taking_turns = false;
    int connections = 0;
    for (int i = 5; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--pipelining")
            pipelining = true;
        else if (arg == "--coalesce")
            coalesce = true;
        else if (arg == "--taking-turns")
            taking_turns = coalesce = true;
        else if (arg == "--connections" && i + 1 < argc)
            connections = std::atoi(argv[++i]);
        else if (arg == "--prefix" && i + 1 < argc)
            run.prefix = argv[++i];
        else {
            std::cerr << "bench-single-ops: unknown argument " << arg << '\n';
            return 2;
        }
    }
    if (concurrency < 1 || seconds <= 0) {
        std::cerr << "bench-single-ops: CONCURRENCY and SECONDS must be positive\n";
        return 2;
    }
    if (taking_turns && (run.operation != "check" || concurrency != 1 || pipelining)) {
        std::cerr << "bench-single-ops: --taking-turns is for checks at concurrency 1\n";
        return 2;
    }
    if (connections == 0) connections = concurrency;
    if (connections < 1) {
        std::cerr << "bench-single-ops: --connections must be positive\n";
        return 2;
    }

    asio::io_context ioc(1);
    permit::config cfg{.api_key = "permit_key_emulator", .api_url = url, .pdp_url = url};
    // By default one connection per worker, as wrk and the Node SDK's agent have.
    cfg.api_max_connections = static_cast<std::size_t>(connections);
    cfg.pdp_max_connections = cfg.api_max_connections;
    cfg.api_pipelining.enabled = pipelining;
    cfg.pdp_pipelining.enabled = pipelining;
    cfg.coalesce_checks.enabled = coalesce;
    permit::client permit(ioc.get_executor(), cfg);
    // --taking-turns: the same configuration without coalescing.
    std::optional<permit::client> plain;
    std::vector<double> plain_us;
    if (taking_turns) {
        cfg.coalesce_checks.enabled = false;
        plain.emplace(ioc.get_executor(), cfg);
    }

    const double cpu_before = cpu_seconds();
    const auto started = steady::now();
    run.deadline = started + std::chrono::duration_cast<steady::duration>(
                                 std::chrono::duration<double>(seconds));
    if (taking_turns)
        asio::co_spawn(ioc, turns_worker(permit, *plain, run, plain_us), asio::detached);
    else
        for (int i = 0; i < concurrency; ++i)
            asio::co_spawn(ioc, worker(permit, run, i), asio::detached);
    ioc.run();
    const double elapsed = std::chrono::duration<double>(steady::now() - started).count();
    const double cpu = cpu_seconds() - cpu_before;

    if (!run.error.empty()) {
        std::cerr << "bench-single-ops: " << run.error << '\n';
        return 1;
    }
    // --taking-turns: the operations, and what they cost, are both kinds of check.
    const auto ops = run.latencies_us.size() + plain_us.size();
    boost::json::object out{
        {"operation", run.operation},
        {"concurrency", concurrency},
        {"pipelining", pipelining},
        {"coalesce", coalesce},
        {"connections", connections},
        {"requests", permit.stats().requests + (plain ? plain->stats().requests : 0)},
        {"operations", ops},
        {"ops_per_second", double(ops) / elapsed},
        {"p50_us", percentile(run.latencies_us, 0.50)},
        {"p99_us", percentile(run.latencies_us, 0.99)},
        {"cpu_us_per_op", ops ? cpu * 1e6 / double(ops) : 0.0},
    };
    if (taking_turns)
        out["plain"] = {{"operations", plain_us.size()},
                        {"p50_us", percentile(plain_us, 0.50)},
                        {"p99_us", percentile(plain_us, 0.99)}};
    std::cout << boost::json::serialize(out) << '\n';
    return 0;
}
