// Definitions of permit::testing::emulator (inline when header-only; compiled once by
// <permit/testing/src.hpp> with PERMIT_SEPARATE_COMPILATION).
#pragma once

#include <permit/testing/detail/server.hpp>
#include <permit/testing/emulator.hpp>

namespace permit::testing {

PERMIT_DECL emulator::emulator(emulator_config config)
    : server_(std::make_shared<detail::server>(ioc_.get_executor(), std::move(config))) {
    std::promise<void> done;
    stopped_ = done.get_future();
    server_->start();
    thread_ = std::thread([this, done = std::move(done)]() mutable {
        ioc_.run();
        done.set_value();
    });
}

PERMIT_DECL emulator::~emulator() {
    stop();
}

PERMIT_DECL void emulator::stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    // Closing every socket ends every coroutine; should one still wait on a timer, stop anyway.
    if (stopped_.wait_for(std::chrono::seconds(5)) == std::future_status::timeout) ioc_.stop();
    thread_.join();
}

PERMIT_DECL std::uint16_t emulator::port() const {
    return server_->port();
}
PERMIT_DECL std::string emulator::url() const {
    return server_->url();
}
PERMIT_DECL std::uint16_t emulator::pdp_port() const {
    return server_->port(detail::listener_role::pdp);
}
PERMIT_DECL std::string emulator::pdp_url() const {
    return server_->url(detail::listener_role::pdp);
}
PERMIT_DECL std::uint16_t emulator::opa_port() const {
    return server_->port(detail::listener_role::opa);
}
PERMIT_DECL std::string emulator::opa_url() const {
    return server_->url(detail::listener_role::opa);
}
PERMIT_DECL const emulator_config& emulator::config() const {
    return server_->config();
}
PERMIT_DECL emulator_stats emulator::stats() const {
    return server_->stats();
}
PERMIT_DECL void emulator::reset_stats() {
    server_->reset_stats();
}
PERMIT_DECL std::vector<request_record> emulator::request_log() const {
    return server_->request_log();
}
PERMIT_DECL void emulator::set_faults(std::vector<fault_rule> rules) {
    server_->set_faults(std::move(rules));
}
PERMIT_DECL void emulator::set_rate_limits(const rate_limit_config& limits) {
    server_->set_rate_limits(limits);
}
PERMIT_DECL boost::json::value emulator::snapshot() const {
    return server_->snapshot();
}
PERMIT_DECL std::size_t emulator::user_count() const {
    return server_->counts().users;
}
PERMIT_DECL std::size_t emulator::tenant_count() const {
    return server_->counts().tenants;
}
PERMIT_DECL std::size_t emulator::role_assignment_count() const {
    return server_->counts().role_assignments;
}

}  // namespace permit::testing
