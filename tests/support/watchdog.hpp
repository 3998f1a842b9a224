// A guard that stops an emulator when a test runs too long: the test client's blocking reads
// wait until the server answers or closes, so a server that never answers would otherwise hang
// the whole suite. Stopping it makes the read fail, and so the test.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <permit/testing/emulator.hpp>

#include "support/slowdown.hpp"

namespace permit_test {

using permit::testing::emulator;

/// Stops the emulator when a test outlives `limit` (times `slowdown` under a sanitizer). The test
/// client's reads block until the server answers or closes, so a server that never answers would
/// otherwise hang the suite; this way the read fails, and so does the test.
class watchdog {
  public:
    watchdog(emulator& emu, std::chrono::seconds limit)
        : thread_([this, &emu, limit] {
            std::unique_lock lock(mutex_);
            if (cv_.wait_for(lock, limit * slowdown, [this] { return done_; })) return;
            fired_ = true;
            lock.unlock();
            emu.stop();
        }) {}
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;
    ~watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    bool fired() const {
        std::lock_guard lock(mutex_);
        return fired_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    bool fired_ = false;
    std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace permit_test
