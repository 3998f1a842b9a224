// Resuming an interrupted `permit-bulk-sync --resume FILE`: which input lines are done, and the
// checkpoint file that records it together with the identity of the input and the running totals.
#pragma once

#include "report.hpp"
#include "shard.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

// fsync is POSIX: the standard library can flush a stream to the kernel but not to the disk.
#include <fcntl.h>
#include <unistd.h>

namespace permit_bulk_sync {

// ---------------------------------------------------------------------------------------------
// Which lines are done

/// What became of an input line.
enum class line_outcome : std::uint8_t { synced, rejected, skipped };

/// The lines below an ack_tracker's watermark, by outcome: exactly the work a checkpoint at that
/// watermark covers.
struct settled_lines {
    std::uint64_t users_synced = 0;
    std::uint64_t users_rejected = 0;
    std::uint64_t users_skipped = 0;
    std::uint64_t assignments_synced = 0;

    friend bool operator==(const settled_lines&, const settled_lines&) = default;
};

/// Tracks the input lines in flight so that a checkpoint can name a line from which a resumed run
/// loses nothing. Lines are submitted in increasing order and complete (synced, rejected or
/// skipped) in any order, as batches come back.
///
/// It also counts the outcomes of the lines below the watermark only: a resumed run does again
/// the lines at and after the watermark, so counting a line that completed early would count it
/// twice in the summary of the whole input.
///
/// Memory: one small entry per line from the oldest line in flight to the newest submitted, so
/// it follows the lines in flight, not the size of the input.
class ack_tracker {
  public:
    /// A tracker for a run that starts at line `first_line` (a checkpoint's line when resuming).
    explicit ack_tracker(std::uint64_t first_line = 1) noexcept
        : first_(first_line), next_(first_line) {}

    /// Records that `line` was handed on for syncing. Lines that are never submitted (blank ones,
    /// say) count as complete, with no outcome, once a later line is submitted. Throws
    /// std::invalid_argument if `line` is not above every line submitted before: a checkpoint
    /// built on that would skip lines.
    void submit(std::uint64_t line) {
        if (line < next_)
            throw std::invalid_argument("ack_tracker: line " + std::to_string(line) +
                                        " submitted out of order");
        if (window_.empty())
            first_ = line;
        else
            window_.insert(window_.end(), static_cast<std::size_t>(line - next_), slot{});
        window_.push_back({.state = pending});
        next_ = line + 1;
        ++outstanding_;
    }

    /// Records that `line` is done, and how; `assignments` is the number of role assignments
    /// synced with it. Returns false, and changes nothing, if `line` was not submitted or is
    /// already complete.
    bool complete(std::uint64_t line, line_outcome outcome, std::uint32_t assignments = 0) {
        if (line < first_ || line >= next_ || window_.empty()) return false;
        auto& s = window_[static_cast<std::size_t>(line - first_)];
        if (s.state != pending) return false;
        s.state = static_cast<std::uint8_t>(outcome);
        s.assignments = assignments;
        --outstanding_;
        while (!window_.empty() && window_.front().state != pending) {
            settle(window_.front());
            window_.pop_front();
            ++first_;
        }
        return true;
    }

    /// The first line that is not complete: every line below it is done, so a resumed run starts
    /// here.
    std::uint64_t watermark() const noexcept { return window_.empty() ? next_ : first_; }

    /// The number of lines submitted and not complete.
    std::size_t outstanding() const noexcept { return outstanding_; }

    /// The number of lines held in memory: from the oldest in flight to the newest submitted.
    std::size_t tracked() const noexcept { return window_.size(); }

    /// The outcomes of the lines below watermark() that this tracker saw complete.
    const settled_lines& settled() const noexcept { return settled_; }

  private:
    // A slot's state is a line_outcome, `pending`, or `unused` for a line never submitted.
    static constexpr std::uint8_t pending = 0xFE;
    static constexpr std::uint8_t unused = 0xFF;

    struct slot {
        std::uint8_t state = unused;
        std::uint32_t assignments = 0;
    };

