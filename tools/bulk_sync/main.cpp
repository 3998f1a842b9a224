// permit-bulk-sync: streams a users file of any size (or generated users) into Permit through the
// client's bulk pipeline, with a progress bar, rejects, a resumable checkpoint and sharding.
// With no API key and no --api-url it syncs into an emulator started in the process and verifies
// the result. `permit-bulk-sync --help` lists the options.
#include "bulk_sync/checkpoint.hpp"
#include "bulk_sync/generator.hpp"
#include "bulk_sync/input.hpp"
#include "bulk_sync/options.hpp"
#include "bulk_sync/outcome.hpp"
#include "bulk_sync/report.hpp"
#include "bulk_sync/shard.hpp"

#include <permit/permit.hpp>
#include <permit/testing/emulator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <variant>
#include <vector>

namespace asio = boost::asio;
namespace pbs = permit_bulk_sync;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// ---- input -------------------------------------------------------------------------------------

/// A parsed input line with its text (for the rejects file).
struct input_item {
    pbs::parsed_line parsed;
    std::string_view text;  // valid until the next call of `next`
};

/// The users to sync: the lines of a file, or generated users (line i + 1 is user i).
class record_source {
  public:
    static std::unique_ptr<record_source> open(const pbs::tool_options& o, std::string& error) {
        auto out = std::unique_ptr<record_source>(new record_source);
        if (o.generate) {
            out->generate_ = *o.generate;
            out->seed_ = o.seed;
            return out;
        }
        out->file_.reset(std::fopen(o.input->c_str(), "rb"));
        if (!out->file_) {
            error = "cannot open " + o.input->string() + ": " + std::strerror(errno);
            return nullptr;
        }
        out->reader_.emplace(out->file_.get());
        const auto format = pbs::detect_format(*o.input, out->reader_->peek(4096));
        out->parser_ = pbs::make_record_parser(format, *out->reader_, error);
        if (!out->parser_) return nullptr;
        return out;
    }

    /// Moves on so that the next item is line `line` (for resuming).
    void skip_to(std::uint64_t line) {
        if (reader_)
            reader_->skip_to(line);
        else
            next_index_ = std::max<std::uint64_t>(next_index_, line - 1);
    }

    std::optional<input_item> next() {
        if (!reader_) {
            if (next_index_ >= generate_) return std::nullopt;
            const auto i = next_index_++;
            return input_item{
                pbs::sync_record{.line = i + 1, .user = pbs::generated_user(i, seed_)}, {}};
        }
        auto line = reader_->next();
        if (!line) return std::nullopt;
        return input_item{parser_->parse(*line), line->text};
    }

    bool read_failed() const { return reader_ && reader_->failed(); }

  private:
    struct file_closer {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    record_source() = default;

    std::uint64_t generate_ = 0;
    std::uint64_t seed_ = 1;
    std::uint64_t next_index_ = 0;
    std::unique_ptr<std::FILE, file_closer> file_;
    std::optional<pbs::line_reader> reader_;
    std::optional<pbs::record_parser> parser_;
};

/// What a first pass over the input tells: its length, and the roles it uses.
struct input_survey {
    std::uint64_t lines = 0;
    std::set<std::string> roles;
};

input_survey survey(const pbs::tool_options& o, bool want_roles) {
    input_survey out;
    if (o.generate) {
        out.lines = *o.generate;
        for (auto& r : pbs::generated_roles()) out.roles.insert(std::move(r));
        return out;
    }
    if (!want_roles) {
        // Counting newlines is all the progress bar needs, and it is fast.
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(o.input->c_str(), "rb"),
                                                             &std::fclose);
        if (!file) return out;
        std::vector<char> chunk(1 << 20);
        while (const auto n = std::fread(chunk.data(), 1, chunk.size(), file.get()))
            out.lines +=
                static_cast<std::uint64_t>(std::count(chunk.data(), chunk.data() + n, '\n'));
        return out;
    }
    std::string error;
    auto source = record_source::open(o, error);
    if (!source) return out;
    while (auto item = source->next()) {
        ++out.lines;
        if (!want_roles) continue;
        if (auto* rec = std::get_if<pbs::sync_record>(&item->parsed))
            for (const auto& a : rec->user.role_assignments) out.roles.insert(a.role);
    }
    return out;
}

