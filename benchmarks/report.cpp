// Turns the benchmark runner's raw results into the figures published with the project: a JSON
// list of every figure, Markdown comparison tables and a throughput chart.
//
//   bench-report RAW.jsonl OUT_DIR MACHINE_DESCRIPTION DATE
//   bench-report --rebac REBAC.jsonl OUT_DIR MACHINE_DESCRIPTION DATE
//   bench-report --abac ABAC.jsonl OUT_DIR MACHINE_DESCRIPTION DATE
//   bench-report --limits LIMITS.jsonl OUT_DIR MACHINE_DESCRIPTION DATE
//
// RAW.jsonl holds one JSON object per line, one run of one system in one scenario against one
// server:
//
//   {"scenario":"users.sync c=64","kind":"single","operation":"sync","concurrency":64,
//    "pipelining":false,"system":"permit-cpp"|"node-sdk"|"wrk","server":"emulator"|"sink"|"none",
//    "result":{...the harness's own JSON...},"process":{"wall_s":5.2,"cpu_s":3.1,"max_rss_kb":1}}
//
// where kind is "single", "bulk", "burst" or "compile", and server the process the client talked
// to: permit-emulator, or bench-sink (a line without it is the emulator's; compile times have
// none). Written to OUT_DIR (created if missing):
//
//   latest.json     one entry per figure (scenario, server, metric): permit-cpp's value, the
//                   reference system (wrk where it sends the same requests, else the Node SDK) and
//                   its value, the ratio of the two, and every system's value
//   run.json        {date, machine}: where and when the figures were measured
//   latest.md       the summary table and the full comparison table, the emulator's and the
//                   sink's figures side by side (also printed to stdout)
//   summary.md      the summary table alone, for the README
//   throughput.dat  throughput.gp  throughput.png   single-operation throughput by concurrency,
//                   against the emulator
//
// Client CPU per operation (or per user) is the client's own measure over its measured window
// where it has one, else its whole process's CPU time (from the runner) over the items.
//
// With --rebac, the lines are of kind "rebac", each `result` one line of bench-rebac-decisions (a
// decision case, or the load), and the figures go to their own files:
//
//   rebac.json      every figure, one {scenario, system, metric, value, unit} row per line
//   rebac.md        the date and machine, the decisions table and the load table (also printed)
//
// With --abac, likewise for bench-abac-decisions: lines of kind "abac", written to abac.json and
// abac.md. With --limits, one line of kind "limits" whose result is bench-real-limits' line:
// limits.json (as rebac.json) and limits.md (the phases, the burst against its ideal, the
// targets).
//
// A malformed line stops the program (exit 1) rather than leaving a figure silently out. A chart
// that gnuplot cannot draw only warns: the table and the JSON are the main product.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// The systems compared, in the order of the table's columns and of the chart's legend.
struct system_info {
    std::string_view id;     // as written by the runner
    std::string_view title;  // as shown in the table
};
constexpr system_info systems[] = {
    {"permit-cpp", "permit-cpp"}, {"node-sdk", "Node SDK"}, {"wrk", "wrk"}};

struct row {
    std::string scenario;
    std::string server;  // "emulator", "sink", or "none" (compile times)
    std::string system;
    std::string metric;
    double value = 0;  // already rounded to the unit's precision
    std::string unit;
};

// What the chart needs of a single-operation scenario, beyond its rows.
struct single_run {
    std::string server;
    std::string system;
    std::string operation;
    long long concurrency = 0;
    bool pipelining = false;
    double ops_per_second = 0;
};

// One line of bench-rebac-decisions or bench-abac-decisions: a decision case, or (case "load") the
// load of its data.
struct decision_line {
    json::object result;
};

struct report {
    std::vector<row> rows;
    std::vector<single_run> single_runs;
    std::vector<decision_line> rebac;
    std::vector<decision_line> abac;
    std::vector<decision_line> limits;
    std::size_t lines = 0;  // read, blank ones aside
};

// A malformed line; main() adds the line number.
struct bad_line : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Digits after the decimal point, by unit: enough to compare systems, not so many that run-to-run
// noise reads as precision.
int decimals_of(std::string_view unit) {
    if (unit == "us" || unit == "MB" || unit == "ms") return 1;
    if (unit == "s" || unit == "x") return 2;
    return 0;  // ops/s, users/s, tuples/s, requests, ops, B
}

