// The plumbing of permit-cpp's sides of the wire comparisons with the official Node SDK
// (wire_rebac.cpp, wire_abac.cpp, wire_admin.cpp; see wire.sh): the list of labelled calls, the
// marker before each, the run that reports the calls that fail, and the program's exit status.
// Each side keeps only its own calls and clients.
//
// Before each call a side sends `GET /wire-call/<label>` (a path the emulator does not serve, so
// it changes nothing): the marker that tells wire_compare.js which requests belong to which call.
// A call that fails is reported and the next one made; the exit status is then 1.
#pragma once

#include <permit/detail/encoding.hpp>
#include <permit/permit.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace wire {

namespace asio = boost::asio;

/// The calls of a comparison, in order, each under the label both sides give it. A call is a
/// coroutine function of `Args&...` (the comparison's clients, and what later calls take from
/// earlier replies).
template <class... Args>
class call_list {
  public:
    using step = std::function<asio::awaitable<void>(Args&...)>;

    /// Appends the call `s` under `label`.
    void add(std::string label, step s) { items_.emplace_back(std::move(label), std::move(s)); }

    const std::vector<std::pair<std::string, step>>& items() const { return items_; }

  private:
    std::vector<std::pair<std::string, step>> items_;
};

/// The API URL, the program's one argument; exits with status 2 and the usage otherwise.
inline std::string api_url(int argc, char** argv, std::string_view program) {
    if (argc != 2) {
        std::cerr << "usage: " << program << " API_URL\n";
        std::exit(2);
    }
    return argv[1];
}

/// The configuration of a client of the emulator at `url` with the API key `key`.
inline permit::config config(std::string url, std::string key) {
    permit::config cfg;
    cfg.api_key = std::move(key);
    cfg.api_url = std::move(url);
    return cfg;
}

namespace detail {

// Makes every call after its marker, sent through `marked`; returns how many failed.
template <class... Args>
asio::awaitable<int> make_calls(std::string_view program, permit::client& marked,
                                const call_list<Args...>& calls, Args&... args) {
    int failed = 0;
    for (const auto& [label, call] : calls.items()) {
        // The label as one path segment: every byte but the unreserved ones percent-encoded
        // (wire_compare.js decodes it). The emulator answers the marker 404: an error here,
        // and expected.
        const permit::raw_request marker{.target =
                                             "/wire-call/" + permit::detail::percent_encode(label)};
        co_await marked.request(marker, asio::as_tuple(asio::use_awaitable));
        try {
            co_await call(args...);
        } catch (const std::exception& e) {
            // The library's errors never hold a key or a secret.
            ++failed;
            std::cerr << program << ": " << label << " failed: " << e.what() << "\n";
        }
    }
    std::cout << program << ": " << calls.items().size() << " calls, " << failed << " failed"
              << std::endl;
    co_return failed;
}

}  // namespace detail

/// Runs `calls` on `ioc` with `args`, each after its marker sent through `marked`, reporting
/// each call that fails as `PROGRAM: LABEL failed: ...` and then the count; returns the
/// program's exit status: 0 when every call succeeded, 1 otherwise.
template <class... Args>
int run(asio::io_context& ioc, std::string_view program, permit::client& marked,
        const call_list<Args...>& calls, std::type_identity_t<Args>&... args) {
    int failed = -1;
    asio::co_spawn(ioc, detail::make_calls<Args...>(program, marked, calls, args...),
                   [&](std::exception_ptr e, int n) {
                       if (e) {
                           try {
                               std::rethrow_exception(e);
                           } catch (const std::exception& x) {
                               std::cerr << program << ": " << x.what() << "\n";
                           }
                       }
                       failed = e ? -1 : n;
                   });
    ioc.run();
    return failed == 0 ? 0 : 1;
}

}  // namespace wire
