// A local Permit.io: the REST API and the PDP on 127.0.0.1, in memory, with fault injection and
// rate limits. Include it in a test, construct it, point a client at `url()`.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include <permit/testing/detail/server.hpp>
#include <permit/testing/emulator_config.hpp>
#include <permit/testing/emulator_stats.hpp>

namespace permit::testing {

/// An emulator that serves on its own thread from construction until destruction.
///
/// Thread safety: every member function may be called from any thread while the emulator serves.
class emulator {
  public:
    /// Binds `config.host:config.port`, loads `config.initial_state`, and starts serving.
    /// Throws `boost::system::system_error` if the address cannot be bound, and
    /// `std::invalid_argument` if the initial state or the TLS material is invalid.
    explicit emulator(emulator_config config = {})
        : server_(std::make_shared<detail::server>(ioc_.get_executor(), std::move(config))) {
        std::promise<void> done;
        stopped_ = done.get_future();
        server_->start();
        thread_ = std::thread([this, done = std::move(done)]() mutable {
            ioc_.run();
            done.set_value();
        });
    }

    emulator(const emulator&) = delete;
    emulator& operator=(const emulator&) = delete;

    /// Stops serving: closes the listener and every connection, then joins the thread.
    ~emulator() { stop(); }

    /// Stops serving (idempotent). The state stays readable.
    void stop() {
        if (!thread_.joinable()) return;
        server_->stop();
        // Closing every socket ends every coroutine; should one still wait on a timer, stop anyway.
        if (stopped_.wait_for(std::chrono::seconds(5)) == std::future_status::timeout) ioc_.stop();
        thread_.join();
    }

    /// The port it listens on (the one picked when the config said 0).
    std::uint16_t port() const { return server_->port(); }

    /// `http://127.0.0.1:PORT`, or `https://...` when serving TLS. Both the REST API and the PDP
    /// routes are served at this origin.
    std::string url() const { return server_->url(); }

    const emulator_config& config() const { return server_->config(); }

    /// A copy of the counters.
    emulator_stats stats() const { return server_->stats(); }

    /// Zeroes the counters and clears the request log.
    void reset_stats() { server_->reset_stats(); }

    /// The last `request_log_capacity` requests, oldest first.
    std::vector<request_record> request_log() const { return server_->request_log(); }

    /// Replaces the fault rules; requests already read keep the decision they got.
    void set_faults(std::vector<fault_rule> rules) { server_->set_faults(std::move(rules)); }

    /// Replaces the rate-limit settings and starts every window afresh.
    void set_rate_limits(const rate_limit_config& limits) { server_->set_rate_limits(limits); }

    /// The whole state as JSON, in the API's Read schemas:
    /// `{"users":[UserRead], "tenants":[TenantRead], "role_assignments":[RoleAssignmentRead],
    ///   "roles":[RoleRead], "resources":[ResourceRead]}`.
    boost::json::value snapshot() const { return server_->snapshot(); }

    std::size_t user_count() const { return server_->counts().users; }
    std::size_t tenant_count() const { return server_->counts().tenants; }
    std::size_t role_assignment_count() const { return server_->counts().role_assignments; }

  private:
    boost::asio::io_context ioc_{1};
    std::shared_ptr<detail::server> server_;
    std::future<void> stopped_;
    std::thread thread_;
};

}  // namespace permit::testing
