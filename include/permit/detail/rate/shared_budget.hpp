// The rate budget that several clients share through Redis, without I/O: the Lua script that
// keeps it, the commands that run it, and what its replies say. The shared limiter
// (rate/shared_limiter.hpp) sends these commands; the unit tests check them without a server.
#pragma once

#include <permit/detail/rate/limit_class.hpp>
#include <permit/detail/redis/endpoint.hpp>
#include <permit/detail/redis/reply.hpp>
#include <permit/rate/limits.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace permit::detail::rate {

/// Whether this build can share a budget through Redis (`PERMIT_WITH_REDIS`).
#ifdef PERMIT_WITH_REDIS
inline constexpr bool redis_supported = true;
#else
inline constexpr bool redis_supported = false;
#endif

/// Checks the Redis settings of `options`, whether or not the limits apply: throws
/// `std::invalid_argument` when `redis_url` is set and this build has no Redis, when the URL is
/// not a valid `redis://` URL, or when `fallback_share` is outside [0, 1].
inline void check_shared_budget_options(const rate_limit_options& options) {
    if (options.redis_url.empty()) return;
    if (!redis_supported)
        throw std::invalid_argument(
            "rate_limits.redis_url is set, but permit-cpp was built without Redis (configure it "
            "with -DPERMIT_WITH_REDIS=ON)");
    (void)redis::endpoint::parse(options.redis_url);
    if (!(options.fallback_share >= 0 && options.fallback_share <= 1))
        throw std::invalid_argument("rate_limits.fallback_share must be within 0 to 1");
    if (options.redis_key_prefix.empty())
        throw std::invalid_argument("rate_limits.redis_key_prefix is empty");
    if (options.redis_timeout.count() <= 0)
        throw std::invalid_argument("rate_limits.redis_timeout must be positive");
}

/// The budget's algorithm, run atomically by Redis. Each class is a sorted set of tokens, whose
/// score is the moment the token stops counting (Redis' own clock, TIME, so the hosts' clocks do
/// not matter). A request's classes are taken in one call: expired tokens are dropped, and only if
/// every class has room (and no 429 pauses it) one token is added to each, counting until the
/// request's lease runs out plus one window; its release rescores it to one window after the
/// response (or removes it if the request was never sent). So no class ever counts more than its
/// limit in any window, however many clients share it. A 429 shrinks a class for all of them, as
/// the local limiter does for one. Every key expires on its own once unused.
///
/// KEYS and ARGV by operation (ARGV[1]):
/// - "acquire": KEYS are each class's token set and adaptation hash, then the set of clients;
///   ARGV: token id, client id, lease ms, presence ms, then each class's limit and window ms.
///   Replies {granted (0/1), ms until a token may free, the classes lacking (bit i: the i-th
///   class given), the number of clients seen within the presence window, then each class's free
///   tokens}.
/// - "release": KEYS are the token sets; ARGV: token id, sent (0/1), then each class's window ms.
/// - "renew": KEYS are the token sets; ARGV: lease ms, each class's window ms, then the ids of
///   tokens still held, whose lease starts again (a request that waits long for a connection
///   keeps counting).
/// - "rate_limited": KEYS[1] is the class's adaptation hash; ARGV: limit, window ms, slowdown,
///   pause ms (0: none). Replies the class's new limit.
inline constexpr std::string_view shared_budget_script = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op = ARGV[1]

-- A class's limit now (shrunk by 429s, grown back by a tenth for each calm window) and the end
-- of its pause.
local function current(hash, limit, window)
  local s = redis.call('HMGET', hash, 'cap', 'calm', 'pause')
  local pause = tonumber(s[3]) or 0
  local cap = tonumber(s[1])
  if not cap or cap >= limit then return limit, pause end
  local calm = tonumber(s[2]) or now
  local steps = math.floor((now - calm) / window)
  if steps > 0 then
    cap = math.min(limit, cap + steps * math.max(1, math.floor(limit / 10)))
    redis.call('HSET', hash, 'cap', cap, 'calm', calm + steps * window)
  end
  return cap, pause
end

