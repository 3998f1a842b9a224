// A redis-server of the test's own, on 127.0.0.1 and a free port, with nothing saved to disk:
// started, stopped, paused and started again by the shared rate budget's tests. Tests that need
// one are skipped (with a message) when redis-server is not installed.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/programs.hpp"

#include <hiredis/hiredis.h>

extern char** environ;

namespace permit_test {

/// Where redis-server is, or empty when it is not installed.
inline std::string redis_server_path() {
    return program_path("redis-server");
}

/// Boost.Test precondition: redis-server is installed. (A function: g++ warns about an empty
/// functor copied into the decorator's boost::function.)
inline boost::test_tools::assertion_result redis_server_installed(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(!redis_server_path().empty());
    if (!r) r.message() << "redis-server is not installed (apt-get install redis-server): skipped";
    return r;
}

/// A blocking connection for the tests' own look at what Redis holds.
class redis_probe {
  public:
    explicit redis_probe(std::uint16_t port) {
        const timeval timeout{2, 0};
        context_.reset(redisConnectWithTimeout("127.0.0.1", port, timeout));
        if (!context_ || context_->err)
            throw std::runtime_error("cannot connect to the test's redis-server");
        redisSetTimeout(context_.get(), timeout);
    }

    /// The integer reply to `args`; throws on any other reply.
    long long integer(const std::vector<std::string>& args) {
        auto r = command(args);
        if (!r || r->type != REDIS_REPLY_INTEGER)
            throw std::runtime_error("unexpected reply to " + args.front());
        return r->integer;
    }

    /// The number of members of the sorted set `key`.
    long long zcard(const std::string& key) { return integer({"ZCARD", key}); }
    /// The number of members of the sorted set `key` scored `max` at most.
    long long zcount_to(const std::string& key, long long max) {
        return integer({"ZCOUNT", key, "-inf", std::to_string(max)});
    }
    /// The number of members of the sorted set `key` scored `min` at least.
    long long zcount_from(const std::string& key, long long min) {
        return integer({"ZCOUNT", key, std::to_string(min), "+inf"});
    }
    /// The milliseconds `key` has to live (-1: no expiry, -2: no key).
    long long pttl(const std::string& key) { return integer({"PTTL", key}); }

    /// The server's clock (TIME), in milliseconds since the epoch.
    long long time_ms() {
        auto r = command({"TIME"});
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
            throw std::runtime_error("unexpected reply to TIME");
        return std::stoll(r->element[0]->str) * 1000 + std::stoll(r->element[1]->str) / 1000;
    }

    /// Adds the ACL user `name` with `password`, allowed every command on every key.
    void add_user(const std::string& name, const std::string& password) {
        auto r = command({"ACL", "SETUSER", name, "on", ">" + password, "~*", "+@all"});
        if (!r || r->type != REDIS_REPLY_STATUS)
            throw std::runtime_error("ACL SETUSER was refused");
    }

    /// The number of keys in database `db`.
    long long keys_in(int db) {
        if (auto r = command({"SELECT", std::to_string(db)}); !r || r->type != REDIS_REPLY_STATUS)
            throw std::runtime_error("SELECT was refused");
        const long long n = integer({"DBSIZE"});
        command({"SELECT", "0"});
        return n;
    }

    /// Whether the server answers PING.
    bool ping() {
        auto r = command({"PING"});
        return r && r->type == REDIS_REPLY_STATUS;
    }

  private:
    struct reply_free {
        void operator()(redisReply* r) const { freeReplyObject(r); }
    };
    struct context_free {
        void operator()(redisContext* c) const { redisFree(c); }
    };

    std::unique_ptr<redisReply, reply_free> command(const std::vector<std::string>& args) {
        std::vector<const char*> argv;
        std::vector<std::size_t> sizes;
        for (const auto& a : args) {
            argv.push_back(a.data());
            sizes.push_back(a.size());
        }
        return std::unique_ptr<redisReply, reply_free>(static_cast<redisReply*>(redisCommandArgv(
            context_.get(), static_cast<int>(argv.size()), argv.data(), sizes.data())));
    }

    std::unique_ptr<redisContext, context_free> context_;
};

/// A redis-server on 127.0.0.1, on a free port kept across restarts, saving nothing. Stopped (and
/// resumed, if paused) when destroyed.
class redis_server {
  public:
    /// Starts one; throws when it does not answer PING within 10 s.
    redis_server() : port_(free_loopback_port()) { start(); }
    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;
    ~redis_server() { stop(); }

    /// Its port.
    std::uint16_t port() const noexcept { return port_; }
    /// `redis://127.0.0.1:<port>/0`.
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

    /// Starts it (again, empty), and waits until it answers.
    void start() {
        if (pid_ > 0) return;
        const std::string program = redis_server_path();
        const std::string port = std::to_string(port_);
        std::vector<std::string> args{
            program,   "--port",       port, "--bind",      "127.0.0.1", "--save",
            "",        "--appendonly", "no", "--daemonize", "no",        "--loglevel",
            "warning", "--logfile",    "",   "--dir",       "/tmp"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            pid_ = -1;
            throw std::runtime_error("cannot start redis-server");
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            try {
                if (redis_probe(port_).ping()) return;
            } catch (const std::exception&) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stop();
        throw std::runtime_error("redis-server did not answer within 10 s");
    }

    /// Stops it (its data is lost: nothing is saved).
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGCONT);
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }

    /// Freezes it (SIGSTOP): connections stay open, and nothing is answered.
    void pause() {
        if (pid_ > 0) ::kill(pid_, SIGSTOP);
    }
    /// Resumes it after `pause()`.
    void resume() {
        if (pid_ > 0) ::kill(pid_, SIGCONT);
    }

    /// A blocking connection to it, for the test's own look.
    redis_probe probe() const { return redis_probe(port_); }

  private:
    std::uint16_t port_;
    pid_t pid_ = -1;
};

}  // namespace permit_test
