// permit-emulator: a local Permit.io (REST API + PDP) on 127.0.0.1 for tests, demos and
// benchmarks. See docs/emulator.md.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <permit/testing/config_json.hpp>
#include <permit/testing/emulator.hpp>

namespace {

constexpr std::string_view usage = R"(usage: permit-emulator [options]

  --host ADDR          address to listen on (default 127.0.0.1)
  --port N             the REST API's port; 0 picks a free one (default 0)
  --pdp-port N         give the PDP a port of its own, as Permit runs it (0: a free one); its
                       routes, with the facts proxy at /facts/... and /v2/facts/..., then answer
                       there only. Default: the PDP shares the API's port
  --opa-port N         serve OPA's decision endpoint (/v1/data/permit/root and /bulk) on this
                       port (0: a free one), for SDKs configured to ask OPA directly
  --api-key KEY        the environment's API key (default: permit_key_emulator)
  --project-api-key KEY
                       also accept KEY as a project-level key: its scope names no
                       environment, and it reaches the environment's routes by their path
  --org-api-key KEY    also accept KEY as an organization-level key
  --tls-key FILE       ...and this PEM private key
  --seed FILE          initial state: {"resources":[...],"roles":[...],"tenants":[...],
                       "users":[...],"resource_instances":[...],
                       "relationship_tuples":[...],"role_assignments":[...]}, and more
                       "projects":[...] and "environments":[...] of the organization
  --faults JSON|FILE   fault rules, e.g. '[{"path":"/v2/**","kind":"http_503","rate":0.1}]'
  --rate-limits JSON|FILE
                       enforce the documented rate limits, e.g. '{"time_scale":60}'
  --random-seed N      seed for faults and generated ids (default 1)
  --pdp-propagation-delay MS
                       the PDP's decisions see a write only MS milliseconds after it is
                       applied (default 0)
  --pdp-facts-wait-timeout MS
                       how long a write through the PDP's /facts proxy waits for the PDP
                       without X-Wait-Timeout (default 10000; negative: no limit)
  --pdp-facts-timeout-policy ignore|fail
                       what it answers when that runs out without X-Timeout-Policy (default
                       ignore)
  --pdp JSON|FILE      the three above as JSON, e.g. '{"pdp_propagation_delay_ms":300}'
  --request-log FILE   keep every request's body, and write the request log to FILE when it
                       stops, one JSON object a line: {"connection":1,"method":"POST",
                       "target":"/v2/...?a=b","route":"POST /v2/...","status":200,"body":"...",
                       "received_ms":1234.5} (and "fault" when one was injected); received_ms:
                       when the request was complete, in milliseconds since the emulator started
  --exit-after SECONDS stop by itself after this long
  --help               this text

Prints "listening on http://HOST:PORT" (the REST API) as its first line once it accepts
connections, then "pdp listening on URL" and "opa listening on URL" for the listeners of their
own; stops on SIGINT or SIGTERM.
)";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// Writes `log` to `path`, one JSON object a line (see `--request-log` in the usage); `started`
/// is the time `received_ms` counts from.
void write_request_log(const std::string& path,
                       const std::vector<permit::testing::request_record>& log,
                       std::chrono::steady_clock::time_point started) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& r : log) {
        boost::json::object line{{"connection", r.connection}, {"method", r.method},
                                 {"target", r.target},         {"route", r.route},
                                 {"status", r.status},         {"body", r.body}};
        line["received_ms"] =
            std::chrono::duration<double, std::milli>(r.received_at - started).count();
        if (r.fault) line["fault"] = permit::testing::to_string(*r.fault);
        out << boost::json::serialize(line) << '\n';
    }
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

/// Inline JSON when it looks like JSON, a file name otherwise.
boost::json::value json_argument(const std::string& arg) {
    const auto first = arg.find_first_not_of(" \t\n");
    const bool inline_json = first != std::string::npos && (arg[first] == '{' || arg[first] == '[');
    return boost::json::parse(inline_json ? arg : read_file(arg));
}

}  // namespace