// ---- output ------------------------------------------------------------------------------------

/// `{"line":N,"reason":"...", "input": "..."}` per rejected line.
class rejects_file {
  public:
    bool open(const std::optional<std::filesystem::path>& path, bool append, std::string& error) {
        if (!path) return true;
        out_.open(*path, append ? std::ios::app : std::ios::trunc);
        if (!out_) error = "cannot write " + path->string();
        return static_cast<bool>(out_);
    }
    void write(std::uint64_t line, const std::string& reason, std::string_view input,
               const std::string& key = {}) {
        if (!out_.is_open()) return;
        boost::json::object o{{"line", line}, {"reason", reason}};
        if (!key.empty()) o["key"] = key;
        // The line as the file has it, but as UTF-8 text: a byte that is not UTF-8 would make the
        // rejects file invalid JSON.
        if (!input.empty()) o["input"] = permit::detail::escape_invalid_utf8(input);
        out_ << boost::json::serialize(o) << '\n';
    }
    void flush() {
        if (out_.is_open()) out_.flush();
    }

  private:
    std::ofstream out_;
};

bool write_generated(const pbs::tool_options& o, std::string& error) {
    std::ofstream out(*o.output, std::ios::trunc);
    if (!out) {
        error = "cannot write " + o.output->string();
        return false;
    }
    for (std::uint64_t i = 0; i < *o.generate; ++i)
        out << pbs::json_line(pbs::generated_user(i, o.seed)) << '\n';
    out.flush();
    if (!out) error = "cannot write " + o.output->string();
    return static_cast<bool>(out);
}

// ---- the sync ----------------------------------------------------------------------------------

class sync_job {
  public:
    sync_job(permit::client& permit, const pbs::tool_options& o, record_source& source,
             std::optional<std::uint64_t> total)
        : permit_(permit)
        , options_(o)
        , source_(source)
        , total_(total)
        , window_(permit.get_config().bulk.max_pending + permit.get_config().bulk.users_per_batch)
        , room_(permit.get_executor(), steady::time_point::max())
        , ticker_(permit.get_executor()) {}

    /// Sets up resuming from `--resume FILE`: false (with `error`) when the checkpoint is of
    /// another input.
    bool prepare(std::string& error) {
        if (options_.generate)
            identity_ = pbs::identify_generated(*options_.generate, options_.seed);
        else if (auto id = pbs::identify_input(*options_.input, error))
            identity_ = std::move(*id);
        else
            return false;
        std::uint64_t first_line = 1;
        if (options_.resume) {
            auto saved = pbs::load_checkpoint(*options_.resume, error);
            if (!error.empty()) return false;
            if (saved) {
                if (!pbs::check_resume(*saved, identity_, options_.shard, error)) return false;
                first_line = saved->next_line;
                before_ = saved->totals;
                resumed_ = true;
            }
        }
        acks_ = pbs::ack_tracker(first_line);
        source_.skip_to(first_line);
        return rejects_.open(options_.rejects, resumed_, error);
    }

    bool resumed() const { return resumed_; }