double rounded(double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

// ---- reading RAW.jsonl ----------------------------------------------------------------------

const json::value& field(const json::object& object, std::string_view name, std::string_view in) {
    if (const auto* value = object.if_contains(name)) return *value;
    throw bad_line("missing \"" + std::string(name) + "\" in " + std::string(in));
}

const json::object& object_field(const json::object& object, std::string_view name,
                                 std::string_view in) {
    const auto& value = field(object, name, in);
    if (!value.is_object())
        throw bad_line("\"" + std::string(name) + "\" in " + std::string(in) + " is not an object");
    return value.get_object();
}

std::string string_field(const json::object& object, std::string_view name, std::string_view in) {
    const auto& value = field(object, name, in);
    if (!value.is_string())
        throw bad_line("\"" + std::string(name) + "\" in " + std::string(in) + " is not a string");
    return std::string(value.get_string());
}

double number_field(const json::object& object, std::string_view name, std::string_view in) {
    const auto& value = field(object, name, in);
    boost::system::error_code ec;
    const double number = value.to_number<double>(ec);
    if (ec || !std::isfinite(number))
        throw bad_line("\"" + std::string(name) + "\" in " + std::string(in) + " is not a number");
    return number;
}

bool bool_field(const json::object& object, std::string_view name, std::string_view in) {
    const auto& value = field(object, name, in);
    if (!value.is_bool())
        throw bad_line("\"" + std::string(name) + "\" in " + std::string(in) + " is not a boolean");
    return value.get_bool();
}

// "process" is the runner's measure of the whole process; only some figures need it.
const json::object& process_of(const json::object& line) {
    return object_field(line, "process", "the line");
}

// Peak memory: the harness's own figure when it has one, else the runner's.
double peak_rss_kb(const json::object& line, const json::object& result) {
    if (result.contains("max_rss_kb")) return number_field(result, "max_rss_kb", "result");
    return number_field(process_of(line), "max_rss_kb", "process");
}

// Emits the figures of one line, each under its metric name and unit.
class row_writer {
  public:
    row_writer(report& out, std::string scenario, std::string server, std::string system)
        : out_(out)
        , scenario_(std::move(scenario))
        , server_(std::move(server))
        , system_(std::move(system)) {
        // A scenario run again (e.g. after a failed first attempt) replaces the earlier figures
        // in place, so that the JSON and the table agree on one value and keep their order.
        const bool seen = std::any_of(out_.rows.begin(), out_.rows.end(), [&](const row& r) {
            return r.scenario == scenario_ && r.server == server_ && r.system == system_;
        });
        if (seen)
            std::cerr << "bench-report: warning: " << scenario_ << " / " << server_ << " / "
                      << system_ << " appears more than once; keeping the last run\n";
    }

    void add(std::string metric, double value, std::string unit) {
        const double value_rounded = rounded(value, decimals_of(unit));
        for (auto& existing : out_.rows) {
            if (existing.scenario == scenario_ && existing.server == server_ &&
                existing.system == system_ && existing.metric == metric) {
                existing.value = value_rounded;
                existing.unit = std::move(unit);
                return;
            }
        }
        out_.rows.push_back(
            {scenario_, server_, system_, std::move(metric), value_rounded, std::move(unit)});
    }

  private:
    report& out_;
    std::string scenario_;
    std::string server_;
    std::string system_;
};

// The emulator's CPU time during the run, per operation: with the client's, where the machine's
// time went (both share its cores).
void add_server_cpu(const json::object& line, double operations, std::string metric,
                    row_writer& rows) {
    const auto& process = process_of(line);
    if (operations > 0 && process.contains("server_cpu_s"))
        rows.add(std::move(metric),
                 number_field(process, "server_cpu_s", "process") * 1e6 / operations, "us");
}

void read_single(const json::object& line, const json::object& result, const std::string& server,
                 const std::string& system, row_writer& rows, report& out) {
    const double operations = number_field(result, "operations", "result");
    const double ops_per_second = number_field(result, "ops_per_second", "result");
    rows.add("throughput", ops_per_second, "ops/s");
    rows.add("p50_latency", number_field(result, "p50_us", "result"), "us");
    rows.add("p99_latency", number_field(result, "p99_us", "result"), "us");
    // `bench-single-ops --taking-turns`: the plain checks that took turns with these coalesced
    // ones, in the same process.
    if (const auto* plain = result.if_contains("plain")) {
        const auto& turns = plain->as_object();
        rows.add("plain_p50_latency", number_field(turns, "p50_us", "plain"), "us");
        rows.add("plain_p99_latency", number_field(turns, "p99_us", "plain"), "us");
    }
    if (result.contains("cpu_us_per_op")) {
        rows.add("cpu_per_op", number_field(result, "cpu_us_per_op", "result"), "us");
    } else if (operations > 0) {
        // wrk does not measure its own CPU time; the runner does, for the whole process.
        rows.add("cpu_per_op",
                 number_field(process_of(line), "cpu_s", "process") * 1e6 / operations, "us");
    }
    // The same for every system: the whole process's CPU time (startup included) over the
    // operations, as the runner measured it.
    if (operations > 0)
        rows.add("process_cpu_per_op",
                 number_field(process_of(line), "cpu_s", "process") * 1e6 / operations, "us");
    add_server_cpu(line, operations, "server_cpu_per_op", rows);
    rows.add("operations", operations, "ops");

    out.single_runs.push_back({
        .server = server,
        .system = system,
        .operation = string_field(line, "operation", "the line"),
        .concurrency = static_cast<long long>(number_field(line, "concurrency", "the line")),
        .pipelining = bool_field(line, "pipelining", "the line"),
        .ops_per_second = ops_per_second,
    });
}

// The client's whole-process CPU time (user + sys, measured by the runner) per user synced, and
// the emulator's.
void add_cpu_per_user(const json::object& line, const json::object& result, row_writer& rows) {
    const double users = number_field(result, "users", "result");
    if (users > 0)
        rows.add("cpu_per_user", number_field(process_of(line), "cpu_s", "process") * 1e6 / users,
                 "us");
    add_server_cpu(line, users, "server_cpu_per_user", rows);
}

// A bulk sync or a sign-up burst: many users through one client.
void read_users_run(const json::object& line, const json::object& result, row_writer& rows) {
    rows.add("users_per_second", number_field(result, "users_per_second", "result"), "users/s");
    rows.add("seconds", number_field(result, "seconds", "result"), "s");
    rows.add("requests", number_field(result, "requests", "result"), "requests");
    rows.add("peak_rss", peak_rss_kb(line, result) / 1024, "MB");
    add_cpu_per_user(line, result, rows);
}

void read_compile(const json::object& line, const json::object& result, row_writer& rows) {
    rows.add("seconds", number_field(result, "seconds", "result"), "s");
    rows.add("peak_rss", peak_rss_kb(line, result) / 1024, "MB");
}

// The emulator's ReBAC decisions: per case, its CPU time per decision and the ratios to the
// reference (the same check with no tuples); for the load, its time and the memory it took.
void read_rebac(const json::object& result, row_writer& rows, report& out) {
    const std::string via = string_field(result, "via", "result");
    if (via != "http" && via != "handler")
        throw bad_line("unknown via \"" + via + "\" (expected http or handler)");
    if (string_field(result, "case", "result") == "load") {
        rows.add("load_seconds", number_field(result, "load_seconds", "result"), "s");
        rows.add("tuples_per_second", number_field(result, "tuples_per_second", "result"),
                 "tuples/s");
        rows.add("rss_before", number_field(result, "rss_before_mb", "result"), "MB");
        rows.add("rss_after", number_field(result, "rss_after_mb", "result"), "MB");
        rows.add("bytes_per_tuple", number_field(result, "bytes_per_tuple", "result"), "B");
        rows.add("peak_rss", number_field(result, "peak_rss_mb", "result"), "MB");
    } else {
        number_field(result, "tuples", "result");  // the table shows it
        rows.add("cpu_p50", number_field(result, "cpu_p50_us", "result"), "us");
        rows.add("cpu_p99", number_field(result, "cpu_p99_us", "result"), "us");
        rows.add("p50_vs_no_tuples", number_field(result, "p50_vs_reference", "result"), "x");
        rows.add("p99_vs_no_tuples", number_field(result, "p99_vs_reference", "result"), "x");
        if (result.contains("round_trip_p50_us"))
            rows.add("round_trip_p50", number_field(result, "round_trip_p50_us", "result"), "us");
    }
    out.rebac.push_back({result});
}

// The emulator's ABAC decisions: per case, its CPU time per decision and the ratios to the
// reference (the same RBAC check with no condition sets); for the load, its time and the memory
// it took.
void read_abac(const json::object& result, row_writer& rows, report& out) {
    const std::string via = string_field(result, "via", "result");
    if (via != "http" && via != "handler")
        throw bad_line("unknown via \"" + via + "\" (expected http or handler)");
    if (string_field(result, "case", "result") == "load") {
        number_field(result, "users", "result");  // the table shows these
        number_field(result, "condition_sets", "result");
        number_field(result, "rules", "result");
        rows.add("load_seconds", number_field(result, "load_seconds", "result"), "s");
        rows.add("rss_before", number_field(result, "rss_before_mb", "result"), "MB");
        rows.add("rss_after", number_field(result, "rss_after_mb", "result"), "MB");
        rows.add("loaded", number_field(result, "loaded_mb", "result"), "MB");
        rows.add("peak_rss", number_field(result, "peak_rss_mb", "result"), "MB");
    } else {
        number_field(result, "rules", "result");  // the table shows these
        number_field(result, "sets_evaluated", "result");
        rows.add("cpu_p50", number_field(result, "cpu_p50_us", "result"), "us");
        rows.add("cpu_p99", number_field(result, "cpu_p99_us", "result"), "us");
        rows.add("p50_vs_no_condition_sets", number_field(result, "p50_vs_reference", "result"),
                 "x");
        rows.add("p99_vs_no_condition_sets", number_field(result, "p99_vs_reference", "result"),
                 "x");
        if (result.contains("round_trip_p50_us"))
            rows.add("round_trip_p50", number_field(result, "round_trip_p50_us", "result"), "us");
    }
    out.abac.push_back({result});
}

// The phases of bench-real-limits, in its order.
constexpr std::string_view limits_phases[] = {"trickle before", "burst", "trickle after"};
// The request classes it counts, and their titles.
constexpr std::pair<std::string_view, std::string_view> request_classes[] = {
    {"bulk_users", "bulk users"},
    {"bulk_assignments", "bulk role assignments"},
    {"bulk_tenants", "bulk tenants"},
    {"single_users", "single user writes"},
    {"single_assignments", "single role assignments"},
    {"lookups", "lookups"},
    {"other", "other"},
};

// Sign-ups under the real rate limits (bench-real-limits): per phase its latency, 429s and
// requests by class; the burst against its ideal; the targets.
void read_limits(const json::object& result, report& out) {
    const auto& phases = field(result, "phases", "result");
    if (!phases.is_array() || phases.get_array().size() != std::size(limits_phases))
        throw bad_line("\"phases\" in result is not a list of three phases");
    for (std::size_t i = 0; i < std::size(limits_phases); ++i) {
        if (!phases.get_array()[i].is_object())
            throw bad_line("a phase in result is not an object");
        const auto& phase = phases.get_array()[i].get_object();
        const std::string name = string_field(phase, "phase", "a phase");
        if (name != limits_phases[i])
            throw bad_line("phase \"" + name + "\" where \"" + std::string(limits_phases[i]) +
                           "\" was expected");
        row_writer rows(out, name, "emulator", "permit-cpp");
        rows.add("sign_ups", number_field(phase, "sign_ups", "a phase"), "ops");
        rows.add("seconds", number_field(phase, "seconds", "a phase"), "s");
        rows.add("p50_latency", number_field(phase, "p50_ms", "a phase"), "ms");
        rows.add("p90_latency", number_field(phase, "p90_ms", "a phase"), "ms");
        rows.add("p99_latency", number_field(phase, "p99_ms", "a phase"), "ms");
        rows.add("max_latency", number_field(phase, "max_ms", "a phase"), "ms");
        rows.add("rate_limited", number_field(phase, "rate_limited", "a phase"), "requests");
        const auto& requests = object_field(phase, "requests", "a phase");
        rows.add("requests", number_field(requests, "total", "requests"), "requests");
        for (const auto& [id, title] : request_classes)
            rows.add("requests_" + std::string(id), number_field(requests, id, "requests"),
                     "requests");
        const auto& client = object_field(phase, "client", "a phase");
        rows.add("client_retries", number_field(client, "retries", "client"), "requests");
        rows.add("client_rate_limited", number_field(client, "rate_limited", "client"), "requests");
    }
    const auto& burst = object_field(result, "burst", "result");
    row_writer rows(out, "burst against its ideal", "emulator", "permit-cpp");
    rows.add("seconds", number_field(burst, "seconds", "burst"), "s");
    rows.add("users_per_second", number_field(burst, "users_per_second", "burst"), "users/s");
    rows.add("machine_bound", number_field(burst, "machine_bound_s", "burst"), "s");
    rows.add("limits_bound", number_field(burst, "limits_bound_s", "burst"), "s");
    rows.add("limits_bound_full_budget", number_field(burst, "limits_bound_full_budget_s", "burst"),
             "s");
    rows.add("ideal", number_field(burst, "ideal_s", "burst"), "s");
    rows.add("fraction_of_ideal", number_field(burst, "fraction_of_ideal", "burst"), "x");
    const auto& worst = object_field(result, "trickles_worst", "result");
    row_writer trickles(out, "the slowest trickles of every round", "emulator", "permit-cpp");
    for (const auto* name : {"before_p50", "before_p99", "after_p50", "after_p99"})
        trickles.add(std::string(name) + "_latency",
                     number_field(worst, std::string(name) + "_ms", "trickles_worst"), "ms");
    row_writer whole(out, "the whole pattern", "emulator", "permit-cpp");
    whole.add("rounds", number_field(result, "rounds", "result"), "ops");
    whole.add("rate_limited", number_field(result, "rate_limited", "result"), "requests");
    whole.add("requests", number_field(result, "requests", "result"), "requests");
    for (const auto& [name, met] : object_field(result, "met", "result")) {
        if (!met.is_bool()) throw bad_line("\"met\" in result holds a non-boolean");
        whole.add("met_" + std::string(name), met.get_bool() ? 1 : 0, "ops");
    }
    object_field(result, "targets", "result");  // the table shows them
    out.limits.push_back({result});
}

bool is_known_system(std::string_view id) {
    return std::any_of(std::begin(systems), std::end(systems),
                       [&](const system_info& s) { return s.id == id; });
}

void read_line(std::string_view text, report& out) {
    boost::system::error_code ec;
    const json::value parsed = json::parse(text, ec);
    if (ec) throw bad_line("not valid JSON (" + ec.message() + ")");
    if (!parsed.is_object()) throw bad_line("not a JSON object");
    const auto& line = parsed.get_object();
    ++out.lines;

    const std::string kind = string_field(line, "kind", "the line");
    const std::string system = string_field(line, "system", "the line");
    if (!is_known_system(system))
        throw bad_line("unknown system \"" + system + "\" (expected permit-cpp, node-sdk or wrk)");
    // Which server the client talked to. Lines written before the sink existed name none: the
    // emulator's, or none for compile times.
    const std::string server = line.contains("server") ? string_field(line, "server", "the line")
                               : kind == "compile"     ? "none"
                                                       : "emulator";
    if (server != "emulator" && server != "sink" && server != "none")
        throw bad_line("unknown server \"" + server + "\" (expected emulator, sink or none)");
    const auto& result = object_field(line, "result", "the line");
    if (kind == "limits") return read_limits(result, out);
    row_writer rows(out, string_field(line, "scenario", "the line"), server, system);

    if (kind == "single") return read_single(line, result, server, system, rows, out);
    if (kind == "bulk" || kind == "burst") return read_users_run(line, result, rows);
    if (kind == "compile") return read_compile(line, result, rows);
    if (kind == "rebac") return read_rebac(result, rows, out);
    if (kind == "abac") return read_abac(result, rows, out);
    throw bad_line("unknown kind \"" + kind +
                   "\" (expected single, bulk, burst, compile, rebac, abac or limits)");
}

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Reads every line, or throws a message naming the first bad one.
report read_raw(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    report out;
    std::string text;
    for (int number = 1; std::getline(in, text); ++number) {
        if (is_blank(text)) continue;  // e.g. a trailing newline
        try {
            read_line(text, out);
        } catch (const bad_line& e) {
            throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": " +
                                     e.what());
        }
    }
    return out;
}

