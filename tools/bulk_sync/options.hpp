// The command line of `permit-bulk-sync`: parsing into tool_options, with the environment as a
// fallback for the connection settings, and the usage text. Errors are returned, never printed,
// and never show the API key.
#pragma once

#include "shard.hpp"

#include <permit/detail/http/proxy.hpp>
#include <permit/proxy_options.hpp>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace permit_bulk_sync {

/// What the command line asks for. Unset connection settings are left to the client's defaults.
struct tool_options {
    std::optional<std::filesystem::path> input;    ///< the users file
    std::optional<std::uint64_t> generate;         ///< `--generate N`: N generated users instead
    std::optional<std::filesystem::path> output;   ///< `--output`: write generated users there
    std::optional<std::string> api_url;            ///< `--api-url`, else `PERMIT_API_URL`
    std::optional<std::string> pdp_url;            ///< `--pdp-url`, else `PERMIT_PDP_URL`
    std::optional<std::string> api_key;            ///< `--api-key`, else `PERMIT_API_KEY`
    std::optional<std::filesystem::path> report;   ///< `--report`: the summary as JSON
    std::optional<std::filesystem::path> rejects;  ///< `--rejects`: the lines not synced
    std::optional<std::filesystem::path> resume;   ///< `--resume`: the checkpoint file
    shard_spec shard;                              ///< `--shard K/N`
    bool dry_run = false;                          ///< `--dry-run`: check the input only
    bool verify = false;       ///< `--verify`: after syncing, check that Permit holds the input
    bool verify_only = false;  ///< `--verify-only`: check that Permit holds the input, sync nothing
    std::uint64_t seed = 1;    ///< `--seed`: which generated data set
    std::optional<std::string> redis_url;     ///< `--redis`: the rate budget shared through Redis
    std::optional<std::string> redis_prefix;  ///< `--redis-prefix`: its keys' prefix
    /// `--rate-time-scale`: the rate limits always on, each window divided by this
    std::optional<double> rate_time_scale;
    /// `--https-proxy`, `--http-proxy`, `--no-proxy`, else the variables curl reads (`https_proxy`,
    /// `HTTPS_PROXY`, ...; see `permit::proxy_options::from_environment`)
    permit::proxy_options proxy;
    bool help = false;  ///< `--help`: print usage() and stop
};

/// Looks up an environment variable the way std::getenv does (nullptr when unset); tests pass
/// their own.
using getenv_function = std::function<const char*(const char*)>;