    void settle(const slot& s) noexcept {
        switch (s.state) {
            case static_cast<std::uint8_t>(line_outcome::synced):
                ++settled_.users_synced;
                settled_.assignments_synced += s.assignments;
                break;
            case static_cast<std::uint8_t>(line_outcome::rejected):
                ++settled_.users_rejected;
                break;
            case static_cast<std::uint8_t>(line_outcome::skipped):
                ++settled_.users_skipped;
                break;
            default:
                break;
        }
    }

    std::deque<slot> window_;  // window_[i] is line first_ + i; the front one is pending
    std::uint64_t first_;
    std::uint64_t next_;  // one past the last line submitted
    std::size_t outstanding_ = 0;
    settled_lines settled_;
};

// ---------------------------------------------------------------------------------------------
// The input a checkpoint belongs to

/// How much of the start of a file its fingerprint covers.
inline constexpr std::size_t fingerprint_bytes = 64 * 1024;

/// What tells one input from another, so that a checkpoint is not applied to a different file.
struct input_identity {
    std::string path;         ///< absolute path of the file, or a description of generated users
    std::uint64_t size = 0;   ///< bytes in the file, or the number of generated users
    std::string fingerprint;  ///< FNV-1a of the first 64 KiB of the file, or the generator's seed

    friend bool operator==(const input_identity&, const input_identity&) = default;
};

namespace detail {

inline std::string hex64(std::uint64_t v) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
    return text;
}

inline std::string errno_message(int code) {
    return std::error_code(code, std::system_category()).message();
}

}  // namespace detail

/// The identity of the file at `path`: its absolute path, size, and a hash of its first 64 KiB
/// (reading the whole file would cost a second pass over many gigabytes). On failure returns
/// nullopt and sets `error`.
inline std::optional<input_identity> identify_input(const std::filesystem::path& path,
                                                    std::string& error) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        error = "cannot read " + path.string() + ": " + ec.message();
        return std::nullopt;
    }
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) {
        error = "cannot open " + path.string() + ": " + detail::errno_message(errno);
        return std::nullopt;
    }
    std::vector<char> head(fingerprint_bytes);
    const std::size_t got = std::fread(head.data(), 1, head.size(), file);
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed) {
        error = "cannot read " + path.string();
        return std::nullopt;
    }
    auto absolute = std::filesystem::absolute(path, ec);
    return input_identity{.path = (ec ? path : absolute).lexically_normal().string(),
                          .size = size,
                          .fingerprint = "fnv1a64:" + detail::hex64(fnv1a_64({head.data(), got}))};
}

/// The identity of the users of `--generate count --seed seed`.
inline input_identity identify_generated(std::uint64_t count, std::uint64_t seed) {
    return {
        .path = "generated users", .size = count, .fingerprint = "seed:" + std::to_string(seed)};
}

// ---------------------------------------------------------------------------------------------
// The checkpoint file

/// What a checkpoint file holds.
struct checkpoint {
    /// The version of the file format this code writes and reads.
    static constexpr std::int64_t format_version = 1;

    input_identity input;
    shard_spec shard;
    /// The line a resumed run starts from: every line before it is done (ack_tracker::watermark).
    std::uint64_t next_line = 1;
    /// The totals of the runs so far, so that the last run's summary covers the whole input.
    /// The user and assignment counts must cover the lines before `next_line` only (take them
    /// from ack_tracker::settled()), since a resumed run does the later lines again.
    sync_totals totals;

    friend bool operator==(const checkpoint&, const checkpoint&) = default;
};

/// The JSON form of a checkpoint.
inline boost::json::object to_json(const checkpoint& c) {
    const auto& t = c.totals;
    return {
        {"format", "permit-bulk-sync checkpoint"},
        {"version", checkpoint::format_version},
        {"input",
         {{"path", c.input.path}, {"size", c.input.size}, {"fingerprint", c.input.fingerprint}}},
        {"shard", to_string(c.shard)},
        {"next_line", c.next_line},
        {"totals",
         {{"users_synced", t.users_synced},
          {"users_rejected", t.users_rejected},
          {"users_skipped", t.users_skipped},
          {"tenants_synced", t.tenants_synced},
          {"assignments_synced", t.assignments_synced},
          {"http_requests", t.http_requests},
          {"retries", t.retries},
          {"rate_limited", t.rate_limited},
          {"elapsed_ms",
           static_cast<std::uint64_t>(std::max<std::int64_t>(t.elapsed.count(), 0))}}}};
}