// ---- formatting -----------------------------------------------------------------------------

std::string fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

// 24755 -> "24,755": large figures are read at a glance; small ones keep their plain form.
std::string with_thousands(double value, int decimals) {
    const std::string text = fixed(value, decimals);
    if (std::fabs(value) < 1000) return text;
    const std::size_t digits_start = text[0] == '-' ? 1 : 0;
    const std::size_t digits_end = std::min(text.find('.'), text.size());
    std::string grouped = text.substr(0, digits_start);
    for (std::size_t at = digits_start; at < digits_end; ++at) {
        // A separator before each group of three digits that ends the integer part.
        if (at > digits_start && (digits_end - at) % 3 == 0) grouped += ',';
        grouped += text[at];
    }
    return grouped + text.substr(digits_end);
}

std::string json_string(std::string_view text) {
    return json::serialize(json::string(text));
}

// ---- latest.json and run.json ---------------------------------------------------------------

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Written by hand rather than with json::serialize, which prints 1.5 as 1.5E0 and all rows on
// one line; one row per line keeps the file readable and its diffs small. The rows of the
// decision benchmarks (rebac.json, abac.json) and of the real limits (limits.json): permit-cpp
// only, one {scenario, system, metric, value, unit} per figure.
std::string figures_json(const std::vector<row>& rows) {
    std::string text = "[\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        text += "  {\"scenario\": " + json_string(r.scenario) +
                ", \"system\": " + json_string(r.system) +
                ", \"metric\": " + json_string(r.metric) +
                ", \"value\": " + fixed(r.value, decimals_of(r.unit)) +
                ", \"unit\": " + json_string(r.unit) + "}";
        text += i + 1 < rows.size() ? ",\n" : "\n";
    }
    return text + "]\n";
}

