// The input files of `permit-bulk-sync`: reading a file of any size line by line in bounded
// memory, detecting its format, and turning each line of JSON Lines or CSV into a user to sync or
// a reject that says why the line cannot be synced.
#pragma once

#include <permit/detail/utf8.hpp>
#include <permit/models/user.hpp>

#include <boost/json/array.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace permit_bulk_sync {

// ---------------------------------------------------------------------------------------------
// Results of parsing a line

/// One user to sync, read from input line `line`; its tenants and roles are in
/// `user.role_assignments` (an assignment without a tenant is in the default tenant).
struct sync_record {
    std::uint64_t line = 0;
    permit::user_create user;

    friend bool operator==(const sync_record&, const sync_record&) = default;
};

/// An input line that cannot be synced, with a short reason for a human.
struct reject {
    std::uint64_t line = 0;
    std::string reason;

    friend bool operator==(const reject&, const reject&) = default;
};

/// A line with nothing on it but spaces: skipped, neither synced nor rejected.
struct blank_line {
    std::uint64_t line = 0;

    friend bool operator==(const blank_line&, const blank_line&) = default;
};

/// What one input line turned out to be.
using parsed_line = std::variant<blank_line, sync_record, reject>;

// ---------------------------------------------------------------------------------------------
// Validation shared by every format

/// The pattern of a user key (UserCreate.key), quoted in reject reasons.
inline constexpr std::string_view user_key_pattern = R"(^[A-Za-z0-9|@+\-\._]+$)";
/// The pattern of a tenant key (TenantCreate.key), quoted in reject reasons.
inline constexpr std::string_view tenant_key_pattern = R"(^[A-Za-z0-9\-_]+$)";

namespace detail {

inline bool is_ascii_alnum(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

inline bool is_blank(std::string_view text) noexcept {
    return text.find_first_not_of(" \t") == std::string_view::npos;
}

using permit::detail::utf8_sequence_length;

inline bool is_valid_utf8(std::string_view text) noexcept {
    return permit::detail::first_invalid_utf8(text) == std::string_view::npos;
}

// A value quoted for a reject reason: JSON-style escapes so that control characters cannot break
// the line of a rejects file, `\xNN` for a byte that is not UTF-8 (the reason is JSON text in the
// rejects file), and cut at `max` bytes (on a UTF-8 boundary) so that a 64 KiB field does not
// make a 64 KiB message.
inline std::string in_quotes(std::string_view value, std::size_t max = 64) {
    bool cut = false;
    if (value.size() > max) {
        while (max > 0 && (static_cast<unsigned char>(value[max]) & 0xC0) == 0x80) --max;
        value = value.substr(0, max);
        cut = true;
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < value.size();) {
        const char c = value[i];
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7F) {
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 0xF];
        } else if (u >= 0x80) {
            if (const auto length = utf8_sequence_length(value.substr(i)); length > 0) {
                out.append(value.substr(i, length));
                i += length;
                continue;
            }
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 0xF];
        } else {
            out += c;
        }
        ++i;
    }
    out += cut ? "...\"" : "\"";
    return out;
}

}  // namespace detail

/// Whether `key` matches `user_key_pattern`.
inline bool is_valid_user_key(std::string_view key) noexcept {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return detail::is_ascii_alnum(c) ||
               std::string_view("|@+-._").find(c) != std::string_view::npos;
    });
}

/// Whether `key` matches `tenant_key_pattern`.
inline bool is_valid_tenant_key(std::string_view key) noexcept {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return detail::is_ascii_alnum(c) || c == '-' || c == '_';
    });
}