    asio::awaitable<void> run() {
        started_ = steady::now();
        asio::co_spawn(permit_.get_executor(), report_progress(), asio::detached);
        while (!stopped()) {
            auto item = source_.next();
            if (!item) break;
            if (auto* rec = std::get_if<pbs::sync_record>(&item->parsed)) {
                const auto line = rec->line;
                acks_.submit(line);
                if (!pbs::in_shard(rec->user.key, options_.shard)) {
                    acks_.complete(line, pbs::line_outcome::skipped);
                    ++live_.users_skipped;
                    continue;
                }
                if (options_.dry_run) {
                    acks_.complete(line, pbs::line_outcome::synced);
                    ++live_.users_synced;
                    continue;
                }
                start_sync(std::move(rec->user), line);
                if (in_flight_ >= window_) {
                    room_.expires_at(steady::time_point::max());
                    co_await room_.async_wait(asio::as_tuple(asio::use_awaitable));
                }
            } else if (auto* bad = std::get_if<pbs::reject>(&item->parsed)) {
                acks_.submit(bad->line);
                acks_.complete(bad->line, pbs::line_outcome::rejected);
                ++live_.users_rejected;
                rejects_.write(bad->line, bad->reason, item->text);
            }
        }
        co_await permit_.bulk.flush();
        while (in_flight_ > 0) {
            room_.expires_at(steady::time_point::max());
            co_await room_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        final_ = totals();
        done_ = true;
        ticker_.cancel();
        rejects_.flush();
        if (options_.resume) save_checkpoint();
    }

    /// The figures of the whole input so far (earlier runs of a resumed sync included), up to
    /// the end of the sync (what a verification does afterwards is not counted).
    pbs::sync_totals totals() const {
        if (done_) return final_;
        pbs::sync_totals t = before_;
        t += live_;
        const auto client = permit_.stats();
        const auto bulk = permit_.bulk.stats();
        t.http_requests += client.requests;
        t.retries += client.retries;
        t.rate_limited += client.rate_limited;
        t.tenants_synced += bulk.tenants_created + bulk.tenants_existing;
        t.elapsed +=
            std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - started_);
        return t;
    }

    bool read_failed() const { return source_.read_failed(); }

    /// Why the run stopped before the end of the input (a wrong key, an outage), if it did.
    const std::optional<std::string>& stop_reason() const { return stop_reason_; }
    bool stopped() const { return stop_reason_.has_value(); }

  private:
    // Hands one user to the pipeline; its outcome completes its line.
    void start_sync(permit::user_create user, std::uint64_t line) {
        ++in_flight_;
        const auto assignments = static_cast<std::uint32_t>(user.role_assignments.size());
        auto diag = std::make_unique<permit::diagnostics>();
        auto& diag_ref = *diag;
        std::string key = user.key;
        permit_.bulk.sync_user(
            std::move(user), diag_ref,
            [this, line, assignments, key = std::move(key),
             diag = std::move(diag)](boost::system::error_code ec) {
                if (ec && pbs::classify_failure(*diag) == pbs::failure_kind::run_cannot_continue) {
                    // The line is not done: the checkpoint stays below it.
                    if (!stop_reason_)
                        stop_reason_ = diag->to_string().empty() ? ec.message() : diag->to_string();
                } else if (ec) {
                    acks_.complete(line, pbs::line_outcome::rejected);
                    ++live_.users_rejected;
                    rejects_.write(line, "the API did not accept it: " + diag->to_string(), {},
                                   key);
                } else {
                    acks_.complete(line, pbs::line_outcome::synced, assignments);
                    ++live_.users_synced;
                    live_.assignments_synced += assignments;
                }
                --in_flight_;
                if (in_flight_ < window_ / 2 || in_flight_ == 0) room_.cancel();
            });
    }

    // The progress bar (or a plain line every few seconds when stderr is not a terminal), and the
    // checkpoint every second.
    asio::awaitable<void> report_progress() {
        const bool tty = ::isatty(STDERR_FILENO) != 0;
        auto last_line = steady::now();
        auto last_checkpoint = steady::now();
        while (!done_) {
            ticker_.expires_after(200ms);
            co_await ticker_.async_wait(asio::as_tuple(asio::use_awaitable));
            if (done_) break;
            const auto now = steady::now();
            if (tty || now - last_line >= 5s) {
                const auto t = totals();
                const double rate = pbs::users_per_second(t);
                if (tty)
                    std::cerr << '\r' << pbs::progress_bar_line(t, total_, rate) << std::flush;
                else
                    std::cerr << pbs::progress_plain_line(t, total_, rate) << '\n';
                last_line = now;
            }
            if (options_.resume && now - last_checkpoint >= 1s) {
                save_checkpoint();
                last_checkpoint = now;
            }
        }
        if (tty) std::cerr << '\r' << std::string(100, ' ') << '\r' << std::flush;
    }