std::string run_json(const std::string& machine, const std::string& date) {
    return json::serialize(json::object{{"date", date}, {"machine", machine}}) + "\n";
}

// One figure of the client scenarios: a (scenario, metric, server) and its value for each system,
// if measured.
struct table_row {
    std::string scenario;
    std::string metric;
    std::string server;
    std::string unit;
    std::map<std::string, double, std::less<>> values;  // by system id
};

// The rows of each (scenario, metric) in the order first seen, the emulator's before the sink's,
// so that the two servers' figures stand side by side.
std::vector<table_row> table_rows(const std::vector<row>& rows) {
    std::vector<table_row> table;
    for (const auto& r : rows) {
        if (r.metric == "operations") continue;  // a by-product of throughput, not a comparison
        auto same = [&](const table_row& t) {
            return t.scenario == r.scenario && t.metric == r.metric && t.server == r.server;
        };
        auto it = std::find_if(table.begin(), table.end(), same);
        if (it == table.end()) {
            // After the last row of the same (scenario, metric), if any.
            auto at = table.end();
            for (auto i = table.begin(); i != table.end(); ++i)
                if (i->scenario == r.scenario && i->metric == r.metric) at = std::next(i);
            it = table.insert(at, {r.scenario, r.metric, r.server, r.unit, {}});
        }
        it->values[r.system] = r.value;
    }
    std::stable_sort(table.begin(), table.end(), [](const table_row& a, const table_row& b) {
        if (a.scenario != b.scenario || a.metric != b.metric) return false;
        return a.server == "emulator" && b.server != "emulator";
    });
    return table;
}

std::optional<double> value_of(const table_row& t, std::string_view system) {
    const auto it = t.values.find(system);
    if (it == t.values.end()) return std::nullopt;
    return it->second;
}

std::optional<double> ratio_of(const table_row& t, std::string_view numerator,
                               std::string_view denominator) {
    const auto top = value_of(t, numerator), bottom = value_of(t, denominator);
    if (!top || !bottom || *bottom == 0) return std::nullopt;
    return *top / *bottom;
}

// What permit-cpp is compared with: wrk where it sends the same requests (single operations and
// checks), else the Node SDK (the bulk sync); none where neither ran.
std::optional<std::string_view> reference_of(const table_row& t) {
    for (const std::string_view id : {"wrk", "node-sdk"})
        if (value_of(t, id) && value_of(t, "permit-cpp")) return id;
    return std::nullopt;
}

std::string_view title_of(std::string_view system) {
    for (const auto& s : systems)
        if (s.id == system) return s.title;
    return system;
}

std::string json_number_or_null(std::optional<double> value, int decimals) {
    return value ? fixed(*value, decimals) : "null";
}

