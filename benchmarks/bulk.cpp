// The bulk pipeline against a running emulator. Prints one JSON object: users, seconds, users/s,
// HTTP requests sent, and the peak RSS of this process.
//
//   bench-bulk URL stream USERS [--prefix P]    sync USERS generated users through a window of
//                                                  open calls, as a file sync would, each caller
//                                                  a coroutine awaiting bulk.sync_user in a loop
//   bench-bulk URL stream-handlers USERS [...]   the same window of open calls, called as
//                                                  permit-bulk-sync calls the pipeline: each
//                                                  with a completion handler that starts the next
//   bench-bulk URL burst USERS [--prefix P] [--role ROLE --tenant TENANT]
//                                                  USERS sign-ups at once, each a bulk.sync_user
//                                                  call with its own completion handler (a
//                                                  server's request handler that answers when
//                                                  called back), optionally each with a role in a
//                                                  tenant
//   bench-bulk URL burst-coroutines USERS [...]    the same, each sign-up its own coroutine
//                                                  awaiting bulk.sync_user: the caller's frames
//                                                  (co_spawn's, the coroutine's, use_awaitable's)
//                                                  add about 1 KB per sign-up to the pipeline's
//                                                  own cost
//
// Users get keys `P-<n>` (P defaults to "bulk"), an email and both names, the shape the Node SDK
// run sends with bulkUserReplace. Every call must succeed (the first error stops the run); the
// runner then checks that the emulator holds exactly USERS more users.
#include <permit/permit.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <string>
#include <string_view>

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

namespace {

struct run_state {
    std::string prefix = "bulk";
    std::string role;    // empty: users only
    std::string tenant;  // with role
    std::uint64_t users = 0;
    std::uint64_t next = 0;       // next user index to hand out (stream)
    std::uint64_t completed = 0;  // acknowledged calls
    std::string error;
};

/// `parts` joined, in one allocation at most.
std::string joined(std::initializer_list<std::string_view> parts) {
    std::size_t size = 0;
    for (auto p : parts) size += p.size();
    std::string out;
    out.reserve(size);
    for (auto p : parts) out += p;
    return out;
}

permit::user_create generated_user(const run_state& run, std::uint64_t n) {
    // Each field built in place: the generator's own cost is not the client's.
    char digits[24];
    const std::string_view i(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
    permit::user_create user{.key = joined({run.prefix, "-", i}),
                             .email = joined({"user", i, "@example.com"}),
                             .first_name = joined({"First", i}),
                             .last_name = joined({"Last", i})};
    if (!run.role.empty())
        user.role_assignments.push_back({.role = run.role, .tenant = run.tenant});
    return user;
}

/// Counts the call of user `n` as completed, keeping the first failure, told by `diag` when
/// the call had diagnostics.
void count_outcome(run_state& run, std::uint64_t n, boost::system::error_code ec,
                   const permit::diagnostics* diag = nullptr) {
    if (ec && run.error.empty())
        run.error = generated_user(run, n).key + ": " + (diag ? diag->to_string() : ec.message());
    ++run.completed;
}

/// A sign-up of the burst that keeps nothing but its index while it waits: the user is built in
/// the call and handed over.
asio::awaitable<void> sign_up(permit::client& permit, run_state& run, std::uint64_t n) {
    auto [ec] =
        co_await permit.bulk.sync_user(generated_user(run, n), asio::as_tuple(asio::use_awaitable));
    count_outcome(run, n, ec);
}

/// Starts the sync of the next user, whose handler starts the one after: one of a window of open
/// calls, each with a completion handler, as permit-bulk-sync calls the pipeline.
void stream_call(permit::client& permit, run_state& run) {
    if (run.next >= run.users || !run.error.empty()) return;
    const auto n = run.next++;
    permit.bulk.sync_user(generated_user(run, n), [&permit, &run, n](boost::system::error_code ec) {
        count_outcome(run, n, ec);
        stream_call(permit, run);
    });
}

/// One of a window of callers, each a coroutine: their frames (co_spawn's, the loop's with its
/// diagnostics, use_awaitable's) are the caller's own cost.
asio::awaitable<void> stream_worker(permit::client& permit, run_state& run) {
    permit::diagnostics diag;
    while (run.next < run.users && run.error.empty()) {
        const auto n = run.next++;
        auto [ec] = co_await permit.bulk.sync_user(generated_user(run, n), diag,
                                                   asio::as_tuple(asio::use_awaitable));
        count_outcome(run, n, ec, &diag);
    }
}

long peak_rss_kb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: bench-bulk URL stream|stream-handlers|burst|burst-coroutines USERS "
                     "[--prefix P] "
                     "[--role ROLE --tenant TENANT]\n";
        return 2;
    }
    const std::string url = argv[1];
    const std::string mode = argv[2];
    run_state run;
    run.users = std::strtoull(argv[3], nullptr, 10);
    for (int i = 4; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) {
            std::cerr << "bench-bulk: " << arg << " needs a value\n";
            return 2;
        }
        if (arg == "--prefix")
            run.prefix = argv[++i];
        else if (arg == "--role")
            run.role = argv[++i];
        else if (arg == "--tenant")
            run.tenant = argv[++i];
        else {
            std::cerr << "bench-bulk: unknown argument " << arg << '\n';
            return 2;
        }
    }
    if ((mode != "stream" && mode != "stream-handlers" && mode != "burst" &&
         mode != "burst-coroutines") ||
        run.users == 0 || run.role.empty() != run.tenant.empty()) {
        std::cerr << "bench-bulk: expected stream|stream-handlers|burst|burst-coroutines, "
                     "USERS > 0, and --role with --tenant\n";
        return 2;
    }

    asio::io_context ioc(1);
    // The library's defaults: batches of 3,000 users, 4 in flight, 12,000 calls admitted.
    const permit::config cfg{.api_key = "permit_key_emulator", .api_url = url, .pdp_url = url};
    permit::client permit(ioc.get_executor(), cfg);
    const auto started = steady::now();
    // A file sync keeps the pipeline's `max_pending` calls open, not one per line.
    const auto window = cfg.bulk.max_pending;
    if (mode == "stream") {
        for (std::size_t i = 0; i < window; ++i)
            asio::co_spawn(ioc, stream_worker(permit, run), asio::detached);
    } else if (mode == "stream-handlers") {
        for (std::size_t i = 0; i < window; ++i) stream_call(permit, run);
    } else if (mode == "burst") {
        for (std::uint64_t n = 0; n < run.users; ++n) {
            permit.bulk.sync_user(generated_user(run, n), [&run, n](boost::system::error_code ec) {
                count_outcome(run, n, ec);
            });
        }
    } else {
        for (std::uint64_t n = 0; n < run.users; ++n)
            asio::co_spawn(ioc, sign_up(permit, run, n), asio::detached);
    }
    ioc.run();
    const double seconds = std::chrono::duration<double>(steady::now() - started).count();

    if (!run.error.empty()) {
        std::cerr << "bench-bulk: " << run.error << '\n';
        return 1;
    }
    if (run.completed != run.users) {
        std::cerr << "bench-bulk: " << run.completed << " of " << run.users << " calls completed\n";
        return 1;
    }
    const auto stats = permit.stats();
    boost::json::object out{
        {"mode", mode},
        {"users", run.users},
        {"with_role", !run.role.empty()},
        {"seconds", seconds},
        {"users_per_second", double(run.users) / seconds},
        {"requests", stats.requests},
        {"retries", stats.retries},
        {"max_rss_kb", peak_rss_kb()},
    };
    std::cout << boost::json::serialize(out) << '\n';
    return 0;
}
