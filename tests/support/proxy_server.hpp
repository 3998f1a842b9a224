// An HTTP proxy of the test's own: Debian's tinyproxy (1.11) on 127.0.0.1 and a free port, in a
// temporary directory holding its generated configuration and its log, for the tests of the
// client's proxy support. It can be stopped and started again on the same port (a proxy that
// goes away and comes back), and its log tells which requests reached it. Tests that need one
// are skipped (with a message) when tinyproxy is not installed.
//
// What tinyproxy 1.11.1 answers (src/reqs.c, https://github.com/tinyproxy/tinyproxy, checked
// against the Debian package):
//  - a CONNECT it opened: "HTTP/1.0 200 Connection established\r\n" then
//    "Proxy-agent: tinyproxy/1.11.1\r\n\r\n", nothing else; the tunnel lasts until either side
//    closes (or `Timeout` seconds of silence);
//  - with BasicAuth, no Proxy-Authorization: "HTTP/1.0 407 Proxy Authentication Required", with
//    `Proxy-Authenticate: Basic realm="Tinyproxy"`; wrong credentials or another scheme:
//    "HTTP/1.0 401 Unauthorized", with `WWW-Authenticate: Basic realm="Tinyproxy"` (not 407);
//  - a target it cannot reach (nothing listening, or a name that does not resolve):
//    "HTTP/1.1 500 Unable to connect";
//  - a CONNECT to a port ConnectPort does not list: "HTTP/1.1 403 Access violation";
//  - every error reply has `Server: tinyproxy/1.11.1`, `Content-Type: text/html`,
//    `Connection: close`, no Content-Length, an HTML body, and the proxy closes the connection;
//  - a plain request in absolute form (GET http://host:port/path HTTP/1.1) is forwarded in origin
//    form with its own `Host`, `Connection: close` and `Via: 1.1 <host name> (tinyproxy/1.11.1)`,
//    no X-Forwarded-For; one request a connection: it closes the client's connection after the
//    response, whose Connection header it removes. It drops Proxy-Authorization only when BasicAuth
//    is on (otherwise it is forwarded to the server); Authorization always goes through.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/programs.hpp"

#include <permit/detail/http/proxy.hpp>

extern char** environ;

namespace permit_test {

/// Where tinyproxy is, or empty when it is not installed.
inline std::string tinyproxy_path() {
    return program_path("tinyproxy");
}

/// Boost.Test precondition: tinyproxy is installed. (A function: g++ warns about an empty
/// functor copied into the decorator's boost::function.)
inline boost::test_tools::assertion_result tinyproxy_installed(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(!tinyproxy_path().empty());
    if (!r) r.message() << "tinyproxy is not installed (apt-get install tinyproxy): skipped";
    return r;
}

/// A user name and password for the proxy's Basic authentication.
struct proxy_credentials {
    std::string user;
    std::string password;
};

/// How the proxy is set up.
struct proxy_server_options {
    /// Basic credentials the proxy demands (Proxy-Authorization), or none: every client of
    /// 127.0.0.1 is served. tinyproxy's configuration grammar takes letters, digits, '-', '.' and
    /// '_' only (ALNUM in its src/conf.c), so other characters are refused with
    /// std::invalid_argument; such names also need no percent-encoding in a URL.
    std::optional<proxy_credentials> basic_auth;
    /// The only ports CONNECT may reach (ConnectPort), others getting 403; empty: any port.
    std::vector<std::uint16_t> connect_ports;
    /// Seconds of silence after which the proxy closes a connection or tunnel (Timeout).
    int idle_timeout_seconds = 60;
    /// Logs tinyproxy's Info level (every step of each connection) rather than its Connect level
    /// (each client connection, each request line, each connection to a server, and errors).
    bool verbose_log = false;
};

/// A tinyproxy on 127.0.0.1, on a free port kept across restarts. Stopped, and its directory
/// removed, when destroyed. Not thread-safe: one test drives it.
///
/// Its log shows every request line it read, refused ones included, but never a header, and
/// nothing of what goes through a tunnel. A request line is logged before the proxy answers it,
/// so once a client has the answer its line is in the log. The log is kept across restarts.
/// `start()` opens one connection of its own to see that the proxy accepts: the log shows it
/// as a client connection closed before its request line.
class proxy_server {
  public:
    /// Starts one with `options`; throws std::invalid_argument for credentials tinyproxy cannot
    /// take, std::runtime_error when it does not accept connections within 10 s.
    explicit proxy_server(proxy_server_options options = {})
        : options_(checked(std::move(options))), port_(free_loopback_port()) {
        write_config();
        start();
    }
    proxy_server(const proxy_server&) = delete;
    proxy_server& operator=(const proxy_server&) = delete;
    ~proxy_server() { stop(); }