// latest.json: one entry per figure (scenario, server, metric): permit-cpp's value, the reference
// system and its value, their ratio, and every system's value.
std::string latest_json(const std::vector<row>& rows) {
    const auto table = table_rows(rows);
    std::string text = "[\n";
    for (std::size_t i = 0; i < table.size(); ++i) {
        const auto& t = table[i];
        const int decimals = decimals_of(t.unit);
        const auto reference = reference_of(t);
        std::string values;
        for (const auto& s : systems)
            if (const auto v = value_of(t, s.id))
                values +=
                    (values.empty() ? "" : ", ") + json_string(s.id) + ": " + fixed(*v, decimals);
        const auto ratio = reference ? ratio_of(t, "permit-cpp", *reference) : std::nullopt;
        text += "  {\"scenario\": " + json_string(t.scenario) +
                ", \"server\": " + json_string(t.server) +
                ", \"metric\": " + json_string(t.metric) + ", \"unit\": " + json_string(t.unit) +
                ", \"value\": " + json_number_or_null(value_of(t, "permit-cpp"), decimals) +
                ", \"reference\": " + (reference ? json_string(*reference) : "null") +
                ", \"reference_value\": " +
                json_number_or_null(reference ? value_of(t, *reference) : std::nullopt, decimals) +
                ", \"ratio\": " +
                json_number_or_null(ratio ? std::optional(rounded(*ratio, 2)) : std::nullopt, 2) +
                ", \"values\": {" + values + "}}";
        text += i + 1 < table.size() ? ",\n" : "\n";
    }
    return text + "]\n";
}

// ---- latest.md and summary.md ---------------------------------------------------------------

std::string cell(std::optional<double> value, const std::string& unit) {
    return value ? with_thousands(*value, decimals_of(unit)) : "–";
}

std::string ratio_cell(std::optional<double> ratio) {
    return ratio ? fixed(*ratio, 2) + "×" : "–";
}

std::string server_title(std::string_view server) {
    return server == "none" ? "–" : std::string(server);
}

// The figures of the summary: for each, the scenarios it applies to (a name, or a prefix ending
// in a space), the metric, how the table calls it, and the system it is compared with.
struct summary_figure {
    std::string_view scenario;
    bool prefix;
    std::string_view metric;
    std::string_view title;
    std::string_view reference;  // empty: none
    // Set: the reference is permit-cpp's figure of this metric in the same scenario (the same
    // runs), and `reference` names it.
    std::string_view reference_metric = {};
};
constexpr summary_figure summary_figures[] = {
    {"bulk sync of ", true, "cpu_per_user", "client CPU per user (us)", "node-sdk"},
    {"bulk sync of ", true, "users_per_second", "users/s", "node-sdk"},
    {"check c=64", false, "process_cpu_per_op", "client CPU per decision (us)", "wrk"},
    {"check c=64 pipelined", false, "process_cpu_per_op", "client CPU per decision (us)", "wrk"},
    {"check c=64 coalesced", false, "process_cpu_per_op", "client CPU per decision (us)", "wrk"},
    {"check c=64 coalesced", false, "throughput", "decisions/s", "wrk"},
    {"check c=64", false, "throughput", "decisions/s", "wrk"},
    {"check c=1 coalesced", false, "p50_latency", "p50 latency (us)", "wrk"},
    {"check c=1 coalesced, taking turns with plain checks", false, "p50_latency",
     "p50 latency (us)", "plain checks", "plain_p50_latency"},
    {"check c=1", false, "p50_latency", "p50 latency (us)", "wrk"},
    {"users.create c=64", false, "process_cpu_per_op", "client CPU per op (us)", "wrk"},
    {"users.sync c=64", false, "process_cpu_per_op", "client CPU per op (us)", "wrk"},
    {"sign-up burst of ", true, "peak_rss", "peak RSS (MB)", ""},
    {"sign-up burst of ", true, "requests", "requests", ""},
    {"sign-up burst of ", true, "cpu_per_user", "client CPU per user (us)", ""},
};

bool applies(const summary_figure& f, const table_row& t) {
    return t.metric == f.metric &&
           (f.prefix ? t.scenario.starts_with(f.scenario) : t.scenario == f.scenario);
}

// The summary: each figure against its reference, the emulator's and the sink's side by side.
// A pipelined or coalesced check has no such reference: it is compared with wrk's check at the same
// concurrency, on as many connections; a bulk sync from completion handlers with the Node SDK's
// bulk sync; coalesced checks taking turns with plain ones with those plain ones.
std::string summary_md(const std::vector<table_row>& table) {
    std::ostringstream md;
    md << "| scenario | figure | compared with | emulator: permit-cpp | reference | ratio "
          "| sink: permit-cpp | reference | ratio |\n";
    md << "|---|---|---|--:|--:|--:|--:|--:|--:|\n";
    auto find = [&](std::string_view scenario, std::string_view metric,
                    std::string_view server) -> const table_row* {
        for (const auto& t : table)
            if (t.scenario == scenario && t.metric == metric && t.server == server) return &t;
        return nullptr;
    };
    // Each scenario's figures together, the scenarios in the order of their first figure.
    std::vector<std::pair<std::string, const summary_figure*>> lines;
    for (const auto& f : summary_figures)
        for (const auto& t : table) {
            if (!applies(f, t)) continue;
            const auto line = std::make_pair(t.scenario, &f);
            if (std::find(lines.begin(), lines.end(), line) != lines.end()) continue;
            auto at = lines.end();
            for (auto i = lines.begin(); i != lines.end(); ++i)
                if (i->first == t.scenario) at = std::next(i);
            lines.insert(at, line);
        }
    for (const auto& [scenario, figure] : lines) {
        const auto& f = *figure;
        // A pipelined or coalesced check's reference is wrk's check at the same concurrency; a
        // bulk sync from completion handlers is compared with the Node SDK's bulk sync.
        std::string reference_scenario = scenario;
        for (const std::string_view option : {" pipelined", " coalesced", ", completion handlers"})
            if (reference_scenario.ends_with(option))
                reference_scenario.resize(reference_scenario.size() - option.size());
        md << "| " << scenario << " | " << f.title << " | "
           << (f.reference.empty() ? "–" : std::string(title_of(f.reference)));
        for (const std::string_view server : {"emulator", "sink"}) {
            const auto* t = find(scenario, f.metric, server);
            const bool own = !f.reference_metric.empty();
            const auto* r = own ? find(scenario, f.reference_metric, server)
                                : find(reference_scenario, f.metric, server);
            const std::string unit = t ? t->unit : "";
            const auto ours = t ? value_of(*t, "permit-cpp") : std::nullopt;
            const auto theirs = r && !f.reference.empty()
                                    ? value_of(*r, own ? "permit-cpp" : f.reference)
                                    : std::nullopt;
            md << " | " << cell(ours, unit) << " | " << cell(theirs, unit) << " | "
               << ratio_cell(ours && theirs && *theirs != 0 ? std::optional(*ours / *theirs)
                                                            : std::nullopt);
        }
        md << " |\n";
    }
    return md.str();
}