/// A deliberately simple email check, meant to catch typos and shifted columns before they cost
/// a request, not to implement RFC 5321: at most 254 bytes, exactly one `@`, a non-empty local
/// part, a domain with a dot that neither starts nor ends it, and no spaces or control
/// characters. The server keeps the last word on anything this lets through.
inline bool is_plausible_email(std::string_view email) noexcept {
    if (email.empty() || email.size() > 254) return false;
    if (std::any_of(email.begin(), email.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u <= 0x20 || u == 0x7F;
        }))
        return false;
    const auto at = email.find('@');
    if (at == std::string_view::npos || at == 0 ||
        email.find('@', at + 1) != std::string_view::npos)
        return false;
    const std::string_view domain = email.substr(at + 1);
    const auto dot = domain.find('.');
    return dot != std::string_view::npos && domain.front() != '.' && domain.back() != '.';
}

/// The first reason the API would refuse `user`, as a reject reason, or nothing if it looks valid.
/// Both formats call it last, so a user is held to the same rules whatever file it came from.
inline std::optional<std::string> validate_user(const permit::user_create& user) {
    if (!is_valid_user_key(user.key))
        return "invalid key " + detail::in_quotes(user.key) + ": must match " +
               std::string(user_key_pattern);
    // A CSV field is bytes as the file has them (a spreadsheet's Latin-1 export, say), and a body
    // that is not UTF-8 is not JSON: the API would refuse the whole batch, not this one user.
    const auto not_utf8 = [](std::string_view name, const std::string& value) {
        return std::string(name) + " is not valid UTF-8: " + detail::in_quotes(value);
    };
    for (auto [name, value] :
         {std::pair{"email", &user.email}, std::pair{"first_name", &user.first_name},
          std::pair{"last_name", &user.last_name}}) {
        if (*value && !detail::is_valid_utf8(**value)) return not_utf8(name, **value);
    }
    for (const auto& a : user.role_assignments) {
        if (!detail::is_valid_utf8(a.role)) return not_utf8("role", a.role);
        if (a.resource_instance && !detail::is_valid_utf8(*a.resource_instance))
            return not_utf8("resource_instance", *a.resource_instance);
    }
    if (user.email && !is_plausible_email(*user.email))
        return "invalid email " + detail::in_quotes(*user.email);
    for (const auto& a : user.role_assignments) {
        if (a.role.empty()) return std::string("empty role");
        if (a.tenant && !is_valid_tenant_key(*a.tenant))
            return "invalid tenant " + detail::in_quotes(*a.tenant) + ": must match " +
                   std::string(tenant_key_pattern);
        if (a.resource_instance && a.resource_instance->empty())
            return std::string("empty resource_instance");
    }
    return std::nullopt;
}