    /// Its port.
    std::uint16_t port() const noexcept { return port_; }
    /// `http://127.0.0.1:<port>`.
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    /// `http://<user>:<password>@127.0.0.1:<port>` with its own credentials; throws
    /// std::logic_error when it has none.
    std::string url_with_credentials() const {
        if (!options_.basic_auth) throw std::logic_error("the proxy has no credentials");
        return url_with_credentials(*options_.basic_auth);
    }
    /// `http://<user>:<password>@127.0.0.1:<port>` with `credentials` as given (not
    /// percent-encoded): wrong ones, for instance.
    std::string url_with_credentials(const proxy_credentials& credentials) const {
        return "http://" + credentials.user + ":" + credentials.password +
               "@127.0.0.1:" + std::to_string(port_);
    }
    /// The Proxy-Authorization value for `credentials`: `Basic <base64(user:password)>`.
    static std::string basic_authorization(const proxy_credentials& credentials) {
        return permit::detail::http::basic_authorization(credentials.user, credentials.password);
    }
    /// The options it was started with.
    const proxy_server_options& options() const noexcept { return options_; }
    /// The directory holding its configuration (tinyproxy.conf) and log (tinyproxy.log).
    const std::filesystem::path& directory() const noexcept { return directory_.path; }
    /// Whether it runs (started and not stopped).
    bool running() const noexcept { return pid_ > 0; }