std::string latest_md(const std::vector<row>& rows, const std::string& machine,
                      const std::string& date) {
    const auto table = table_rows(rows);
    std::ostringstream md;
    md << "Measured on " << machine << ", " << date << ".\n\n";
    md << summary_md(table) << "\n";
    md << "| scenario | metric | server";
    for (const auto& s : systems) md << " | " << s.title;
    md << " | permit-cpp / Node SDK | permit-cpp / wrk |\n";
    md << "|---|---|---|--:|--:|--:|--:|--:|\n";
    for (const auto& t : table) {
        md << "| " << t.scenario << " | " << t.metric << " (" << t.unit << ") | "
           << server_title(t.server);
        for (const auto& s : systems) md << " | " << cell(value_of(t, s.id), t.unit);
        md << " | " << ratio_cell(ratio_of(t, "permit-cpp", "node-sdk")) << " | "
           << ratio_cell(ratio_of(t, "permit-cpp", "wrk")) << " |\n";
    }
    return md.str();
}

// ---- limits.md ------------------------------------------------------------------------------

std::string limits_md(const std::vector<decision_line>& lines, const std::string& machine,
                      const std::string& date) {
    const auto& r = lines.back().result;
    auto num = [](const json::object& o, std::string_view name) {
        return o.at(name).to_number<double>();
    };
    std::ostringstream md;
    md << "Measured on " << machine << ", " << date << ". Time scale "
       << fixed(num(r, "time_scale"), 0) << " (every window divided by it); trickles of "
       << fixed(num(r, "trickle_rate"), 0) << " sign-ups a second for "
       << fixed(num(r, "trickle_seconds"), 0) << " s; a burst of "
       << with_thousands(num(r, "burst_users"), 0) << "; " << fixed(num(r, "rounds"), 0)
       << " rounds, each a burst without limits and the whole pattern with them. The phases are "
          "those of the round with the fastest burst; the trickle targets are held to the "
          "slowest trickle of every round.\n\n";
    md << "| phase | sign-ups | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | 429s | requests";
    for (const auto& [id, title] : request_classes) md << " | " << title;
    md << " | client retries |\n|---|--:|--:|--:|--:|--:|--:|--:";
    for (std::size_t i = 0; i < std::size(request_classes); ++i) md << "|--:";
    md << "|--:|\n";
    for (const auto& v : r.at("phases").as_array()) {
        const auto& p = v.as_object();
        const auto& requests = p.at("requests").as_object();
        md << "| " << std::string(p.at("phase").as_string()) << " | "
           << with_thousands(num(p, "sign_ups"), 0) << " | "
           << with_thousands(rounded(num(p, "p50_ms"), 1), 1) << " | "
           << with_thousands(rounded(num(p, "p90_ms"), 1), 1) << " | "
           << with_thousands(rounded(num(p, "p99_ms"), 1), 1) << " | "
           << with_thousands(rounded(num(p, "max_ms"), 1), 1) << " | "
           << with_thousands(num(p, "rate_limited"), 0) << " | "
           << with_thousands(num(requests, "total"), 0);
        for (const auto& [id, title] : request_classes)
            md << " | " << with_thousands(num(requests, id), 0);
        md << " | " << with_thousands(num(p.at("client").as_object(), "retries"), 0) << " |\n";
    }
    const auto& b = r.at("burst").as_object();
    auto each_run = [&](std::string_view name) {
        std::string out;
        for (const auto& v : b.at(name).as_array())
            out += (out.empty() ? "" : ", ") + fixed(v.to_number<double>(), 2);
        return out;
    };
    md << "\n| burst | seconds (fastest) | each round (s) | users/s | machine-bound (s, fastest) "
          "| each round (s) | limits-bound (s) | limits-bound, whole budget (s) | ideal (s) "
          "| rate / ideal rate |\n";
    md << "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
    md << "| " << with_thousands(num(r, "burst_users"), 0) << " sign-ups at once | "
       << fixed(num(b, "seconds"), 2) << " | " << each_run("runs_s") << " | "
       << with_thousands(rounded(num(b, "users_per_second"), 0), 0) << " | "
       << fixed(num(b, "machine_bound_s"), 2) << " | " << each_run("machine_bound_runs_s") << " | "
       << fixed(num(b, "limits_bound_s"), 2) << " | "
       << fixed(num(b, "limits_bound_full_budget_s"), 2) << " | " << fixed(num(b, "ideal_s"), 2)
       << " | " << fixed(100 * num(b, "fraction_of_ideal"), 0) << "% |\n";
    const auto& targets = r.at("targets").as_object();
    const auto& met = r.at("met").as_object();
    auto yes = [&](std::string_view name) { return met.at(name).as_bool() ? "yes" : "no"; };
    // The trickle targets hold for the slowest trickle of every round.
    const auto& worst = r.at("trickles_worst").as_object();
    auto worst_ms = [&](std::string_view name) { return fixed(num(worst, name), 1) + " ms"; };
    md << "\n| target | measured | met |\n|---|--:|---|\n";
    const std::string p50 = fixed(num(targets, "trickle_p50_ms"), 0) + " ms";
    const std::string p99 = fixed(num(targets, "trickle_p99_ms"), 0) + " ms";
    md << "| trickle before the burst: p50 ≤ " << p50 << " | " << worst_ms("before_p50_ms") << " | "
       << yes("trickle_before_p50") << " |\n";
    md << "| trickle before the burst: p99 ≤ " << p99 << " | " << worst_ms("before_p99_ms") << " | "
       << yes("trickle_before_p99") << " |\n";
    md << "| trickle after the burst: p50 ≤ " << p50 << " | " << worst_ms("after_p50_ms") << " | "
       << yes("trickle_after_p50") << " |\n";
    md << "| trickle after the burst: p99 ≤ " << p99 << " | " << worst_ms("after_p99_ms") << " | "
       << yes("trickle_after_p99") << " |\n";
    md << "| burst at ≥ " << fixed(100 * num(targets, "burst_fraction_of_ideal"), 0)
       << "% of the ideal rate | " << fixed(100 * num(b, "fraction_of_ideal"), 0) << "% | "
       << yes("burst_fraction_of_ideal") << " |\n";
    md << "| no 429 from the emulator | " << with_thousands(num(r, "rate_limited"), 0) << " | "
       << yes("no_rate_limited") << " |\n";
    return md.str();
}