namespace detail {

// Reads the JSON form of a checkpoint, naming the first field that is missing or wrong.
class checkpoint_reader {
  public:
    std::optional<checkpoint> read(const boost::json::value& doc) {
        const auto* root = object(doc, "the file");
        if (!root) return std::nullopt;
        const auto* format = root->if_contains("format");
        if (!format || !format->is_string() ||
            format->get_string() != "permit-bulk-sync checkpoint") {
            error = "not a permit-bulk-sync checkpoint";
            corrupt = false;
            return std::nullopt;
        }
        const auto* version = root->if_contains("version");
        if (!version || !version->is_int64()) {
            error = "\"version\" is missing or not a whole number";
            return std::nullopt;
        }
        if (version->get_int64() != checkpoint::format_version) {
            error = "version " + std::to_string(version->get_int64()) +
                    " is not supported (this tool reads version " +
                    std::to_string(checkpoint::format_version) + ")";
            corrupt = false;
            return std::nullopt;
        }

        checkpoint out;
        const auto* input = object(field(*root, "input"), "\"input\"");
        std::string shard;
        if (!input || !text(*input, "path", out.input.path) ||
            !number(*input, "size", out.input.size) ||
            !text(*input, "fingerprint", out.input.fingerprint) || !text(*root, "shard", shard) ||
            !number(*root, "next_line", out.next_line))
            return std::nullopt;
        std::string shard_error;
        auto spec = parse_shard_spec(shard, shard_error);
        if (!spec) {
            error = shard_error;
            return std::nullopt;
        }
        out.shard = *spec;

        auto& t = out.totals;
        const auto* totals = object(field(*root, "totals"), "\"totals\"");
        std::uint64_t elapsed_ms = 0;
        if (!totals || !number(*totals, "users_synced", t.users_synced) ||
            !number(*totals, "users_rejected", t.users_rejected) ||
            !number(*totals, "users_skipped", t.users_skipped) ||
            !number(*totals, "tenants_synced", t.tenants_synced) ||
            !number(*totals, "assignments_synced", t.assignments_synced) ||
            !number(*totals, "http_requests", t.http_requests) ||
            !number(*totals, "retries", t.retries) ||
            !number(*totals, "rate_limited", t.rate_limited) ||
            !number(*totals, "elapsed_ms", elapsed_ms))
            return std::nullopt;
        t.elapsed = std::chrono::milliseconds(static_cast<std::int64_t>(elapsed_ms));
        return out;
    }

    std::string error;
    bool corrupt = true;  // false when the file is well formed but not one this code reads

  private:
    static const boost::json::value* field(const boost::json::object& o, std::string_view name) {
        return o.if_contains(name);
    }

    const boost::json::object* object(const boost::json::value* v, std::string_view what) {
        if (v && v->is_object()) return &v->get_object();
        error = std::string(what) + " is not a JSON object";
        return nullptr;
    }

    const boost::json::object* object(const boost::json::value& v, std::string_view what) {
        return object(&v, what);
    }

    bool text(const boost::json::object& o, std::string_view name, std::string& out) {
        const auto* v = o.if_contains(name);
        if (!v || !v->is_string()) {
            error = "\"" + std::string(name) + "\" is missing or not a string";
            return false;
        }
        out.assign(v->get_string().data(), v->get_string().size());
        return true;
    }