int main(int argc, char** argv) {
    permit::testing::emulator_config config;
    int exit_after = 0;
    std::string request_log;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string_view opt = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc) throw std::invalid_argument(std::string(opt) + " needs a value");
                return argv[++i];
            };
            if (opt == "--help" || opt == "-h") {
                std::cout << usage;
                return 0;
            } else if (opt == "--host")
                config.host = value();
            else if (opt == "--port")
                config.port = static_cast<std::uint16_t>(std::stoul(value()));
            else if (opt == "--pdp-port")
                config.pdp_port = static_cast<std::uint16_t>(std::stoul(value()));
            else if (opt == "--opa-port")
                config.opa_port = static_cast<std::uint16_t>(std::stoul(value()));
            else if (opt == "--api-key")
                config.api_key = value();
            else if (opt == "--project-api-key")
                config.more_api_keys.push_back({value(), permit::testing::key_level::project});
            else if (opt == "--org-api-key")
                config.more_api_keys.push_back({value(), permit::testing::key_level::organization});
            else if (opt == "--tls-cert")
                config.tls_certificate_pem = read_file(value());
            else if (opt == "--tls-key")
                config.tls_private_key_pem = read_file(value());
            else if (opt == "--seed")
                config.initial_state = boost::json::parse(read_file(value()));
            else if (opt == "--faults")
                config.faults = permit::testing::fault_rules_from_json(json_argument(value()));
            else if (opt == "--rate-limits")
                config.rate_limits = permit::testing::rate_limits_from_json(json_argument(value()));
            else if (opt == "--random-seed")
                config.seed = std::stoull(value());
            else if (opt == "--pdp-propagation-delay")
                permit::testing::pdp_settings_from_json(
                    boost::json::object{{"pdp_propagation_delay_ms", std::stoll(value())}}, config);
            else if (opt == "--pdp-facts-wait-timeout")
                permit::testing::pdp_settings_from_json(
                    boost::json::object{{"pdp_facts_wait_timeout_ms", std::stoll(value())}},
                    config);
            else if (opt == "--pdp-facts-timeout-policy")
                permit::testing::pdp_settings_from_json(
                    boost::json::object{{"pdp_facts_timeout_policy", value()}}, config);
            else if (opt == "--pdp")
                permit::testing::pdp_settings_from_json(json_argument(value()), config);
            else if (opt == "--request-log") {
                request_log = value();
                config.log_request_bodies = true;
            } else if (opt == "--exit-after")
                exit_after = std::stoi(value());
            else
                throw std::invalid_argument("unknown option " + std::string(opt) + " (see --help)");
        }
    } catch (const std::exception& e) {
        std::cerr << "permit-emulator: " << e.what() << "\n";
        return 2;
    }

    try {
        const auto started = std::chrono::steady_clock::now();
        permit::testing::emulator emu(config);
        std::cout << "listening on " << emu.url() << "\n";
        if (config.pdp_port) std::cout << "pdp listening on " << emu.pdp_url() << "\n";
        if (config.opa_port) std::cout << "opa listening on " << emu.opa_url() << "\n";
        std::cout << "api key: "
                  << (config.api_key == permit::testing::emulator_config{}.api_key
                          ? config.api_key
                          : "(the one given with --api-key)")
                  << "\n"
                  << "project: " << config.project_key << " (" << config.project_id
                  << "), environment: " << config.environment_key << " (" << config.environment_id
                  << ")" << std::endl;
        if (config.pdp_propagation_delay.count() > 0)
            std::cout << "pdp propagation delay: " << config.pdp_propagation_delay.count() << " ms"
                      << std::endl;

        boost::asio::io_context ioc;
        boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        boost::asio::steady_timer deadline(ioc);
        signals.async_wait([&](auto, int) { deadline.cancel(); });
        if (exit_after > 0) {
            deadline.expires_after(std::chrono::seconds(exit_after));
            deadline.async_wait([&](auto) { signals.cancel(); });
        }
        ioc.run();
        emu.stop();
        if (!request_log.empty()) write_request_log(request_log, emu.request_log(), started);
        const auto stats = emu.stats();
        std::cout << "stopped after " << stats.requests << " requests on "
                  << stats.connections_accepted << " connections" << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "permit-emulator: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