// ---- rebac.md -------------------------------------------------------------------------------

std::string via_title(const json::object& result) {
    return result.at("via").as_string() == "http" ? "HTTP `/allowed`" : "`router::handle`";
}

double number(const json::object& result, std::string_view name) {
    return result.at(name).to_number<double>();
}

std::string rebac_md(const std::vector<decision_line>& lines, const std::string& machine,
                     const std::string& date) {
    std::ostringstream md;
    md << "Measured on " << machine << ", " << date << ".\n\n";
    md << "| check | tuples | measured through | emulator CPU p50 (us) | p99 (us) "
          "| p50 / no tuples | p99 / no tuples |\n";
    md << "|---|--:|---|--:|--:|--:|--:|\n";
    for (const auto& [r] : lines) {
        if (r.at("case").as_string() == "load") continue;
        md << "| " << std::string(r.at("case").as_string()) << " | "
           << with_thousands(number(r, "tuples"), 0) << " | " << via_title(r) << " | "
           << with_thousands(rounded(number(r, "cpu_p50_us"), 1), 1) << " | "
           << with_thousands(rounded(number(r, "cpu_p99_us"), 1), 1) << " | "
           << fixed(number(r, "p50_vs_reference"), 2) << "× | "
           << fixed(number(r, "p99_vs_reference"), 2) << "× |\n";
    }
    md << "\n| load | loaded through | seconds | tuples/s | RSS before (MB) | RSS after (MB) "
          "| bytes per tuple | peak RSS (MB) |\n";
    md << "|---|---|--:|--:|--:|--:|--:|--:|\n";
    for (const auto& [r] : lines) {
        if (r.at("case").as_string() != "load") continue;
        const bool http = r.at("via").as_string() == "http";
        md << "| " << with_thousands(number(r, "tuples"), 0) << " tuples | "
           << (http ? "`POST /relationship_tuples/bulk`" : "a seed (`initial_state`)") << " | "
           << fixed(number(r, "load_seconds"), 2) << " | "
           << with_thousands(number(r, "tuples_per_second"), 0) << " | "
           << with_thousands(number(r, "rss_before_mb"), 1) << " | "
           << with_thousands(number(r, "rss_after_mb"), 1) << " | "
           << with_thousands(number(r, "bytes_per_tuple"), 0) << " | "
           << with_thousands(number(r, "peak_rss_mb"), 1) << " |\n";
    }
    return md.str();
}

// ---- abac.md --------------------------------------------------------------------------------

std::string abac_md(const std::vector<decision_line>& lines, const std::string& machine,
                    const std::string& date) {
    std::ostringstream md;
    md << "Measured on " << machine << ", " << date << ".\n\n";
    md << "| check | rules on the permission | condition sets evaluated | measured through "
          "| emulator CPU p50 (us) | p99 (us) | p50 / no condition sets "
          "| p99 / no condition sets |\n";
    md << "|---|--:|--:|---|--:|--:|--:|--:|\n";
    for (const auto& [r] : lines) {
        if (r.at("case").as_string() == "load") continue;
        md << "| " << std::string(r.at("case").as_string()) << " | "
           << with_thousands(number(r, "rules"), 0) << " | "
           << with_thousands(number(r, "sets_evaluated"), 0) << " | " << via_title(r) << " | "
           << with_thousands(rounded(number(r, "cpu_p50_us"), 1), 1) << " | "
           << with_thousands(rounded(number(r, "cpu_p99_us"), 1), 1) << " | "
           << fixed(number(r, "p50_vs_reference"), 2) << "× | "
           << fixed(number(r, "p99_vs_reference"), 2) << "× |\n";
    }
    md << "\n| load | loaded through | seconds | RSS before (MB) | RSS after (MB) "
          "| loaded (MB) | peak RSS (MB) |\n";
    md << "|---|---|--:|--:|--:|--:|--:|\n";
    for (const auto& [r] : lines) {
        if (r.at("case").as_string() != "load") continue;
        const bool http = r.at("via").as_string() == "http";
        md << "| " << with_thousands(number(r, "users"), 0) << " users, "
           << with_thousands(number(r, "condition_sets"), 0) << " condition sets, "
           << with_thousands(number(r, "rules"), 0) << " rules | "
           << (http ? "`POST /bulk/users`, `/condition_sets`, `/set_rules`"
                    : "a seed (`initial_state`)")
           << " | " << fixed(number(r, "load_seconds"), 2) << " | "
           << with_thousands(number(r, "rss_before_mb"), 1) << " | "
           << with_thousands(number(r, "rss_after_mb"), 1) << " | "
           << with_thousands(number(r, "loaded_mb"), 1) << " | "
           << with_thousands(number(r, "peak_rss_mb"), 1) << " |\n";
    }
    return md.str();
}

// ---- throughput chart -----------------------------------------------------------------------

// Operations whose throughput the chart shows; the others (e.g. check) are in the table only.
constexpr std::string_view charted_operations[] = {"sync", "create"};

// One line of the chart: ops/s by concurrency for one system and one operation.
struct series {
    std::string title;  // e.g. "permit-cpp users.sync"
    std::string_view system;
    std::string_view operation;
    std::map<long long, double> ops_per_second;  // by concurrency
};

std::vector<series> chart_series(const std::vector<single_run>& runs) {
    std::vector<series> chart;
    for (const auto& s : systems) {
        for (const auto operation : charted_operations) {
            series line{
                std::string(s.id) + " users." + std::string(operation), s.id, operation, {}};
            for (const auto& run : runs) {
                // Pipelining is a different client setting, and the sink a different server;
                // mixing them in would hide the effect of concurrency.
                if (run.system == s.id && run.operation == operation && !run.pipelining &&
                    run.server == "emulator")
                    line.ops_per_second[run.concurrency] = run.ops_per_second;
            }
            if (!line.ops_per_second.empty()) chart.push_back(std::move(line));
        }
    }
    return chart;
}

// gnuplot's data file: one block per series, which the script selects with `index`.
std::string throughput_dat(const std::vector<series>& chart) {
    std::string text;
    for (const auto& line : chart) {
        text += "# " + line.title + "\n# concurrency ops_per_second\n";
        for (const auto& [concurrency, ops] : line.ops_per_second)
            text += std::to_string(concurrency) + " " + fixed(ops, 0) + "\n";
        text += "\n\n";
    }
    return text;
}