    void save_checkpoint() {
        // Only what is below the watermark is certain; the lines above it are done again.
        pbs::checkpoint c{
            .input = identity_, .shard = options_.shard, .next_line = acks_.watermark()};
        c.totals = before_;
        const auto& settled = acks_.settled();
        c.totals.users_synced += settled.users_synced;
        c.totals.users_rejected += settled.users_rejected;
        c.totals.users_skipped += settled.users_skipped;
        c.totals.assignments_synced += settled.assignments_synced;
        std::string error;
        rejects_.flush();
        if (!pbs::save_checkpoint(c, *options_.resume, error))
            std::cerr << "permit-bulk-sync: " << error << '\n';
    }

    permit::client& permit_;
    const pbs::tool_options& options_;
    record_source& source_;
    std::optional<std::uint64_t> total_;
    std::size_t window_;  // users handed to the pipeline and not finished, at most
    std::size_t in_flight_ = 0;
    asio::steady_timer room_;
    asio::steady_timer ticker_;
    bool done_ = false;
    steady::time_point started_ = steady::now();
    pbs::sync_totals final_;  // the totals when the sync ended

    pbs::input_identity identity_;
    pbs::ack_tracker acks_;
    pbs::sync_totals before_;  // from the checkpoint
    pbs::sync_totals live_;    // this run's users, rejects and assignments
    bool resumed_ = false;
    rejects_file rejects_;
    std::optional<std::string> stop_reason_;  // set by the first failure that is not the user's
};

// ---- verification ------------------------------------------------------------------------------

/// Checks that Permit holds exactly what the input says: the user and assignment counts (for a
/// whole input), every tenant, and a sample of users with their fields and roles.
class verifier {
  public:
    verifier(permit::client& permit, const pbs::tool_options& o) : permit_(permit), options_(o) {}

    asio::awaitable<bool> run() {
        std::string error;
        auto source = record_source::open(options_, error);
        if (!source) {
            std::cerr << "verify: " << error << '\n';
            co_return false;
        }
        // What the input says. The sample is spread over the input: every `stride`-th user.
        // Hashes rather than strings: millions of users fit in a few tens of megabytes.
        std::unordered_set<std::uint64_t> keys;
        std::unordered_set<std::uint64_t> assignments;
        std::set<std::string> tenants;
        std::vector<permit::user_create> sample;
        constexpr std::size_t sample_size = 200;
        std::uint64_t stride = 1;
        std::uint64_t seen = 0;
        while (auto item = source->next()) {
            auto* rec = std::get_if<pbs::sync_record>(&item->parsed);
            if (!rec || !pbs::in_shard(rec->user.key, options_.shard)) continue;
            keys.insert(pbs::fnv1a_64(rec->user.key));
            for (const auto& a : rec->user.role_assignments) {
                assignments.insert(
                    pbs::fnv1a_64(rec->user.key + "/" + a.role + "/" +
                                  a.tenant.value_or(permit_.get_config().default_tenant)));
                if (a.tenant) tenants.insert(*a.tenant);
            }
            if (seen++ % stride == 0) {
                sample.push_back(std::move(rec->user));
                if (sample.size() == 2 * sample_size) {
                    // Keep every other one and look half as often.
                    std::vector<permit::user_create> half;
                    for (std::size_t i = 0; i < sample.size(); i += 2)
                        half.push_back(std::move(sample[i]));
                    sample = std::move(half);
                    stride *= 2;
                }
            }
        }

        // What Permit holds.
        permit::user_list_query one_user{.per_page = 1};
        const auto users = co_await permit_.users.list(one_user);
        permit::role_assignment_list_query one_assignment{.per_page = 1};
        const auto stored_assignments = co_await permit_.role_assignments.list(one_assignment);
        if (options_.shard.count == 1) {
            expect_equal("users", static_cast<std::uint64_t>(users.total_count), keys.size());
            expect_equal("role assignments",
                         static_cast<std::uint64_t>(stored_assignments.total_count),
                         assignments.size());
        }
        for (const auto& tenant : tenants) {
            permit::diagnostics diag;
            auto [ec, t] =
                co_await permit_.tenants.get(tenant, diag, asio::as_tuple(asio::use_awaitable));
            if (ec) fail("tenant " + tenant + ": " + diag.to_string());
        }
        for (const auto& want : sample) co_await check_user(want);

        std::cout << "verified: " << pbs::format_count(keys.size()) << " users, "
                  << pbs::format_count(assignments.size()) << " role assignments, "
                  << tenants.size() << " tenants"
                  << (options_.shard.count == 1 ? "" : " (counts not compared for one shard)")
                  << "; " << sample.size() << " sampled users compared field by field: "
                  << (problems_.empty() ? "all match" : "MISMATCH") << '\n';
        for (std::size_t i = 0; i < problems_.size() && i < 20; ++i)
            std::cout << "  " << problems_[i] << '\n';
        co_return problems_.empty();
    }