    /// Starts it (again, on the same port), and waits until it accepts connections; does nothing
    /// when it runs. Throws std::runtime_error, with what tinyproxy said, when it exits or does
    /// not accept within 10 s.
    void start() {
        if (pid_ > 0) return;
        const std::string program = tinyproxy_path();
        if (program.empty()) throw std::runtime_error("tinyproxy is not installed");
        const auto log_size_before = log().size();
        // -d: in the foreground, so that the pid is tinyproxy's and SIGTERM stops it.
        std::vector<std::string> args{program, "-d", "-c", config_path().string()};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const std::string output = output_path().string();
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                         0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            pid_ = -1;
            throw std::runtime_error("cannot start tinyproxy: " +
                                     std::generic_category().message(rc));
        }
        // Ready when a connection to the port is accepted and tinyproxy logs it: the log line
        // proves that the listener is this tinyproxy, not another program that took the port.
        bool accepted = false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error(
                    "tinyproxy on port " + std::to_string(port_) + " exited" +
                    (WIFEXITED(status) ? " with status " + std::to_string(WEXITSTATUS(status))
                                       : " on signal " + std::to_string(WTERMSIG(status))) +
                    ": " + read_file(output_path()) + log().substr(log_size_before));
            }
            if (!accepted) accepted = accepts_connections();
            if (accepted &&
                log().find("Connect (file descriptor", log_size_before) != std::string::npos)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        stop();
        throw std::runtime_error(
            "tinyproxy did not accept connections on port " + std::to_string(port_) +
            " within 10 s: " + read_file(output_path()) + log().substr(log_size_before));
    }

    /// Stops it (SIGTERM, SIGKILL after 5 s): its tunnels and connections are closed, and its
    /// port refuses connections until `start()`.
    void stop() {
        if (pid_ <= 0) return;
        // On SIGTERM tinyproxy leaves its accept loop, signals its connection threads for about
        // 70 ms (src/child.c, child_kill_children) and exits, open tunnels or not.
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() >= deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        pid_ = -1;
    }

    /// The whole log, across restarts.
    std::string log() const { return read_file(log_path()); }

    /// The request lines it read, in order, refused ones included: "CONNECT 127.0.0.1:443
    /// HTTP/1.1", "GET http://127.0.0.1:8080/v2/... HTTP/1.1".
    std::vector<std::string> request_lines() const {
        // tinyproxy logs `Request (file descriptor N): <request line>` (src/reqs.c).
        static constexpr std::string_view marker = "]: Request (file descriptor ";
        std::vector<std::string> lines;
        std::istringstream in(log());
        for (std::string line; std::getline(in, line);) {
            const auto at = line.find(marker);
            if (at == std::string::npos) continue;
            const auto colon = line.find("): ", at + marker.size());
            if (colon != std::string::npos) lines.push_back(line.substr(colon + 3));
        }
        return lines;
    }

    /// The number of CONNECT requests it read, refused ones included.
    std::size_t connect_count() const {
        std::size_t n = 0;
        for (const auto& line : request_lines())
            if (line.starts_with("CONNECT ")) ++n;
        return n;
    }

    /// The number of connections it opened to servers (tunnels and plain requests): requests it
    /// refused, or whose server it could not reach, are not counted.
    std::size_t established_count() const {
        const std::string text = log();
        std::size_t n = 0;
        for (auto at = text.find("Established connection to host"); at != std::string::npos;
             at = text.find("Established connection to host", at + 1))
            ++n;
        return n;
    }

  private:
    /// A new directory under the temporary directory, removed with its files when destroyed.
    struct temporary_directory {
        std::filesystem::path path;
        temporary_directory() {
            std::string pattern =
                (std::filesystem::temp_directory_path() / "permit-proxy-XXXXXX").string();
            if (!::mkdtemp(pattern.data()))
                throw std::runtime_error("cannot create a temporary directory for tinyproxy");
            path = pattern;
        }
        temporary_directory(const temporary_directory&) = delete;
        temporary_directory& operator=(const temporary_directory&) = delete;
        ~temporary_directory() {
            std::error_code ignored;
            std::filesystem::remove_all(path, ignored);
        }
    };

    /// `options`, when tinyproxy can take their credentials.
    static proxy_server_options checked(proxy_server_options options) {
        if (options.basic_auth)
            for (const auto* part : {&options.basic_auth->user, &options.basic_auth->password})
                if (!is_config_word(*part))
                    throw std::invalid_argument(
                        "tinyproxy takes Basic credentials of letters, digits, '-', '.' and '_' "
                        "only: \"" +
                        *part + "\"");
        return options;
    }

    /// Whether `word` fits tinyproxy's ALNUM, `[-a-z0-9._]+` matched case-insensitively.
    static bool is_config_word(std::string_view word) {
        if (word.empty()) return false;
        for (const char c : word)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_'))
                return false;
        return true;
    }

    static std::string read_file(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

    std::filesystem::path config_path() const { return directory_.path / "tinyproxy.conf"; }
    std::filesystem::path log_path() const { return directory_.path / "tinyproxy.log"; }
    /// tinyproxy's stdout and stderr: its complaints about the configuration go there.
    std::filesystem::path output_path() const { return directory_.path / "tinyproxy.out"; }

    // No User/Group: run as root, tinyproxy only warns ("You SHOULD set a UserName") and keeps
    // running as root; run as anyone else, it never changes user. No PidFile: -d keeps it in the
    // foreground, and the pid is posix_spawn's. No Upstream: it connects to servers itself.
    // Without ErrorFile/DefaultErrorFile it sends its built-in HTML error pages. Listen keeps it
    // off other interfaces; Allow names the clients it serves (::1 only matters if it ever
    // listens there). The log file is opened for appending, so it outlives restarts.
    void write_config() const {
        std::ofstream out(config_path());
        out << "Port " << port_ << "\n"
            << "Listen 127.0.0.1\n"
            << "Timeout " << options_.idle_timeout_seconds << "\n"
            << "LogFile \"" << log_path().string() << "\"\n"
            << "LogLevel " << (options_.verbose_log ? "Info" : "Connect") << "\n"
            << "MaxClients 100\n"
            << "Allow 127.0.0.1\n"
            << "Allow ::1\n";
        if (options_.basic_auth)
            out << "BasicAuth " << options_.basic_auth->user << " " << options_.basic_auth->password
                << "\n";
        // No ConnectPort line: CONNECT may reach any port (tinyproxy.conf(5)).
        for (const auto p : options_.connect_ports) out << "ConnectPort " << p << "\n";
        if (!out) throw std::runtime_error("cannot write " + config_path().string());
    }

    /// Whether a connection to 127.0.0.1:port is accepted now.
    bool accepts_connections() const {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) return false;
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(port_);
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        return ok;
    }

    proxy_server_options options_;
    std::uint16_t port_;
    temporary_directory directory_;  // after the options: bad credentials leave nothing behind
    pid_t pid_ = -1;
};

}  // namespace permit_test
