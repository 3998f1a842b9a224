// What a new TLS connection costs the client, with and without session resumption
// (`tls_options::resume_sessions`): a pool of C connections to an https:// emulator goes idle past
// its idle timeout, then C concurrent calls reopen it, ROUNDS times.
//
// The client CPU of a reopening round (C calls, each on a new connection) less that of a round of
// C calls on the connections it just opened is what the C new connections cost: resolving,
// connecting, and the TLS handshake. The client's own counters (`client::stats()`) say how many of
// the handshakes ran in full and how many resumed. CPU is the process's (getrusage), the sleeps
// between rounds excluded.
//
//   bench-tls-connect --url https://127.0.0.1:PORT --ca CA.pem --mode full|resumed
//                     [--connections C] [--rounds N]
//
// Prints one JSON object: {"mode":"resumed","connections":16,"rounds":N,
//  "client_cpu_us_per_new_connection":X,"client_cpu_us_per_request":Y,
//  "full_handshakes_per_reopen":F,"resumed_handshakes_per_reopen":R}.
#include <permit/permit.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct bench_options {
    std::string url;
    std::string ca_file;
    bool resume = true;
    unsigned connections = 16;
    unsigned rounds = 50;
};

/// The process's CPU time so far (user + system), in microseconds.
double cpu_us() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto us = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e6 + t.tv_usec; };
    return us(u.ru_utime) + us(u.ru_stime);
}

/// Runs `n` concurrent reads of one user to the end; throws on the first failure.
void concurrent_reads(asio::io_context& ioc, permit::client& client, unsigned n) {
    unsigned done = 0;
    boost::system::error_code failure;
    for (unsigned i = 0; i < n; ++i)
        client.users.get("tls-bench", [&](boost::system::error_code ec, permit::user) {
            ++done;
            if (ec && !failure) failure = ec;
        });
    ioc.restart();
    while (done < n && ioc.run_one() > 0) {
    }
    if (failure) throw std::runtime_error("a call failed: " + failure.message());
    if (done < n) throw std::runtime_error("the calls did not complete");
}

/// Lets the pool's connections pass their idle timeout (no CPU of the client's).
void idle(asio::io_context& ioc, std::chrono::milliseconds d) {
    asio::steady_timer pause(ioc, d);
    pause.async_wait([](boost::system::error_code) {});
    ioc.restart();
    ioc.run();
}

boost::json::object measure(const bench_options& o) {
    asio::io_context ioc(1);
    permit::config cfg;
    cfg.api_key = "permit_key_emulator";
    cfg.api_url = cfg.pdp_url = o.url;
    cfg.project_id = "default";
    cfg.environment_id = "production";
    cfg.tls = {.use_system_store = false, .ca_file = o.ca_file, .resume_sessions = o.resume};
    cfg.api_max_connections = o.connections;
    cfg.idle_timeout = 100ms;
    cfg.rate_limits.mode = permit::rate_limit_options::mode_type::off;
    permit::client client(ioc.get_executor(), cfg);

    // The user the rounds read, and a first opening of the pool (full handshakes in both modes).
    bool created = false;
    const permit::user_create who{.key = "tls-bench"};
    client.users.sync(who, [&](boost::system::error_code ec, permit::user_sync_result) {
        if (ec) throw std::runtime_error("could not create the user: " + ec.message());
        created = true;
    });
    ioc.run();
    if (!created) throw std::runtime_error("could not create the user");
    concurrent_reads(ioc, client, o.connections);

    const auto before = client.stats();
    double reopening = 0, warm = 0;
    for (unsigned r = 0; r < o.rounds; ++r) {
        idle(ioc, 150ms);
        const double t0 = cpu_us();
        concurrent_reads(ioc, client, o.connections);  // each on a new connection
        const double t1 = cpu_us();
        concurrent_reads(ioc, client, o.connections);  // on the connections just opened
        const double t2 = cpu_us();
        reopening += t1 - t0;
        warm += t2 - t1;
    }
    const auto after = client.stats();
    const double opened = static_cast<double>(after.connections - before.connections);
    const double reopens = o.rounds;
    if (opened < reopens * o.connections)
        throw std::runtime_error("the pool reopened " + std::to_string(opened) +
                                 " connections, fewer than the calls of the rounds: the "
                                 "figures would not be those of new connections");
    return {{"mode", o.resume ? "resumed" : "full"},
            {"connections", o.connections},
            {"rounds", o.rounds},
            {"client_cpu_us_per_new_connection", (reopening - warm) / opened},
            {"client_cpu_us_per_request", warm / (reopens * o.connections)},
            {"full_handshakes_per_reopen",
             static_cast<double>(after.tls_full_handshakes - before.tls_full_handshakes) / reopens},
            {"resumed_handshakes_per_reopen",
             static_cast<double>(after.tls_resumed_handshakes - before.tls_resumed_handshakes) /
                 reopens}};
}

bench_options parse(int argc, char** argv) {
    bench_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "--url")
            o.url = value();
        else if (arg == "--ca")
            o.ca_file = value();
        else if (arg == "--mode") {
            const auto mode = value();
            if (mode != "full" && mode != "resumed")
                throw std::invalid_argument("--mode is full or resumed");
            o.resume = mode == "resumed";
        } else if (arg == "--connections")
            o.connections = static_cast<unsigned>(std::stoul(value()));
        else if (arg == "--rounds")
            o.rounds = static_cast<unsigned>(std::stoul(value()));
        else
            throw std::invalid_argument("unknown option " + std::string(arg));
    }
    if (o.url.empty() || o.ca_file.empty())
        throw std::invalid_argument("--url and --ca are needed");
    if (o.connections == 0 || o.rounds == 0)
        throw std::invalid_argument("--connections and --rounds must be positive");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::cout << boost::json::serialize(measure(parse(argc, argv))) << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "bench-tls-connect: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