  private:
    asio::awaitable<void> check_user(const permit::user_create& want) {
        permit::diagnostics diag;
        auto [ec, got] =
            co_await permit_.users.get(want.key, diag, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return fail("user " + want.key + ": " + diag.to_string());
        if (got.email != want.email || got.first_name != want.first_name ||
            got.last_name != want.last_name || got.attributes != want.attributes)
            fail("user " + want.key + ": the stored fields differ from the input");
        std::optional<std::string> any_tenant;
        auto [ec2, roles] = co_await permit_.users.get_assigned_roles(
            want.key, any_tenant, diag, asio::as_tuple(asio::use_awaitable));
        if (ec2) co_return fail("roles of " + want.key + ": " + diag.to_string());
        std::multiset<std::string> stored, wanted;
        for (const auto& r : roles) stored.insert(r.role + "/" + r.tenant.value_or(""));
        for (const auto& a : want.role_assignments)
            wanted.insert(a.role + "/" + a.tenant.value_or(permit_.get_config().default_tenant));
        if (stored != wanted) fail("user " + want.key + ": its role assignments differ");
    }

    void expect_equal(const std::string& what, std::uint64_t stored, std::uint64_t wanted) {
        if (stored != wanted)
            fail(what + ": Permit holds " + pbs::format_count(stored) + ", the input has " +
                 pbs::format_count(wanted));
    }
    void fail(std::string problem) { problems_.push_back(std::move(problem)); }

    permit::client& permit_;
    const pbs::tool_options& options_;
    std::vector<std::string> problems_;
};

// ---- main --------------------------------------------------------------------------------------

/// The rate-limit options of the command line: the budget shared through Redis, and the limits'
/// time scale.
void apply_rate_options(const pbs::tool_options& o, permit::config& cfg) {
    auto& limits = cfg.rate_limits;
    if (o.rate_time_scale) {
        limits.mode = permit::rate_limit_options::mode_type::on;
        for (auto* l : {&limits.all, &limits.writes, &limits.deletes, &limits.bulk})
            l->window = std::chrono::milliseconds(
                std::llround(static_cast<double>(l->window.count()) / *o.rate_time_scale));
    }
    if (o.redis_url) {
        limits.redis_url = *o.redis_url;
        if (o.redis_prefix) limits.redis_key_prefix = *o.redis_prefix;
        // The limiter says when Redis stops answering and when it answers again.
        cfg.log = [](permit::log_level, std::string_view text) {
            if (text.starts_with("rate limits: "))
                std::cerr << "permit-bulk-sync: " << text << '\n';
        };
    }
}

/// Creates the roles the input uses (an embedded emulator starts with none).
asio::awaitable<void> create_roles(permit::client& permit, const std::set<std::string>& roles) {
    for (const auto& key : roles) {
        permit::role_create role{.key = key, .name = key};
        permit::diagnostics diag;
        auto [ec, created] =
            co_await permit.roles.create(role, diag, asio::as_tuple(asio::use_awaitable));
        if (ec && ec != permit::condition::conflict)
            throw std::runtime_error("cannot create role " + key + ": " + diag.to_string());
    }
}

int run(const pbs::tool_options& o) {
    std::string error;
    if (o.generate && o.output) {
        if (!write_generated(o, error)) {
            std::cerr << "permit-bulk-sync: " << error << '\n';
            return 1;
        }
        std::cout << "wrote " << pbs::format_count(*o.generate) << " users to "
                  << o.output->string() << '\n';
        return 0;
    }
    const bool embedded = !o.api_key && !o.api_url && !o.dry_run;
    if (!o.dry_run && !embedded && !o.api_key) {
        std::cerr << "permit-bulk-sync: --api-url needs an API key (--api-key or PERMIT_API_KEY)\n";
        return 2;
    }
    const auto input = survey(o, embedded);

    std::optional<permit::testing::emulator> emulator;
    permit::config cfg;
    if (embedded) {
        emulator.emplace();
        cfg.api_key = emulator->config().api_key;
        cfg.api_url = emulator->url();
        cfg.pdp_url = emulator->url();
        std::cerr << "no API key given: syncing into a Permit emulator at " << emulator->url()
                  << '\n';
    } else {
        cfg.api_key = o.api_key.value_or("unused-for-a-dry-run");
        if (o.api_url) cfg.api_url = *o.api_url;
        if (o.pdp_url) cfg.pdp_url = *o.pdp_url;
        cfg.proxy = o.proxy;  // the emulator in this process is reached directly
    }
    apply_rate_options(o, cfg);

    asio::io_context ioc;
    permit::client permit(ioc.get_executor(), cfg);
    auto source = record_source::open(o, error);
    if (!source) {
        std::cerr << "permit-bulk-sync: " << error << '\n';
        return 1;
    }
    sync_job job(permit, o, *source, input.lines);
    if (!job.prepare(error)) {
        std::cerr << "permit-bulk-sync: " << error << '\n';
        return 1;
    }
    if (job.resumed()) std::cerr << "resuming from " << o.resume->string() << '\n';

    int exit_code = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            if (embedded) co_await create_roles(permit, input.roles);
            if (!o.verify_only) co_await job.run();
            if (job.stopped()) co_return;
            if (embedded || o.verify || o.verify_only) {
                verifier check(permit, o);
                if (!co_await check.run()) exit_code = 1;
            }
        },
        [&](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "permit-bulk-sync: " << ex.what() << '\n';
            }
            exit_code = 1;
        });
    ioc.run();

    if (!o.verify_only) {
        const auto totals = job.totals();
        std::cout << (o.dry_run ? "dry run (nothing sent):\n" : "") << pbs::summary_text(totals);
        if (o.report) {
            std::ofstream report(*o.report, std::ios::trunc);
            report << boost::json::serialize(pbs::summary_json(totals)) << '\n';
            if (!report) {
                std::cerr << "permit-bulk-sync: cannot write " << o.report->string() << '\n';
                exit_code = 1;
            }
        }
    }
    if (job.stopped()) {
        std::cerr << "permit-bulk-sync: stopped, the rest of the input is not synced: "
                  << *job.stop_reason() << '\n';
        if (o.resume) std::cerr << "run again with the same --resume to go on\n";
        exit_code = 1;
    }
    if (job.read_failed()) {
        std::cerr << "permit-bulk-sync: reading the input failed\n";
        exit_code = 1;
    }
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    std::string error;
    const auto options = pbs::parse_options(argc, argv, &std::getenv, error);
    if (!options) {
        std::cerr << "permit-bulk-sync: " << error << '\n';
        return 2;
    }
    if (options->help) {
        std::cout << pbs::usage();
        return 0;
    }
    try {
        return run(*options);
    } catch (const std::exception& e) {
        std::cerr << "permit-bulk-sync: " << e.what() << '\n';
        return 1;
    }
}
