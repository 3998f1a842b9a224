// Drives one test coroutine on an io_context to its end, under a time limit.
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "support/slowdown.hpp"

namespace permit_test {

/// Runs `body` on `ioc` until it ends, and rethrows what it threw (a failed BOOST_TEST_REQUIRE
/// included). A body still running after `limit` (times `slowdown` under a sanitizer) fails the
/// test.
inline void run_to_end(boost::asio::io_context& ioc, boost::asio::awaitable<void> body,
                       std::chrono::milliseconds limit) {
    struct outcome {
        bool done = false;
        std::exception_ptr error;
    };
    auto result = std::make_shared<outcome>();
    boost::asio::co_spawn(ioc, std::move(body), [result](std::exception_ptr e) {
        result->done = true;
        result->error = std::move(e);
    });
    ioc.restart();
    const auto deadline = std::chrono::steady_clock::now() + limit * slowdown;
    while (!result->done && !ioc.stopped() && std::chrono::steady_clock::now() < deadline)
        ioc.run_one_until(deadline);
    if (!result->done)
        BOOST_FAIL("the test coroutine did not finish within "
                   << limit.count() << " ms" << (ioc.stopped() ? " (it waits on nothing)" : ""));
    if (result->error) std::rethrow_exception(result->error);
}

}  // namespace permit_test