/// The help text.
inline std::string usage() {
    return R"(usage: permit-bulk-sync [options] USERS_FILE
       permit-bulk-sync [options] --generate N [--seed N] [--output FILE]

Syncs users, with their tenants and roles, into Permit from a file of any size.

Input:
  USERS_FILE       JSON Lines (.jsonl, .ndjson, .json): one object per line with "key" and
                   optionally "email", "first_name", "last_name", "attributes", and "tenant"
                   with "role" or "roles", or "role_assignments".
                   CSV (.csv): a header line naming the columns key, email, first_name,
                   last_name, tenant, role (any order) and optionally attributes (JSON).
                   Any other name: JSON Lines if the file starts with "{", else CSV.
  --generate N     sync N generated users instead of reading a file
  --seed N         which generated users (default 1): the same N and seed, the same users
  --output FILE    write the generated users to FILE as JSON Lines instead of syncing them

Permit:
  --api-url URL    the REST API (default: $PERMIT_API_URL, else https://api.permit.io)
  --pdp-url URL    the PDP (default: $PERMIT_PDP_URL, else http://localhost:7766)
  --api-key KEY    the API key (default: $PERMIT_API_KEY; prefer the variable, since other
                   users of the machine can see a command line)
                   With no API key and no --api-url, a Permit emulator is started in the
                   process, the roles the input uses are created in it, the users are synced
                   into it, and the result is verified.

Run:
  --dry-run        read and check the input, sync nothing
  --verify         after syncing, check that Permit holds exactly what the input says (the
                   user and assignment counts, every tenant, and a sample of users); on by
                   default with the built-in emulator. The environment must hold nothing else.
  --verify-only    check as --verify does, and sync nothing
  --shard K/N      sync only shard K of N (0 <= K < N); shards split users by a stable hash
                   of their key, so N runs with K = 0..N-1 sync each user exactly once
  --redis URL      share Permit's rate budget with the other shards (and any other client of
                   the environment) through the Redis server at URL,
                   redis://[[user]:password@]host[:port][/db]; without it each process paces
                   itself as if it were alone. Needs the tool built with PERMIT_WITH_REDIS
  --redis-prefix P the prefix of the budget's keys in Redis (default permit:rate:); the
                   clients that share a budget use the same one
  --https-proxy URL
                   reach https:// URLs through the HTTP proxy at URL,
                   http://[user:password@]host[:port] (a CONNECT tunnel: the proxy sees
                   neither the requests nor the key); default: $https_proxy or $HTTPS_PROXY
  --http-proxy URL reach http:// URLs through the HTTP proxy at URL (default: $http_proxy)
  --no-proxy LIST  the hosts reached directly, in curl's NO_PROXY syntax (names, domain
                   suffixes, addresses, CIDR ranges, *); default: $no_proxy or $NO_PROXY
                   The emulator started without an API key is always reached directly.
  --rate-time-scale X
                   apply the rate limits to any API host, each window divided by X, for an
                   emulator started with --rate-limits '{"time_scale":X}' (by default they
                   apply to api.permit.io and api.eu.permit.io, with their real windows)
  --resume FILE    keep a checkpoint in FILE; if FILE exists, continue where it stopped
  --rejects FILE   write each line that cannot be synced, with the reason, to FILE
  --report FILE    write the final summary to FILE as JSON
  -h, --help       print this help
)";
}

namespace detail {

// Replaces every occurrence of the secrets in `text`, and anything shaped like a Permit key, so
// that no error message can carry a key, whichever argument it was mistakenly given as.
inline std::string redact(std::string text, const std::vector<std::string>& secrets) {
    constexpr std::string_view hidden = "(hidden)";
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        for (auto at = text.find(secret); at != std::string::npos;
             at = text.find(secret, at + hidden.size()))
            text.replace(at, secret.size(), hidden);
    }
    constexpr std::string_view key_prefix = "permit_key_";
    for (auto at = text.find(key_prefix); at != std::string::npos; at = text.find(key_prefix, at)) {
        auto end = at + key_prefix.size();
        while (end < text.size() && text[end] != ' ' && text[end] != '"' && text[end] != '\'')
            ++end;
        text.replace(at, end - at, hidden);
    }
    return text;
}

inline std::optional<std::uint64_t> parse_count(std::string_view s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

inline bool is_http_url(std::string_view s) noexcept {
    return s.starts_with("http://") || s.starts_with("https://");
}

// The options that take a value, and the flags.
inline constexpr std::string_view value_options[] = {
    "--generate",    "--output",     "--api-url",      "--pdp-url",
    "--api-key",     "--report",     "--rejects",      "--shard",
    "--seed",        "--redis",      "--redis-prefix", "--rate-time-scale",
    "--https-proxy", "--http-proxy", "--no-proxy",     "--resume"};
inline constexpr std::string_view flag_options[] = {"--dry-run", "--verify", "--verify-only",
                                                    "--help", "-h"};

template <std::size_t N>
bool is_one_of(std::string_view s, const std::string_view (&names)[N]) {
    for (const auto name : names)
        if (s == name) return true;
    return false;
}

// The keys an error message must not show: the environment's and any given with --api-key,
// found before parsing so that even an error about an earlier argument is covered.
inline std::vector<std::string> secrets_of(int argc, const char* const* argv,
                                           const getenv_function& getenv) {
    std::vector<std::string> out;
    if (const char* key = getenv ? getenv("PERMIT_API_KEY") : nullptr) out.emplace_back(key);
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--api-key" && i + 1 < argc) out.emplace_back(argv[i + 1]);
        if (arg.starts_with("--api-key=")) out.emplace_back(arg.substr(10));
    }
    return out;
}

