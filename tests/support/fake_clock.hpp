// A clock for the sans-io parts that take their clock as a template parameter (the retry budget,
// the retry decision, the rate limiter's state): the tests pass every time point explicitly, so
// the clock is never read.
#pragma once

#include <chrono>
#include <cstdint>
#include <ratio>

namespace permit_test {

struct fake_clock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<fake_clock>;
    static constexpr bool is_steady = true;
    static time_point now() noexcept { return time_point{}; }
};

}  // namespace permit_test
