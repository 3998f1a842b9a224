// What the benchmarks of the emulator's decisions (rebac_decisions.cpp, abac_decisions.cpp) share:
// this process's memory and threads, the CPU clock of an emulator's thread, the cases taking
// turns in rounds, the timing of one decision over HTTP, and the figures of a case.
//
// The measuring, as each benchmark's header comment describes it: the emulators run in this
// process, each on a thread of its own; a decision over HTTP costs the CPU time of the emulator's
// thread from before the request is sent until the thread waits for the next one; through the
// sans-io router, the CPU time of `router::handle` on this thread. The cases take turns: R rounds,
// each running C checks of every case, starting from a different case each round, after C
// uncounted checks of every case.
#pragma once

#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <dirent.h>
#include <malloc.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace decision_bench {

namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

/// The emulator's default API key, which every benchmark's client uses.
inline constexpr const char* api_key = "permit_key_emulator";

/// `<prefix><n>`. (Appended rather than `"f" + std::to_string(n)`, on which g++ 12 at -O3 warns
/// falsely, GCC bug 105329.)
inline std::string numbered(std::string_view prefix, std::int64_t n) {
    std::string out(prefix);
    out += std::to_string(n);
    return out;
}

// ---- this process ---------------------------------------------------------------------------

/// A field of /proc/self/status, in kB.
inline long status_kb(std::string_view field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.compare(0, field.size(), field) == 0 && line.size() > field.size() &&
            line[field.size()] == ':')
            return std::atol(line.c_str() + field.size() + 1);
    throw std::runtime_error("no " + std::string(field) + " in /proc/self/status");
}

/// This process's resident memory, in MB, once the allocator has returned what it can.
inline double rss_mb() {
    malloc_trim(0);
    return double(status_kb("VmRSS")) / 1024;
}

/// The peak of this process's resident memory (VmHWM), in MB.
inline double peak_rss_mb() {
    return double(status_kb("VmHWM")) / 1024;
}

inline std::set<pid_t> threads() {
    std::set<pid_t> out;
    DIR* dir = opendir("/proc/self/task");
    if (!dir) throw std::runtime_error("cannot list /proc/self/task");
    while (const dirent* e = readdir(dir))
        if (e->d_name[0] != '.') out.insert(static_cast<pid_t>(std::atol(e->d_name)));
    closedir(dir);
    return out;
}

/// The CPU-time clock of thread `tid` of this process, as glibc's pthread_getcpuclockid makes it
/// from a thread id (Linux's MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)); for a thread whose
/// pthread_t this program does not have.
inline clockid_t thread_clock(pid_t tid) {
    return static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 6u);
}

inline double clock_us(clockid_t clock) {
    timespec ts{};
    if (clock_gettime(clock, &ts) != 0) throw std::runtime_error("clock_gettime failed");
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

/// Runs thread `tid` (0: the calling thread) on `cpu` only; false when it cannot.
inline bool pin(pid_t tid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(tid, sizeof set, &set) == 0;
}

/// The CPUs this process may run on.
inline std::vector<int> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> out;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
    return out;
}

/// The scheduler state of thread `tid` ('R' running, 'S' sleeping, ...): the field after the
/// command in /proc/self/task/<tid>/stat.
inline char thread_state(pid_t tid) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    return close == std::string::npos || close + 2 >= text.size() ? '?' : text[close + 2];
}

/// Waits until an emulator's thread sleeps: it then waits for the next request, the previous
/// one's work (writing the answer, reading again) done.
inline void wait_idle(pid_t tid) {
    const auto deadline = steady::now() + std::chrono::seconds(1);
    while (thread_state(tid) != 'S') {
        sched_yield();  // the emulator's thread may be waiting for this CPU
        if (steady::now() > deadline) throw std::runtime_error("an emulator's thread stays busy");
    }
}

// ---- emulators on their threads -------------------------------------------------------------

/// An emulator and its thread's CPU clock.
struct served {
    std::unique_ptr<permit::testing::emulator> emulator;
    pid_t tid = 0;
    clockid_t clock{};
};

/// Starts an emulator with `seed` as its initial state, and finds its thread.
inline served start(json::object seed) {
    permit::testing::emulator_config config;
    config.initial_state = std::move(seed);
    const auto before = threads();
    served s{std::make_unique<permit::testing::emulator>(std::move(config))};
    std::vector<pid_t> started;
    for (const auto tid : threads())
        if (!before.count(tid)) started.push_back(tid);
    if (started.size() != 1)
        throw std::runtime_error("expected the emulator to start one thread, it started " +
                                 std::to_string(started.size()));
    s.tid = started.front();
    s.clock = thread_clock(s.tid);
    clock_us(s.clock);  // throws if the clock cannot be read
    return s;
}

inline permit::config client_config(const served& s) {
    return {.api_key = api_key, .api_url = s.emulator->url(), .pdp_url = s.emulator->url()};
}