class options_parser {
  public:
    std::optional<tool_options> parse(int argc, const char* const* argv,
                                      const getenv_function& getenv) {
        // Help wins over any mistake elsewhere on the line: it is what a confused user asks for.
        for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i)
            if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h")
                return tool_options{.help = true};

        std::vector<std::string_view> positional;
        bool options_ended = false;
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if (options_ended || arg == "-" || !arg.starts_with("-")) {
                positional.push_back(arg);
                continue;
            }
            if (arg == "--") {
                options_ended = true;
                continue;
            }
            if (arg == "--dry-run") {
                out_.dry_run = true;
                continue;
            }
            if (arg == "--verify") {
                out_.verify = true;
                continue;
            }
            if (arg == "--verify-only") {
                out_.verify_only = true;
                continue;
            }
            const auto equals = arg.find('=');
            const std::string_view name = arg.substr(0, equals);
            if (!is_one_of(name, value_options)) {
                if (is_one_of(name, flag_options))
                    return fail(std::string(name) + " takes no value");
                return fail("unknown option " + std::string(name) + " (see --help)");
            }
            std::string_view value;
            if (equals != std::string_view::npos) {
                value = arg.substr(equals + 1);
            } else if (i + 1 < argc && !std::string_view(argv[i + 1]).starts_with("--")) {
                value = argv[++i];
            } else {
                return fail(std::string(name) + " needs a value");
            }
            if (!set(name, value)) return std::nullopt;
        }

        if (positional.size() > 1)
            return fail("more than one input file given (one users file per run)");
        if (!positional.empty()) out_.input = std::filesystem::path(positional.front());
        if (out_.input && out_.generate) return fail("give a users file or --generate N, not both");
        if (!out_.input && !out_.generate)
            return fail("no input: give a users file or --generate N (see --help)");
        if (out_.output && !out_.generate)
            return fail("--output writes generated users, so it needs --generate N");
        if (out_.verify_only && (out_.dry_run || out_.output))
            return fail("--verify-only checks Permit: it goes with neither --dry-run nor --output");
        if (seed_given_ && !out_.generate)
            return fail("--seed chooses generated users, so it needs --generate N");
        if (out_.redis_prefix && !out_.redis_url)
            return fail("--redis-prefix names keys in Redis, so it needs --redis URL");

        const auto from_environment = [&](std::optional<std::string>& field, const char* name) {
            if (field || !getenv) return;
            if (const char* value = getenv(name); value && *value) field = value;
        };
        from_environment(out_.api_url, "PERMIT_API_URL");
        from_environment(out_.pdp_url, "PERMIT_PDP_URL");
        from_environment(out_.api_key, "PERMIT_API_KEY");
        // An option, even an empty one, beats its variable.
        if (getenv) out_.proxy = permit::proxy_options::from_environment(getenv);
        if (https_proxy_) out_.proxy.https_proxy = *https_proxy_;
        if (http_proxy_) out_.proxy.http_proxy = *http_proxy_;
        if (no_proxy_) out_.proxy.no_proxy = *no_proxy_;
        for (const auto* url : {&out_.proxy.https_proxy, &out_.proxy.http_proxy}) {
            if (url->empty()) continue;
            try {
                permit::detail::http::proxy_endpoint::parse(*url);
            } catch (const std::invalid_argument& e) {
                // The message never shows the URL's credentials.
                return fail(e.what());
            }
        }
        if (out_.api_url && !is_http_url(*out_.api_url))
            return fail("PERMIT_API_URL needs an http:// or https:// URL");
        if (out_.pdp_url && !is_http_url(*out_.pdp_url))
            return fail("PERMIT_PDP_URL needs an http:// or https:// URL");
        return out_;
    }

    std::string error;

  private:
    std::optional<tool_options> fail(std::string message) {
        error = std::move(message);
        return std::nullopt;
    }

    template <class T>
    bool once(std::string_view name, std::optional<T>& field, T value) {
        if (field) {
            error = std::string(name) + " given twice";
            return false;
        }
        field = std::move(value);
        return true;
    }

    bool set(std::string_view name, std::string_view value) {
        if (value.empty()) {
            error = std::string(name) + " needs a value";
            return false;
        }
        if (name == "--generate") {
            const auto n = parse_count(value);
            if (!n || *n == 0) {
                error = "--generate needs a whole number of users, at least 1";
                return false;
            }
            return once(name, out_.generate, *n);
        }
        if (name == "--seed") {
            const auto n = parse_count(value);
            if (!n) {
                error = "--seed needs a whole number";
                return false;
            }
            if (seed_given_) {
                error = "--seed given twice";
                return false;
            }
            seed_given_ = true;
            out_.seed = *n;
            return true;
        }
        if (name == "--shard") {
            if (shard_given_) {
                error = "--shard given twice";
                return false;
            }
            auto spec = parse_shard_spec(value, error);
            if (!spec) return false;
            shard_given_ = true;
            out_.shard = *spec;
            return true;
        }
        if (name == "--api-url" || name == "--pdp-url") {
            // The URL itself is not repeated: it may carry credentials (`https://user:pass@...`).
            if (!is_http_url(value)) {
                error = std::string(name) + " needs an http:// or https:// URL";
                return false;
            }
            return once(name, name == "--api-url" ? out_.api_url : out_.pdp_url,
                        std::string(value));
        }
        if (name == "--api-key") return once(name, out_.api_key, std::string(value));
        if (name == "--redis") {
#ifdef PERMIT_WITH_REDIS
            // The URL itself is not repeated: it may carry a password.
            if (!value.starts_with("redis://")) {
                error = "--redis needs a redis:// URL";
                return false;
            }
            return once(name, out_.redis_url, std::string(value));
#else
            error =
                "--redis needs permit-bulk-sync built with Redis support (the CMake option "
                "PERMIT_WITH_REDIS=ON, and libhiredis-dev)";
            return false;
#endif
        }
        if (name == "--redis-prefix") return once(name, out_.redis_prefix, std::string(value));
        if (name == "--https-proxy") return once(name, https_proxy_, std::string(value));
        if (name == "--http-proxy") return once(name, http_proxy_, std::string(value));
        if (name == "--no-proxy") return once(name, no_proxy_, std::string(value));
        if (name == "--rate-time-scale") {
            double scale = 0;
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), scale);
            if (ec != std::errc{} || end != value.data() + value.size() || !(scale > 0)) {
                error = "--rate-time-scale needs a positive number";
                return false;
            }
            return once(name, out_.rate_time_scale, scale);
        }
        const std::filesystem::path path(value);
        if (name == "--output") return once(name, out_.output, path);
        if (name == "--report") return once(name, out_.report, path);
        if (name == "--rejects") return once(name, out_.rejects, path);
        return once(name, out_.resume, path);  // --resume, the last of value_options
    }

    tool_options out_;
    bool seed_given_ = false;
    bool shard_given_ = false;
    // The proxy options as given, over the environment's (`tool_options::proxy`).
    std::optional<std::string> https_proxy_;
    std::optional<std::string> http_proxy_;
    std::optional<std::string> no_proxy_;
};

}  // namespace detail

/// Parses the command line (`argv[0]` is the program). `getenv` supplies `PERMIT_API_URL`,
/// `PERMIT_PDP_URL` and `PERMIT_API_KEY` for the settings not given as options (pass
/// `std::getenv`). With `--help` anywhere, returns options with only `help` set. On an error
/// returns nullopt and sets `error` to a message for the user that never contains the API key.
inline std::optional<tool_options> parse_options(int argc, const char* const* argv,
                                                 const getenv_function& getenv,
                                                 std::string& error) {
    detail::options_parser parser;
    auto out = parser.parse(argc, argv, getenv);
    if (!out)
        error = detail::redact(std::move(parser.error), detail::secrets_of(argc, argv, getenv));
    return out;
}

}  // namespace permit_bulk_sync