namespace detail {

// The flat form both formats share: one optional tenant and a list of roles in it. A tenant with
// no role is refused rather than dropped: in Permit a user belongs to a tenant only through a
// role, so syncing the user alone would silently leave the tenant out.
inline std::optional<std::string> add_flat_assignments(permit::user_create& user,
                                                       const std::optional<std::string>& tenant,
                                                       const std::vector<std::string>& roles) {
    if (tenant && roles.empty())
        return "tenant " + in_quotes(*tenant) +
               " has no role (a user joins a tenant through a role)";
    for (const auto& role : roles)
        user.role_assignments.push_back({.role = role, .tenant = tenant});
    return std::nullopt;
}

// The record, or the reject if the user breaks a rule of validate_user().
inline parsed_line finish(std::uint64_t line, permit::user_create user) {
    if (auto problem = validate_user(user)) return reject{line, std::move(*problem)};
    return sync_record{line, std::move(user)};
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// JSON Lines

namespace detail {

inline std::string field_name(std::string_view name) {
    return "\"" + std::string(name) + "\"";
}

// Reads an optional string field: absent or null is unset. Returns the reject reason on a type
// mismatch.
inline std::optional<std::string> read_optional_string(const boost::json::object& o,
                                                       std::string_view name,
                                                       std::optional<std::string>& out) {
    const auto* v = o.if_contains(name);
    if (!v || v->is_null()) return std::nullopt;
    const auto* s = v->if_string();
    if (!s) return field_name(name) + " is not a string";
    out.emplace(s->data(), s->size());
    return std::nullopt;
}

// The reject reason for the first field of `o` not in `known`; `suffix` says where `o` is.
inline std::optional<std::string> unknown_field(const boost::json::object& o,
                                                std::initializer_list<std::string_view> known,
                                                std::string_view suffix) {
    for (const auto& kv : o) {
        if (std::find(known.begin(), known.end(), kv.key()) == known.end())
            return "unknown field " + in_quotes(kv.key()) + std::string(suffix);
    }
    return std::nullopt;
}

// The `role_assignments` form: a list of `{role, tenant?, resource_instance?}`.
inline std::optional<std::string> read_role_assignments(const boost::json::value& v,
                                                        permit::user_create& user) {
    const auto* items = v.if_array();
    if (!items) return std::string("\"role_assignments\" is not an array");
    for (std::size_t i = 0; i < items->size(); ++i) {
        const std::string where = "role_assignments[" + std::to_string(i) + "]";
        const auto* item = (*items)[i].if_object();
        if (!item) return where + " is not a JSON object";
        if (auto bad =
                unknown_field(*item, {"role", "tenant", "resource_instance"}, " in " + where))
            return bad;
        permit::user_role_create assignment;
        std::optional<std::string> role;
        for (auto [name, out] : {std::pair{"role", &role}, std::pair{"tenant", &assignment.tenant},
                                 std::pair{"resource_instance", &assignment.resource_instance}}) {
            if (auto bad = read_optional_string(*item, name, *out)) return *bad + " in " + where;
        }
        if (!role) return "missing \"role\" in " + where;
        assignment.role = std::move(*role);
        user.role_assignments.push_back(std::move(assignment));
    }
    return std::nullopt;
}

// The `tenant` + `role`/`roles` form.
inline std::optional<std::string> read_flat_assignments(const boost::json::object& o,
                                                        permit::user_create& user) {
    std::optional<std::string> tenant;
    if (auto bad = read_optional_string(o, "tenant", tenant)) return bad;
    const auto* role = o.if_contains("role");
    const auto* roles = o.if_contains("roles");
    if (role && roles) return std::string("give \"role\" or \"roles\", not both");
    std::vector<std::string> names;
    if (role && !role->is_null()) {
        const auto* s = role->if_string();
        if (!s) return std::string("\"role\" is not a string");
        names.emplace_back(s->data(), s->size());
    }
    if (roles && !roles->is_null()) {
        const auto* list = roles->if_array();
        if (!list) return std::string("\"roles\" is not an array of strings");
        for (const auto& r : *list) {
            const auto* s = r.if_string();
            if (!s) return std::string("\"roles\" is not an array of strings");
            names.emplace_back(s->data(), s->size());
        }
    }
    return add_flat_assignments(user, tenant, names);
}

}  // namespace detail

/// Parses one line of JSON Lines: an object with `key` (required), `email`, `first_name`,
/// `last_name`, `attributes` (an object), and either `tenant` with `role` (a string) or `roles`
/// (an array of strings), or `role_assignments` (a list of `{role, tenant?, resource_instance?}`).
/// A null field is an absent one. Any other field rejects the line, so that a misspelt field is
/// reported rather than silently not synced.
inline parsed_line parse_json_line(std::string_view text, std::uint64_t line) {
    if (detail::is_blank(text)) return blank_line{line};
    const auto fail = [line](std::string reason) -> parsed_line {
        return reject{line, std::move(reason)};
    };

    boost::json::parser parser;
    boost::json::error_code ec;
    const std::size_t consumed = parser.write(text.data(), text.size(), ec);
    if (ec)
        return fail("malformed JSON at column " + std::to_string(consumed + 1) + ": " +
                    ec.message());
    const boost::json::value doc = parser.release();
    const auto* o = doc.if_object();
    if (!o) return fail("not a JSON object");
    if (auto bad = detail::unknown_field(*o,
                                         {"key", "email", "first_name", "last_name", "attributes",
                                          "tenant", "role", "roles", "role_assignments"},
                                         ""))
        return fail(std::move(*bad));

    permit::user_create user;
    std::optional<std::string> key;
    if (auto bad = detail::read_optional_string(*o, "key", key)) return fail(std::move(*bad));
    if (!key) return fail("missing \"key\"");
    user.key = std::move(*key);
    for (auto [name, out] :
         {std::pair{"email", &user.email}, std::pair{"first_name", &user.first_name},
          std::pair{"last_name", &user.last_name}}) {
        if (auto bad = detail::read_optional_string(*o, name, *out)) return fail(std::move(*bad));
    }
    if (const auto* attributes = o->if_contains("attributes");
        attributes && !attributes->is_null()) {
        const auto* object = attributes->if_object();
        if (!object) return fail("attributes is not a JSON object");
        user.attributes = *object;
    }

    if (const auto* assignments = o->if_contains("role_assignments")) {
        if (o->contains("tenant") || o->contains("role") || o->contains("roles"))
            return fail(
                "\"role_assignments\" cannot be combined with \"tenant\", \"role\" or \"roles\"");
        if (!assignments->is_null()) {
            if (auto bad = detail::read_role_assignments(*assignments, user))
                return fail(std::move(*bad));
        }
    } else if (auto bad = detail::read_flat_assignments(*o, user)) {
        return fail(std::move(*bad));
    }
    return detail::finish(line, std::move(user));
}

// ---------------------------------------------------------------------------------------------
// CSV

/// Splits one CSV record into `fields` following RFC 4180: fields are separated by commas; a field
/// in double quotes may hold commas, and `""` inside it stands for one quote. Spaces are part of
/// a field. A quoted field may not span lines (the input is read line by line, and a line number
/// must name one record for rejects and resume). Returns a reject reason on malformed quoting.
inline std::optional<std::string> split_csv_record(std::string_view text,
                                                   std::vector<std::string>& fields) {
    fields.clear();
    std::size_t i = 0;
    for (;;) {
        std::string field;
        const std::size_t number = fields.size() + 1;
        if (i < text.size() && text[i] == '"') {
            ++i;
            for (;;) {
                const auto quote = text.find('"', i);
                if (quote == std::string_view::npos)
                    return "unterminated quoted field " + std::to_string(number) +
                           " (a field cannot span lines)";
                field.append(text.substr(i, quote - i));
                i = quote + 1;
                if (i < text.size() && text[i] == '"') {
                    field += '"';
                    ++i;
                    continue;
                }
                break;
            }
            if (i < text.size() && text[i] != ',')
                return "unexpected text after the closing quote of field " + std::to_string(number);
        } else {
            const auto comma = std::min(text.find(',', i), text.size());
            field.assign(text.substr(i, comma - i));
            if (field.find('"') != std::string::npos)
                return "quote inside unquoted field " + std::to_string(number) +
                       " (quote the whole field and double the quote)";
            i = comma;
        }
        fields.push_back(std::move(field));
        if (i >= text.size()) return std::nullopt;
        ++i;  // the comma
    }
}

/// The columns of a CSV users file, read from its header line: `key`, `email`, `first_name`,
/// `last_name`, `tenant` and `role` in any order, and optionally `attributes` (a JSON object).
class csv_columns {
  public:
    /// Reads the header line. An unknown, repeated or missing column makes the whole file
    /// unusable: returns nullopt and sets `error`, for the tool to print before it starts.
    static std::optional<csv_columns> from_header(std::string_view header, std::string& error) {
        std::vector<std::string> names;
        if (auto bad = split_csv_record(header, names)) {
            error = "CSV header: " + *bad;
            return std::nullopt;
        }
        csv_columns out;
        out.count_ = names.size();
        for (std::size_t i = 0; i < names.size(); ++i) {
            std::string_view name = names[i];
            while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
            while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
            const auto known = std::find(column_names.begin(), column_names.end(), name);
            if (known == column_names.end()) {
                error = "unknown column " + detail::in_quotes(name) +
                        " (the columns are key, email, first_name, last_name, tenant, role "
                        "and, optionally, attributes)";
                return std::nullopt;
            }
            auto& index = out.index_[static_cast<std::size_t>(known - column_names.begin())];
            if (index) {
                error = "column " + detail::in_quotes(name) + " appears twice";
                return std::nullopt;
            }
            index = i;
        }
        std::vector<std::string_view> missing;
        for (std::size_t c = 0; c < required_columns; ++c)
            if (!out.index_[c]) missing.push_back(column_names[c]);
        if (!missing.empty()) {
            error = missing.size() == 1 ? "missing column " : "missing columns ";
            for (std::size_t m = 0; m < missing.size(); ++m)
                error += (m ? ", " : "") + detail::in_quotes(missing[m]);
            return std::nullopt;
        }
        return out;
    }

    /// The number of fields every row must have.
    std::size_t size() const noexcept { return count_; }

    /// Parses one row. Empty `email`, `first_name` and `last_name` are absent; an empty `tenant`
    /// is the default tenant; an empty `role` means no role assignment; an empty `attributes` is
    /// no attributes.
    parsed_line parse_row(std::string_view text, std::uint64_t line) const {
        if (detail::is_blank(text)) return blank_line{line};
        const auto fail = [line](std::string reason) -> parsed_line {
            return reject{line, std::move(reason)};
        };
        std::vector<std::string> fields;
        if (auto bad = split_csv_record(text, fields)) return fail(std::move(*bad));
        if (fields.size() != count_)
            return fail("expected " + std::to_string(count_) + " fields, found " +
                        std::to_string(fields.size()));
        const auto take = [&](column c) -> std::optional<std::string> {
            const auto& index = index_[static_cast<std::size_t>(c)];
            if (!index || fields[*index].empty()) return std::nullopt;
            return std::move(fields[*index]);
        };

        permit::user_create user;
        auto key = take(column::key);
        if (!key) return fail("missing key");
        user.key = std::move(*key);
        user.email = take(column::email);
        user.first_name = take(column::first_name);
        user.last_name = take(column::last_name);
        if (auto attributes = take(column::attributes)) {
            boost::json::parser parser;
            boost::json::error_code ec;
            parser.write(attributes->data(), attributes->size(), ec);
            if (ec) return fail("attributes is not valid JSON: " + ec.message());
            boost::json::value doc = parser.release();
            auto* object = doc.if_object();
            if (!object) return fail("attributes is not a JSON object");
            user.attributes = std::move(*object);
        }
        std::vector<std::string> roles;
        if (auto role = take(column::role)) roles.push_back(std::move(*role));
        if (auto bad = detail::add_flat_assignments(user, take(column::tenant), roles))
            return fail(std::move(*bad));
        return detail::finish(line, std::move(user));
    }

  private:
    enum class column { key, email, first_name, last_name, tenant, role, attributes };
    static constexpr std::size_t required_columns = 6;  // all but attributes
    static constexpr std::array<std::string_view, 7> column_names{
        "key", "email", "first_name", "last_name", "tenant", "role", "attributes"};

    csv_columns() = default;

    std::array<std::optional<std::size_t>, 7> index_{};
    std::size_t count_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Reading lines

/// One line of an input file.
struct input_line {
    /// 1-based line number.
    std::uint64_t number = 0;
    /// The line without its `\n` or `\r\n`; valid until the reader is used again. Empty when
    /// `too_long`.
    std::string_view text;
    /// The line was longer than the reader's maximum and was skipped unread.
    bool too_long = false;
};

/// Reads a file line by line, in chunks, in memory bounded by the longest line it accepts: a
/// longer line is skipped up to its newline without being kept, and reported as too long.
/// Accepts `\n` and `\r\n` line endings, a last line without a newline, and skips a UTF-8 byte
/// order mark at the start of the file (spreadsheets write one in CSV exports).
class line_reader {
  public:
    /// The longest line accepted by default, in bytes, without its line ending.
    static constexpr std::size_t default_max_line = 64 * 1024;

    /// Reads from `file` (the caller keeps ownership and closes it), from its current position.
    explicit line_reader(std::FILE* file, std::size_t max_line = default_max_line)
        : file_(file), max_line_(max_line), buffer_(std::max(max_line + 2, min_capacity)) {}

    line_reader(const line_reader&) = delete;
    line_reader& operator=(const line_reader&) = delete;

    /// The next line, or nothing at the end of the file (or after a read error, see failed()).
    std::optional<input_line> next() {
        for (;;) {
            if (const char* newline = find_newline()) {
                const std::size_t length = static_cast<std::size_t>(newline - data());
                return take(length, length + 1);
            }
            const std::size_t pending = end_ - begin_;
            if (eof_) {
                if (pending == 0) return std::nullopt;
                return take(pending, pending);
            }
            // No newline in max_line + 2 bytes: even without a `\r\n` the line is too long.
            if (pending >= max_line_ + 2) {
                discard(pending);
                skip_past_newline();
                return input_line{.number = ++line_number_, .too_long = true};
            }
            refill();
        }
    }

    /// Moves on so that the next line returned is line `number`, reading the lines before it
    /// only to count their newlines (for resuming far into a large file). Does nothing if that
    /// line was passed already. Returns false if the file has fewer than `number - 1` lines.
    bool skip_to(std::uint64_t number) {
        while (line_number_ + 1 < number) {
            if (const char* newline = find_newline()) {
                discard(static_cast<std::size_t>(newline - data()) + 1);
                ++line_number_;
                continue;
            }
            const std::size_t pending = end_ - begin_;
            if (eof_) {
                if (pending == 0) return false;
                discard(pending);
                ++line_number_;
                continue;
            }
            discard(pending);
            refill();
        }
        return true;
    }

    /// Up to `n` bytes (at most capacity()) from the current position, without consuming them:
    /// enough of the file to detect its format.
    std::string_view peek(std::size_t n) {
        n = std::min(n, buffer_.size());
        while (end_ - begin_ < n && !eof_) refill();
        return {data(), std::min(n, end_ - begin_)};
    }

    /// The number of the last line returned or skipped; 0 before the first.
    std::uint64_t line_number() const noexcept { return line_number_; }
    /// The bytes of the file consumed so far, for progress on a file of known size.
    std::uint64_t offset() const noexcept { return offset_; }
    /// The longest line accepted, in bytes.
    std::size_t max_line() const noexcept { return max_line_; }
    /// The size of the read buffer, fixed at construction whatever the lines read.
    std::size_t capacity() const noexcept { return buffer_.size(); }
    /// Whether reading stopped on an I/O error rather than at the end of the file.
    bool failed() const noexcept { return failed_; }

  private:
    static constexpr std::size_t min_capacity = 4096;

    const char* data() const noexcept { return buffer_.data() + begin_; }

    const char* find_newline() const noexcept {
        return static_cast<const char*>(std::memchr(data(), '\n', end_ - begin_));
    }

    void discard(std::size_t n) noexcept {
        begin_ += n;
        offset_ += n;
    }

    // Returns the `length` bytes at the front as the next line and consumes `consumed` bytes.
    input_line take(std::size_t length, std::size_t consumed) {
        std::string_view text(data(), length);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        discard(consumed);
        input_line out{.number = ++line_number_};
        if (text.size() > max_line_)
            out.too_long = true;
        else
            out.text = text;
        return out;
    }

    // Consumes input up to and including the next newline, one buffer at a time.
    void skip_past_newline() {
        while (!eof_) {
            refill();
            if (const char* newline = find_newline()) {
                discard(static_cast<std::size_t>(newline - data()) + 1);
                return;
            }
            discard(end_ - begin_);
        }
    }

    // Moves the unread bytes to the front and reads as much as fits after them. fread returns
    // short only at the end of the file or on an error.
    void refill() {
        if (begin_ > 0) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        const std::size_t wanted = buffer_.size() - end_;
        const std::size_t got = std::fread(buffer_.data() + end_, 1, wanted, file_);
        end_ += got;
        if (got < wanted) {
            eof_ = true;
            failed_ = std::ferror(file_) != 0;
        }
        if (offset_ == 0 && !bom_checked_) {
            bom_checked_ = true;
            if (std::string_view(data(), end_ - begin_).starts_with("\xEF\xBB\xBF")) discard(3);
        }
    }

    std::FILE* file_;
    std::size_t max_line_;
    std::vector<char> buffer_;  // never resized: its size bounds the reader's memory
    std::size_t begin_ = 0;     // unread bytes are [begin_, end_)
    std::size_t end_ = 0;
    std::uint64_t line_number_ = 0;
    std::uint64_t offset_ = 0;
    bool eof_ = false;
    bool failed_ = false;
    bool bom_checked_ = false;
};

// ---------------------------------------------------------------------------------------------
// Formats

/// The formats of a users file.
enum class input_format { json_lines, csv };

/// The name of a format, for messages.
inline std::string_view to_string(input_format f) noexcept {
    return f == input_format::json_lines ? "JSON Lines" : "CSV";
}

/// The format a file name announces: `.jsonl`, `.ndjson` and `.json` are JSON Lines, `.csv` is
/// CSV (in any letter case); nothing for any other extension.
inline std::optional<input_format> format_from_extension(const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return input_format::json_lines;
    if (ext == ".csv") return input_format::csv;
    return std::nullopt;
}

/// The format of a file: from its extension, else from `head`, the first bytes of the file
/// (line_reader::peek): JSON Lines if the first byte that is not a space, a line ending or a
/// byte order mark is `{`, otherwise CSV.
inline input_format detect_format(const std::filesystem::path& path, std::string_view head) {
    if (auto by_name = format_from_extension(path)) return *by_name;
    if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
    const auto first = head.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && head[first] == '{' ? input_format::json_lines
                                                                 : input_format::csv;
}

/// Turns the lines of one input file into records, rejects and blank lines, whatever its format.
class record_parser {
  public:
    /// A parser of JSON Lines; `max_line` is the reader's limit, named in the reject of a line
    /// that exceeds it.
    explicit record_parser(std::size_t max_line = line_reader::default_max_line)
        : max_line_(max_line) {}

    /// A parser of CSV with the given columns.
    explicit record_parser(csv_columns columns,
                           std::size_t max_line = line_reader::default_max_line)
        : columns_(std::move(columns)), max_line_(max_line) {}

    /// The format parsed.
    input_format format() const noexcept {
        return columns_ ? input_format::csv : input_format::json_lines;
    }

    /// Parses one line that `line_reader` returned.
    parsed_line parse(const input_line& line) const {
        if (line.too_long)
            return reject{line.number, "line longer than " + std::to_string(max_line_) + " bytes"};
        return columns_ ? columns_->parse_row(line.text, line.number)
                        : parse_json_line(line.text, line.number);
    }

  private:
    std::optional<csv_columns> columns_;
    std::size_t max_line_;
};

/// A parser for a file of format `format` read by `reader`. For CSV it reads the header, the
/// first line that is not blank, so call it before `reader.skip_to()` when resuming. On an
/// unusable header returns nullopt and sets `error`.
inline std::optional<record_parser> make_record_parser(input_format format, line_reader& reader,
                                                       std::string& error) {
    if (format == input_format::json_lines) return record_parser(reader.max_line());
    while (auto line = reader.next()) {
        if (line->too_long) {
            error = "CSV header (line " + std::to_string(line->number) + ") is longer than " +
                    std::to_string(reader.max_line()) + " bytes";
            return std::nullopt;
        }
        if (detail::is_blank(line->text)) continue;
        auto columns = csv_columns::from_header(line->text, error);
        if (!columns) return std::nullopt;
        return record_parser(std::move(*columns), reader.max_line());
    }
    error = reader.failed() ? "cannot read the CSV header" : "empty CSV file: no header line";
    return std::nullopt;
}

}  // namespace permit_bulk_sync