// A gnuplot single-quoted string: nothing is special inside but the quote, written twice.
std::string gnuplot_quoted(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted + "'";
}

std::string_view colour_of(std::string_view system) {
    if (system == "permit-cpp") return "#1f77b4";
    if (system == "node-sdk") return "#2ca02c";
    return "#7f7f7f";
}

// The script names its files by absolute path, so that it draws the same chart from any cwd.
std::string throughput_gp(const std::vector<series>& chart, const fs::path& dat,
                          const fs::path& png) {
    std::map<long long, bool> concurrencies;
    for (const auto& line : chart)
        for (const auto& [concurrency, ops] : line.ops_per_second)
            concurrencies[concurrency] = true;

    std::string tics;
    for (const auto& [concurrency, unused] : concurrencies)
        tics += (tics.empty() ? "" : ", ") + std::to_string(concurrency);
    // Half a doubling of margin on either side keeps the end points off the frame.
    const double low = double(concurrencies.begin()->first) / 1.5;
    const double high = double(concurrencies.rbegin()->first) * 1.5;

    std::ostringstream gp;
    gp << "set terminal pngcairo size 900,540 noenhanced font ',10'\n"
       << "set output " << gnuplot_quoted(png.string()) << "\n"
       << "set title 'Single operations against the emulator (higher is better)'\n"
       << "set xlabel 'concurrency (requests in flight)'\n"
       << "set ylabel 'ops/s'\n"
       << "set logscale x 2\n"
       << "set xrange [" << fixed(low, 3) << ":" << fixed(high, 3) << "]\n"
       << "set xtics (" << tics << ")\n"
       << "set yrange [0:*]\n"
       << "set format y '%.0f'\n"
       << "set grid\n"
       << "set key top left\n"
       << "plot \\\n";
    for (std::size_t i = 0; i < chart.size(); ++i) {
        const auto& line = chart[i];
        // Colour tells the system, dashes the operation.
        gp << "  " << gnuplot_quoted(dat.string()) << " index " << i
           << " using 1:2 with linespoints lw 2 pt 7 lc rgb '" << colour_of(line.system) << "' dt "
           << (line.operation == "sync" ? 1 : 2) << " title " << gnuplot_quoted(line.title)
           << (i + 1 < chart.size() ? ", \\\n" : "\n");
    }
    return gp.str();
}

std::string shell_quoted(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// Writes the data and the script, then runs gnuplot; any failure here is only a warning.
void draw_throughput(const std::vector<single_run>& runs, const fs::path& out_dir) {
    const auto chart = chart_series(runs);
    if (chart.empty()) {
        std::cerr << "bench-report: no single sync/create runs without pipelining; no chart\n";
        return;
    }
    const auto dat = out_dir / "throughput.dat";
    const auto gp = out_dir / "throughput.gp";
    write_file(dat, throughput_dat(chart));
    write_file(gp, throughput_gp(chart, dat, out_dir / "throughput.png"));

    if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
        std::cerr << "bench-report: warning: gnuplot not found; throughput.png not drawn\n";
        return;
    }
    if (std::system(("gnuplot " + shell_quoted(gp.string())).c_str()) != 0)
        std::cerr << "bench-report: warning: gnuplot failed; throughput.png not drawn\n";
}

}  // namespace

int main(int argc, char** argv) {
    const bool rebac = argc > 1 && std::string_view(argv[1]) == "--rebac";
    const bool abac = argc > 1 && std::string_view(argv[1]) == "--abac";
    const bool limits = argc > 1 && std::string_view(argv[1]) == "--limits";
    if (rebac || abac || limits) {
        --argc;
        ++argv;
    }
    if (argc != 5) {
        std::cerr << "usage: bench-report [--rebac|--abac|--limits] RAW.jsonl OUT_DIR "
                     "MACHINE_DESCRIPTION DATE\n";
        return 2;
    }
    const fs::path raw = argv[1];
    const std::string machine = argv[3];
    const std::string date = argv[4];
    try {
        const fs::path out_dir = fs::absolute(argv[2]);
        const report figures = read_raw(raw);
        fs::create_directories(out_dir);
        if (rebac) {
            if (figures.rebac.empty() || figures.rebac.size() != figures.lines)
                throw std::runtime_error(raw.string() + ": --rebac takes rebac lines only");
            write_file(out_dir / "rebac.json", figures_json(figures.rows));
            const std::string md = rebac_md(figures.rebac, machine, date);
            write_file(out_dir / "rebac.md", md);
            std::cout << md;
            return 0;
        }
        if (abac) {
            if (figures.abac.empty() || figures.abac.size() != figures.lines)
                throw std::runtime_error(raw.string() + ": --abac takes abac lines only");
            write_file(out_dir / "abac.json", figures_json(figures.rows));
            const std::string md = abac_md(figures.abac, machine, date);
            write_file(out_dir / "abac.md", md);
            std::cout << md;
            return 0;
        }
        if (limits) {
            if (figures.limits.empty() || figures.limits.size() != figures.lines)
                throw std::runtime_error(raw.string() + ": --limits takes limits lines only");
            write_file(out_dir / "limits.json", figures_json(figures.rows));
            const std::string md = limits_md(figures.limits, machine, date);
            write_file(out_dir / "limits.md", md);
            std::cout << md;
            return 0;
        }
        if (!figures.rebac.empty())
            throw std::runtime_error(raw.string() +
                                     ": rebac lines are reported with --rebac, on their own");
        if (!figures.limits.empty())
            throw std::runtime_error(raw.string() +
                                     ": limits lines are reported with --limits, on their own");
        if (!figures.abac.empty())
            throw std::runtime_error(raw.string() +
                                     ": abac lines are reported with --abac, on their own");

        write_file(out_dir / "latest.json", latest_json(figures.rows));
        write_file(out_dir / "run.json", run_json(machine, date));
        const std::string md = latest_md(figures.rows, machine, date);
        write_file(out_dir / "latest.md", md);
        write_file(out_dir / "summary.md", "Measured on " + machine + ", " + date +
                                               "; the full tables are in " +
                                               "[Benchmarks](docs/benchmarks.md).\n\n" +
                                               summary_md(table_rows(figures.rows)));
        draw_throughput(figures.single_runs, out_dir);
        std::cout << md;
    } catch (const std::exception& e) {
        std::cerr << "bench-report: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
