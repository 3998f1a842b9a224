// A local Permit.io: the REST API and the PDP on 127.0.0.1, in memory, with fault injection and
// rate limits. Include it in a test, construct it, point a client at `url()`.
//
// Header-only by default. A test suite with many translation units can compile the server once:
// define PERMIT_SEPARATE_COMPILATION everywhere and include <permit/testing/src.hpp> in one
// translation unit.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>

#include <permit/detail/decl.hpp>
#include <permit/testing/emulator_config.hpp>
#include <permit/testing/emulator_stats.hpp>

/// \namespace permit::testing
/// The local Permit emulator, for tests and examples: `emulator`, its configuration, its counters,
/// and the JSON forms of its fault rules and rate limits.
namespace permit::testing {

namespace detail {
class server;
}

/// An emulator that serves on its own thread from construction until destruction.
///
/// Thread safety: every member function may be called from any thread while the emulator serves.
class emulator {
  public:
    /// Binds `config.host:config.port`, loads `config.initial_state`, and starts serving.
    /// Throws `boost::system::system_error` if the address cannot be bound, and
    /// `std::invalid_argument` if the initial state or the TLS material is invalid.
    PERMIT_DECL explicit emulator(emulator_config config = {});

    /// Not copyable.
    emulator(const emulator&) = delete;
    /// Not copyable.
    emulator& operator=(const emulator&) = delete;

    /// Stops serving: closes the listener and every connection, then joins the thread.
    PERMIT_DECL ~emulator();

    /// Stops serving (idempotent). The state stays readable.
    PERMIT_DECL void stop();

    /// The REST API's port (the one picked when the config said 0).
    PERMIT_DECL std::uint16_t port() const;

    /// The REST API's origin: `http://127.0.0.1:PORT`, or `https://...` when serving TLS. The
    /// PDP's routes are served here too unless `emulator_config::pdp_port` gives the PDP a port
    /// of its own.
    PERMIT_DECL std::string url() const;

    /// The PDP's port: its own listener's, or `port()` when it shares the API's.
    PERMIT_DECL std::uint16_t pdp_port() const;

    /// The PDP's origin, for `config::pdp_url`: its own listener's, or `url()` when it shares the
    /// API's port. HTTPS when the emulator serves TLS.
    PERMIT_DECL std::string pdp_url() const;

    /// The OPA endpoint's port; 0 when `emulator_config::opa_port` is unset.
    PERMIT_DECL std::uint16_t opa_port() const;

    /// The OPA endpoint's origin (plain `http://`, as in the PDP container); empty when
    /// `emulator_config::opa_port` is unset.
    PERMIT_DECL std::string opa_url() const;

    /// The configuration it was made with, as given: `port` may be 0 (see `port()`), and
    /// `set_faults` and `set_rate_limits` leave it unchanged.
    PERMIT_DECL const emulator_config& config() const;

    /// A copy of the counters.
    PERMIT_DECL emulator_stats stats() const;

    /// Zeroes the counters and clears the request log.
    PERMIT_DECL void reset_stats();

    /// The last `request_log_capacity` requests, oldest first.
    PERMIT_DECL std::vector<request_record> request_log() const;

    /// Replaces the fault rules; requests already read keep the decision they got.
    PERMIT_DECL void set_faults(std::vector<fault_rule> rules);

    /// Replaces the rate-limit settings and starts every window afresh.
    PERMIT_DECL void set_rate_limits(const rate_limit_config& limits);

    /// The whole state as JSON, in the API's Read schemas:
    /// `{"users":[UserRead], "tenants":[TenantRead], "role_assignments":[RoleAssignmentRead],
    ///   "roles":[RoleRead], "resources":[ResourceRead],
    ///   "resource_instances":[ResourceInstanceRead],
    ///   "relationship_tuples":[RelationshipTupleRead]}`.
    PERMIT_DECL boost::json::value snapshot() const;

    /// How many users it holds.
    PERMIT_DECL std::size_t user_count() const;
    /// How many tenants it holds.
    PERMIT_DECL std::size_t tenant_count() const;
    /// How many role assignments it holds.
    PERMIT_DECL std::size_t role_assignment_count() const;

  private:
    boost::asio::io_context ioc_{1};
    std::shared_ptr<detail::server> server_;
    std::future<void> stopped_;
    std::thread thread_;
};

}  // namespace permit::testing

#ifndef PERMIT_SEPARATE_COMPILATION
#include <permit/testing/impl/emulator.ipp>
#endif