if op == 'acquire' then
  local id, client = ARGV[2], ARGV[3]
  local lease, presence = tonumber(ARGV[4]), tonumber(ARGV[5])
  local n = (#KEYS - 1) / 2
  local clients = KEYS[#KEYS]
  redis.call('ZADD', clients, now, client)
  redis.call('ZREMRANGEBYSCORE', clients, '-inf', now - presence)
  redis.call('PEXPIRE', clients, presence)
  local fleet = redis.call('ZCARD', clients)
  local wait, lacking, bit = 0, 0, 1
  local free = {}
  for i = 1, n do
    local key, hash = KEYS[2 * i - 1], KEYS[2 * i]
    local limit, window = tonumber(ARGV[4 + 2 * i]), tonumber(ARGV[5 + 2 * i])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local used = redis.call('ZCARD', key)
    local cap, pause = current(hash, limit, window)
    local until_free = 0
    if pause > now then until_free = pause - now end
    if used >= cap then
      local e = redis.call('ZRANGE', key, used - cap, used - cap, 'WITHSCORES')
      until_free = math.max(until_free, tonumber(e[2]) - now)
    end
    if until_free > 0 then
      lacking = lacking + bit
      wait = math.max(wait, until_free)
    end
    free[i] = math.max(0, cap - used)
    bit = bit * 2
  end
  if lacking ~= 0 then return {0, wait, lacking, fleet, unpack(free)} end
  for i = 1, n do
    local key, window = KEYS[2 * i - 1], tonumber(ARGV[5 + 2 * i])
    redis.call('ZADD', key, now + lease + window, id)
    if redis.call('PTTL', key) < lease + window then redis.call('PEXPIRE', key, lease + window) end
    free[i] = free[i] - 1
  end
  return {1, 0, 0, fleet, unpack(free)}
end

if op == 'release' then
  local id, sent = ARGV[2], ARGV[3] == '1'
  for i = 1, #KEYS do
    local key, window = KEYS[i], tonumber(ARGV[3 + i])
    if sent then
      -- One more millisecond: TIME is read to the millisecond, rounded down.
      redis.call('ZADD', key, now + window + 1, id)
      if redis.call('PTTL', key) < window + 1 then redis.call('PEXPIRE', key, window + 1) end
    else
      redis.call('ZREM', key, id)
    end
  end
  return 1
end

if op == 'renew' then
  local lease, n = tonumber(ARGV[2]), #KEYS
  for i = 1, n do
    local key, window = KEYS[i], tonumber(ARGV[2 + i])
    for j = 3 + n, #ARGV do redis.call('ZADD', key, 'XX', now + lease + window, ARGV[j]) end
    if redis.call('PTTL', key) < lease + window then redis.call('PEXPIRE', key, lease + window) end
  end
  return 1
end

if op == 'rate_limited' then
  local hash = KEYS[1]
  local limit, window = tonumber(ARGV[2]), tonumber(ARGV[3])
  local slowdown, pause = tonumber(ARGV[4]), tonumber(ARGV[5])
  local cap, paused = current(hash, limit, window)
  cap = math.max(1, math.floor(cap * slowdown))
  redis.call('HSET', hash, 'cap', cap, 'calm', now)
  if pause > 0 then redis.call('HSET', hash, 'pause', math.max(paused, now + pause)) end
  redis.call('PEXPIRE', hash, window * 11 + pause)
  return cap
end

return redis.error_reply('ERR unknown operation')
)lua";

/// The SHA-1 of `text` in hexadecimal, as EVALSHA names a script.
inline std::string script_sha1(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("SHA-1 is not available");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

/// What an "acquire" call answered.
struct shared_acquire_reply {
    bool granted = false;
    std::chrono::milliseconds wait{0};  ///< until a lacking token may free (when not granted)
    class_set lacking = 0;              ///< the classes without a free token
    std::uint32_t clients = 0;          ///< clients seen within the presence window
    /// Free tokens of each class asked for, after this call (unset for the others).
    std::array<std::optional<std::uint32_t>, class_count> free{};
};

/// The commands of the shared budget under `options` (its limits, windows, key prefix, slowdown),
/// and the meaning of their replies. A command is the arguments of EVALSHA; `as_eval` turns it
/// into the EVAL that loads the script when Redis has not cached it (after a restart, say).
class shared_budget {
  public:
    /// The budget of `options`; each request's token counts at most `lease` before its release
    /// (a conservative bound on a request in flight).
    shared_budget(const rate_limit_options& options, std::chrono::milliseconds lease)
        : prefix_(options.redis_key_prefix)
        , slowdown_(std::clamp(options.slowdown, 0.01, 1.0))
        , lease_(std::max(lease, std::chrono::milliseconds(1)))
        , sha_(script_sha1(shared_budget_script)) {
        set(limit_class::all, options.all);
        set(limit_class::writes, options.writes);
        set(limit_class::deletes, options.deletes);
        set(limit_class::bulk, options.bulk);
        for (const auto& l : limits_)
            if (l.limit != 0) presence_ = std::max(presence_, l.window);
    }

    /// The classes of `classes` that have a limit.
    class_set limited(class_set classes) const noexcept {
        class_set out = 0;
        for (unsigned c = 0; c < class_count; ++c)
            if ((classes & (1u << c)) && limits_[c].limit != 0) out |= 1u << c;
        return out;
    }

    /// The key of class `c`'s token set.
    std::string token_key(limit_class c) const { return prefix_ + std::string(name(c)); }
    /// The key of class `c`'s state after 429s.
    std::string adapt_key(limit_class c) const { return token_key(c) + ":adapt"; }
    /// The key of the set of clients seen.
    std::string clients_key() const { return prefix_ + "clients"; }

    /// Takes a token `token` of each class of `classes` (limited ones, at least one) for client
    /// `client`.
    std::vector<std::string> acquire(class_set classes, std::string_view token,
                                     std::string_view client) const {
        std::vector<std::string> keys;
        std::vector<std::string> args{"acquire", std::string(token), std::string(client),
                                      ms(lease_), ms(presence_)};
        for_each(classes, [&](limit_class c) {
            keys.push_back(token_key(c));
            keys.push_back(adapt_key(c));
            args.push_back(std::to_string(limits_[static_cast<unsigned>(c)].limit));
            args.push_back(ms(limits_[static_cast<unsigned>(c)].window));
        });
        keys.push_back(clients_key());
        return command(keys, args);
    }

    /// Gives back token `token` of `classes`: counting one window from now if it was `sent`,
    /// freed at once otherwise.
    std::vector<std::string> release(class_set classes, std::string_view token, bool sent) const {
        std::vector<std::string> keys;
        std::vector<std::string> args{"release", std::string(token), sent ? "1" : "0"};
        for_each(classes, [&](limit_class c) {
            keys.push_back(token_key(c));
            args.push_back(ms(limits_[static_cast<unsigned>(c)].window));
        });
        return command(keys, args);
    }

    /// Starts the lease of the tokens `tokens` of `classes` again: they are still held.
    std::vector<std::string> renew(class_set classes,
                                   const std::vector<std::string>& tokens) const {
        std::vector<std::string> keys;
        std::vector<std::string> args{"renew", ms(lease_)};
        for_each(classes, [&](limit_class c) {
            keys.push_back(token_key(c));
            args.push_back(ms(limits_[static_cast<unsigned>(c)].window));
        });
        args.insert(args.end(), tokens.begin(), tokens.end());
        return command(keys, args);
    }

    /// A 429 for a request of `classes`: their narrowest limited class shrinks for every client,
    /// and pauses for `pause` (already capped) if set. Empty when no class of `classes` is limited.
    std::vector<std::string> rate_limited(class_set classes,
                                          std::optional<std::chrono::milliseconds> pause) const {
        const class_set l = limited(classes);
        if (l == 0) return {};
        const limit_class c = narrowest(l);
        const auto& lim = limits_[static_cast<unsigned>(c)];
        const auto p =
            pause ? std::max(*pause, std::chrono::milliseconds(0)) : std::chrono::milliseconds(0);
        return command({adapt_key(c)}, {"rate_limited", std::to_string(lim.limit), ms(lim.window),
                                        std::to_string(slowdown_), ms(p)});
    }

    /// The EVAL form of an EVALSHA `command`: the script's text in place of its SHA-1.
    static std::vector<std::string> as_eval(std::vector<std::string> command) {
        command[0] = "EVAL";
        command[1] = std::string(shared_budget_script);
        return command;
    }

    /// Reads the reply to `acquire(classes, ...)`. Throws `std::runtime_error` when it is not what
    /// the script returns (an error reply included).
    shared_acquire_reply parse_acquire(class_set classes, const redis::reply& r) const {
        using kind = redis::reply::kind;
        if (r.type == kind::error) throw std::runtime_error("Redis: " + r.text);
        unsigned n = 0;
        for_each(classes, [&](limit_class) { ++n; });
        if (r.type != kind::array || r.elements.size() != 4 + n)
            throw std::runtime_error("Redis: unexpected reply to the rate budget's script");
        for (const auto& e : r.elements)
            if (e.type != kind::integer || e.integer < 0)
                throw std::runtime_error("Redis: unexpected reply to the rate budget's script");
        shared_acquire_reply out;
        out.granted = r.elements[0].integer == 1;
        out.wait = std::chrono::milliseconds(r.elements[1].integer);
        out.clients =
            static_cast<std::uint32_t>(std::min<std::int64_t>(r.elements[3].integer, UINT32_MAX));
        const auto lacking_by_index = static_cast<std::uint64_t>(r.elements[2].integer);
        unsigned i = 0;
        for_each(classes, [&](limit_class c) {
            if (lacking_by_index & (std::uint64_t{1} << i)) out.lacking |= bit(c);
            out.free[static_cast<unsigned>(c)] = static_cast<std::uint32_t>(
                std::min<std::int64_t>(r.elements[4 + i].integer, UINT32_MAX));
            ++i;
        });
        return out;
    }

    /// The limits of a client that paces itself alone with `share` of the budget (each limit
    /// times `share`, rounded down, 1 at least; unlimited classes stay so).
    static rate_limit_options local_share(rate_limit_options options, double share) {
        share = std::clamp(share, 0.0, 1.0);
        for (auto* l : {&options.all, &options.writes, &options.deletes, &options.bulk}) {
            if (l->limit == 0) continue;
            l->limit = std::max<std::uint32_t>(
                1, static_cast<std::uint32_t>(static_cast<double>(l->limit) * share));
        }
        return options;
    }

    /// How long a token counts, before its release, from its grant or its last renewal.
    std::chrono::milliseconds lease() const noexcept { return lease_; }

    /// The longest window: how long a client counts as present after its last request.
    std::chrono::milliseconds presence() const noexcept { return presence_; }

    /// The script's SHA-1, as EVALSHA names it.
    const std::string& sha() const noexcept { return sha_; }

  private:
    struct class_limit {
        std::uint32_t limit = 0;
        std::chrono::milliseconds window{0};
    };

    static std::string_view name(limit_class c) noexcept {
        switch (c) {
            case limit_class::all:
                return "all";
            case limit_class::writes:
                return "writes";
            case limit_class::deletes:
                return "deletes";
            case limit_class::bulk:
                return "bulk";
        }
        return "all";
    }

    static std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()); }

    void set(limit_class c, const rate_limit& l) {
        auto& out = limits_[static_cast<unsigned>(c)];
        out.limit = l.limit;
        // A window under a millisecond would let the script's ZRANGE see none.
        out.window = std::max(l.window, std::chrono::milliseconds(1));
    }

    // Calls `f` with each limited class of `classes`, in the order of their bits.
    template <class F>
    void for_each(class_set classes, F&& f) const {
        for (unsigned c = 0; c < class_count; ++c)
            if ((classes & (1u << c)) && limits_[c].limit != 0) f(static_cast<limit_class>(c));
    }

    std::vector<std::string> command(const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) const {
        std::vector<std::string> out{"EVALSHA", sha_, std::to_string(keys.size())};
        out.insert(out.end(), keys.begin(), keys.end());
        out.insert(out.end(), args.begin(), args.end());
        return out;
    }

    std::string prefix_;
    double slowdown_;
    std::chrono::milliseconds lease_;
    std::string sha_;
    std::array<class_limit, class_count> limits_{};
    std::chrono::milliseconds presence_{1};
};

}  // namespace permit::detail::rate