/// Both emulators on one CPU, so that they run alike: whether the scheduler puts an emulator's
/// thread on the client's CPU or on another changes its CPU time per request by up to two times
/// (the request's and the answer's bytes cross between the CPUs' caches). The client (this
/// thread) is on the same CPU, or with `apart` on another.
inline void pin_for_decisions(const served& reference, const served& loaded, bool apart) {
    if (const auto cpus = allowed_cpus(); cpus.size() >= 2) {
        const int emulators = cpus.back();
        if (!pin(reference.tid, emulators) || !pin(loaded.tid, emulators) ||
            !pin(0, apart ? cpus.front() : emulators))
            throw std::runtime_error("cannot set the threads' CPUs");
    }
}

inline permit::raw_request count_request(std::string_view collection) {
    return {.target = "/v2/facts/{proj_id}/{env_id}/" + std::string(collection) +
                      "?per_page=1&include_total_count=true"};
}

/// The `total_count` of a facts collection that lists with `include_total_count`.
inline asio::awaitable<std::int64_t> count_of(permit::client& permit, std::string_view collection) {
    const auto r = co_await permit.request(count_request(collection));
    co_return r.body.at("total_count").to_number<std::int64_t>();
}

/// One decision over HTTP: `ask()` (an awaitable of the answer, which throws on failure) timed
/// on the emulator's thread from before the request is sent until the thread waits again.
struct timed_answer {
    bool allowed = false;
    double cpu_us = 0;    // the emulator's thread
    double round_us = 0;  // the round trip seen by the client
};

template <class Ask>
asio::awaitable<timed_answer> timed_decision(const served& s, Ask ask) {
    wait_idle(s.tid);
    const double before = clock_us(s.clock);
    const auto sent = steady::now();
    const bool allowed = co_await ask();
    const auto answered = steady::now();
    wait_idle(s.tid);
    const double after = clock_us(s.clock);
    co_return timed_answer{allowed, after - before,
                           std::chrono::duration<double, std::micro>(answered - sent).count()};
}

/// The `allow` of an answer of `POST /allowed`.
inline bool allowed_in(const json::value& body) {
    const auto* allow = body.is_object() ? body.get_object().if_contains("allow") : nullptr;
    if (!allow || !allow->is_bool()) throw std::runtime_error("/allowed answered no decision");
    return allow->get_bool();
}

// ---- the cases ------------------------------------------------------------------------------

/// A case: its checks, taken in turn, and the figures of its counted decisions.
template <class Item>
struct decision_case {
    std::string name;
    bool on_reference = false;
    std::vector<Item> items;  // taken in turn
    std::size_t next = 0;
    std::vector<double> cpu_us;    // the emulator's CPU time of each counted decision
    std::vector<double> round_us;  // the round trip seen by the client (http only)

    /// The next check, in turn.
    const Item& take() { return items[next++ % items.size()]; }
};

/// Runs every case's `checks` uncounted checks, then the rounds; `one(c, item, counted)` decides
/// one check.
template <class Case, class One>
void run_rounds(std::vector<Case>& cases, int rounds, int checks, One&& one) {
    auto run = [&](Case& c, bool counted) {
        for (int i = 0; i < checks; ++i) one(c, c.take(), counted);
    };
    for (auto& c : cases) run(c, false);
    for (int r = 0; r < rounds; ++r)
        for (std::size_t k = 0; k < cases.size(); ++k)
            run(cases[(k + static_cast<std::size_t>(r)) % cases.size()], true);
}

/// As `run_rounds`, in a coroutine: `one(c, item, counted)` returns an awaitable.
template <class Case, class One>
asio::awaitable<void> run_rounds_async(std::vector<Case>& cases, int rounds, int checks, One one) {
    for (auto& c : cases)
        for (int i = 0; i < checks; ++i) co_await one(c, c.take(), false);
    for (int r = 0; r < rounds; ++r)
        for (std::size_t k = 0; k < cases.size(); ++k) {
            auto& c = cases[(k + static_cast<std::size_t>(r)) % cases.size()];
            for (int i = 0; i < checks; ++i) co_await one(c, c.take(), true);
        }
}

inline double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    const auto at = static_cast<std::size_t>(p * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
    return v[at];
}

inline double mean(const std::vector<double>& v) {
    double sum = 0;
    for (const double x : v) sum += x;
    return v.empty() ? 0 : sum / double(v.size());
}

/// Adds a case's figures to `out`: its CPU time per decision (p50, p99, mean) and the ratios of
/// its p50 and p99 to the reference's.
template <class Case>
void add_cpu_figures(json::object& out, const Case& c, const Case& reference) {
    const double p50 = percentile(c.cpu_us, 0.50), p99 = percentile(c.cpu_us, 0.99);
    const double ref50 = percentile(reference.cpu_us, 0.50);
    const double ref99 = percentile(reference.cpu_us, 0.99);
    out["cpu_p50_us"] = p50;
    out["cpu_p99_us"] = p99;
    out["cpu_mean_us"] = mean(c.cpu_us);
    out["p50_vs_reference"] = ref50 > 0 ? p50 / ref50 : 0.0;
    out["p99_vs_reference"] = ref99 > 0 ? p99 / ref99 : 0.0;
}

/// Adds the client's round trip (http only).
template <class Case>
void add_round_trip(json::object& out, const Case& c) {
    if (c.round_us.empty()) return;
    out["round_trip_p50_us"] = percentile(c.round_us, 0.50);
    out["round_trip_p99_us"] = percentile(c.round_us, 0.99);
}

}  // namespace decision_bench