    bool number(const boost::json::object& o, std::string_view name, std::uint64_t& out) {
        const auto* v = o.if_contains(name);
        if (v && v->is_uint64()) {
            out = v->get_uint64();
            return true;
        }
        if (v && v->is_int64() && v->get_int64() >= 0) {
            out = static_cast<std::uint64_t>(v->get_int64());
            return true;
        }
        error = "\"" + std::string(name) + "\" is missing or not a whole number";
        return false;
    }
};

// Makes a rename durable: the directory entry is on disk only once the directory is synced.
inline void sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;  // best effort: the file itself is already on disk
    ::fsync(fd);
    ::close(fd);
}

}  // namespace detail

/// Writes `c` to `path` so that a crash at any moment leaves either the previous checkpoint or
/// the new one, never a torn file: the JSON goes to `path.tmp`, is synced to disk, and replaces
/// `path` by a rename. On failure returns false and sets `error`.
inline bool save_checkpoint(const checkpoint& c, const std::filesystem::path& path,
                            std::string& error) {
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    const std::string text = boost::json::serialize(to_json(c)) + "\n";
    std::FILE* file = std::fopen(tmp.c_str(), "wb");
    if (!file) {
        error = "cannot write checkpoint " + tmp.string() + ": " + detail::errno_message(errno);
        return false;
    }
    bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size() &&
              std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
    int failure = ok ? 0 : errno;
    if (std::fclose(file) != 0 && ok) {
        ok = false;
        failure = errno;
    }
    if (!ok) {
        error = "cannot write checkpoint " + tmp.string() + ": " + detail::errno_message(failure);
        std::remove(tmp.c_str());
        return false;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        error = "cannot replace checkpoint " + path.string() + ": " + ec.message();
        std::remove(tmp.c_str());
        return false;
    }
    detail::sync_directory(path.parent_path());
    return true;
}

/// Reads the checkpoint at `path`. Returns nothing, with `error` empty, when there is no such
/// file (a first run); returns nothing with `error` set when the file cannot be read or is not a
/// valid checkpoint, which must stop the tool rather than start over.
inline std::optional<checkpoint> load_checkpoint(const std::filesystem::path& path,
                                                 std::string& error) {
    error.clear();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) return std::nullopt;
    const std::string where = "checkpoint " + path.string();
    // A checkpoint is a few hundred bytes; anything much larger is not one.
    constexpr std::uintmax_t max_size = 1024 * 1024;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        error = "cannot read " + where + ": " + ec.message();
        return std::nullopt;
    }
    if (size > max_size) {
        error = where + " is corrupt: too large";
        return std::nullopt;
    }
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) {
        error = "cannot read " + where + ": " + detail::errno_message(errno);
        return std::nullopt;
    }
    std::string text(static_cast<std::size_t>(size), '\0');
    const std::size_t got = std::fread(text.data(), 1, text.size(), file);
    std::fclose(file);
    text.resize(got);

    boost::json::error_code json_ec;
    const boost::json::value doc = boost::json::parse(text, json_ec);
    if (json_ec) {
        error = where + " is corrupt: " + json_ec.message();
        return std::nullopt;
    }
    detail::checkpoint_reader reader;
    auto out = reader.read(doc);
    if (!out) error = where + (reader.corrupt ? " is corrupt: " : ": ") + reader.error;
    return out;
}

/// Whether a run over `input` as shard `shard` may resume from `c`. If not, returns false and
/// sets `error` to say what differs: resuming with another file, a changed file or another
/// shard would skip users that were never synced.
inline bool check_resume(const checkpoint& c, const input_identity& input, shard_spec shard,
                         std::string& error) {
    const auto refuse = [&](std::string why) {
        error = "cannot resume: " + why;
        return false;
    };
    if (c.input.path != input.path)
        return refuse("the checkpoint is for " + c.input.path + ", not " + input.path);
    if (c.input.size != input.size)
        return refuse(input.path + " has changed since the checkpoint (size " +
                      format_count(c.input.size) + " then, " + format_count(input.size) + " now)");
    if (c.input.fingerprint != input.fingerprint)
        return refuse(input.path + " has changed since the checkpoint (its start differs)");
    if (c.shard != shard)
        return refuse("the checkpoint is for shard " + to_string(c.shard) + ", not " +
                      to_string(shard));
    return true;
}

}  // namespace permit_bulk_sync
