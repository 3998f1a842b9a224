// examples/signup_server.cpp as a process, against an emulator in the test: sign-up waves from
// hundreds of connections, the routes' answers, and a SIGTERM in the middle of a wave that must
// lose no acknowledged user and let no refused one through.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/testing/emulator.hpp>
#include <signup_server/http_server.hpp>
#include "support/slowdown.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

/// The signup-server executable: PERMIT_SIGNUP_SERVER, else next to the tests in the build tree.
std::string server_path() {
    if (const char* path = std::getenv("PERMIT_SIGNUP_SERVER")) return path;
    const auto& argv = boost::unit_test::framework::master_test_suite().argv;
    return (std::filesystem::absolute(argv[0]).parent_path().parent_path() / "examples" /
            "signup-server")
        .string();
}

/// signup-server as a child process, its stdout read until it says where it listens.
class server_process {
  public:
    explicit server_process(const permit::testing::emulator& emu,
                            const std::vector<std::string>& extra_args = {}) {
        int out[2];
        BOOST_REQUIRE(pipe(out) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        const std::string path = server_path();
        const std::string url = emu.url();
        const std::string key = emu.config().api_key;
        std::vector<std::string> args{path, "--port",    "0", "--threads", "2", "--api-url",
                                      url,  "--pdp-url", url, "--api-key", key};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int spawned =
            posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        BOOST_REQUIRE_MESSAGE(spawned == 0, "cannot start " << path);
        output_ = fdopen(out[0], "r");
        char line[512];
        while (std::fgets(line, sizeof line, output_)) {
            const std::string text = line;
            if (text.starts_with("listening on http://127.0.0.1:")) {
                port_ = static_cast<unsigned short>(std::stoi(text.substr(30)));
                return;
            }
        }
        BOOST_FAIL("signup-server exited before listening");
    }
    server_process(const server_process&) = delete;
    server_process& operator=(const server_process&) = delete;
    ~server_process() {
        if (pid_ > 0 && !exited_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (output_) std::fclose(output_);
    }

    unsigned short port() const { return port_; }
    void terminate() const { kill(pid_, SIGTERM); }

    /// The exit status, waiting at most `limit`; -1 if it is still running by then.
    int wait_exit(std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                exited_ = true;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return -1;
    }

  private:
    pid_t pid_ = -1;
    FILE* output_ = nullptr;
    unsigned short port_ = 0;
    bool exited_ = false;
};

/// What one request got: an HTTP status, or 0 when the connection failed first.
struct answer {
    unsigned status = 0;
    std::string body;
};

struct request_spec {
    http::verb method;
    std::string target;
    std::string body;
    std::string user_id;  // X-User-Id, when not empty
};

/// Sends `requests` over `connections` keep-alive connections at once; `on_answer` sees each
/// answer as it arrives. A connection that fails gives 0 to the rest of its requests.
std::vector<answer> send_all(unsigned short port, const std::vector<request_spec>& requests,
                             std::size_t connections,
                             const std::function<void(std::size_t answered)>& on_answer = {}) {
    asio::io_context ioc;
    std::vector<answer> answers(requests.size());
    std::size_t next = 0, answered = 0;
    auto worker = [&]() -> asio::awaitable<void> {
        beast::tcp_stream stream(ioc);
        bool connected = false;
        beast::flat_buffer buffer;
        while (next < requests.size()) {
            const auto i = next++;
            const auto& spec = requests[i];
            boost::system::error_code ec;
            if (!connected) {
                std::tie(ec) = co_await stream.async_connect(
                    tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                    asio::as_tuple(asio::use_awaitable));
                connected = !ec;
            }
            if (connected) {
                http::request<http::string_body> req(spec.method, spec.target, 11);
                req.set(http::field::host, "127.0.0.1");
                if (!spec.user_id.empty()) req.set("X-User-Id", spec.user_id);
                if (!spec.body.empty()) {
                    req.set(http::field::content_type, "application/json");
                    req.body() = spec.body;
                }
                req.prepare_payload();
                stream.expires_after(std::chrono::seconds(60));
                std::tie(ec, std::ignore) =
                    co_await http::async_write(stream, req, asio::as_tuple(asio::use_awaitable));
                http::response<http::string_body> res;
                if (!ec)
                    std::tie(ec, std::ignore) = co_await http::async_read(
                        stream, buffer, res, asio::as_tuple(asio::use_awaitable));
                if (!ec) answers[i] = {res.result_int(), res.body()};
                if (ec || !res.keep_alive()) {
                    // The server closed or failed this connection: the next request reconnects.
                    beast::error_code ignored;
                    stream.socket().close(ignored);  // async_connect opens it again
                    buffer.clear();
                    connected = false;
                }
            }
            ++answered;
            if (on_answer) on_answer(answered);
        }
    };
    for (std::size_t c = 0; c < connections; ++c) asio::co_spawn(ioc, worker(), asio::detached);
    ioc.run();
    return answers;
}

std::string signup_body(const std::string& email, const std::string& company) {
    return json::serialize(json::object{
        {"email", email}, {"first_name", "Ada"}, {"last_name", "Lovelace"}, {"company", company}});
}

std::vector<request_spec> signups(const std::string& wave, int count) {
    std::vector<request_spec> out;
    for (int i = 0; i < count; ++i)
        out.push_back({http::verb::post, "/signup",
                       signup_body(wave + "-" + std::to_string(i) + "@example.com",
                                   "Company " + std::to_string(i % 7))});
    return out;
}

std::string email_of(const request_spec& spec) {
    return std::string(json::parse(spec.body).at("email").as_string());
}

/// The users of the emulator, and for each the (role, tenant) pairs it holds.
std::map<std::string, std::set<std::pair<std::string, std::string>>> emulator_users(
    const permit::testing::emulator& emu) {
    const auto state = emu.snapshot();
    std::map<std::string, std::set<std::pair<std::string, std::string>>> users;
    for (const auto& u : state.at("users").as_array()) users[std::string(u.at("key").as_string())];
    for (const auto& a : state.at("role_assignments").as_array())
        users[std::string(a.at("user").as_string())].insert(
            {std::string(a.at("role").as_string()), std::string(a.at("tenant").as_string())});
    return users;
}

permit::testing::emulator_config emulator_with_policy() {
    permit::testing::emulator_config config;
    config.initial_state = json::parse(R"({
        "resources": [{"key": "document", "name": "Document", "actions": {"read": {}}}],
        "roles": [{"key": "member", "name": "Member", "permissions": ["document:read"]},
                  {"key": "guest", "name": "Guest"}]
    })");
    return config;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signup_server)

BOOST_AUTO_TEST_CASE(the_routes_answer_as_documented) {
    permit::testing::emulator emu(emulator_with_policy());
    server_process server(emu);
    const auto answers =
        send_all(server.port(),
                 {
                     {http::verb::post, "/signup", signup_body("Grace@Example.com", "Acme, Inc.")},
                     {http::verb::post, "/signup", signup_body("grace@example.com", "Acme, Inc.")},
                     {http::verb::post, "/signup", R"({"email":"no-at-sign","first_name":""})"},
                     {http::verb::post, "/signup", "not json"},
                     {http::verb::get, "/documents/plan", "", "grace@example.com"},
                     {http::verb::get, "/documents/plan", "", "nobody@example.com"},
                     {http::verb::get, "/metrics", ""},
                     {http::verb::get, "/nowhere", ""},
                 },
                 1);
    BOOST_TEST(answers[0].status == 201u);
    BOOST_TEST(answers[0].body == R"({"id":"grace@example.com","tenant":"acme-inc"})");
    BOOST_TEST(answers[1].status == 409u);  // the same email, in any case
    BOOST_TEST(answers[2].status == 400u);
    // Each bad field is named: the email, the empty first name, the missing ones.
    const auto fields = json::parse(answers[2].body).at("fields").as_array();
    std::set<std::string> named;
    for (const auto& f : fields) named.insert(std::string(f.at("field").as_string()));
    BOOST_TEST((named == std::set<std::string>{"email", "first_name", "last_name", "company"}));
    BOOST_TEST(answers[3].status == 400u);
    BOOST_TEST(answers[4].status == 200u);
    BOOST_TEST(answers[5].status == 401u);
    BOOST_TEST(answers[6].status == 200u);
    const auto metrics = json::parse(answers[6].body);
    BOOST_TEST(metrics.at("signups").at("created").to_number<std::uint64_t>() == 1u);
    BOOST_TEST(metrics.at("signups").at("invalid").to_number<std::uint64_t>() == 2u);
    BOOST_TEST(metrics.at("signups").at("taken").to_number<std::uint64_t>() == 1u);
    BOOST_TEST(metrics.at("checks").at("allowed").to_number<std::uint64_t>() == 1u);
    BOOST_TEST(answers[7].status == 404u);

    // The user is in Permit with the role, in the tenant named after the company.
    const auto users = emulator_users(emu);
    BOOST_REQUIRE(users.count("grace@example.com") == 1u);
    BOOST_TEST((users.at("grace@example.com") ==
                std::set<std::pair<std::string, std::string>>{{"member", "acme-inc"}}));
    const auto tenants = emu.snapshot().at("tenants").as_array();
    bool named_after_company = false;
    for (const auto& t : tenants)
        named_after_company |= t.at("key") == "acme-inc" && t.at("name") == "Acme, Inc.";
    BOOST_TEST(named_after_company);

    server.terminate();
    BOOST_TEST(server.wait_exit(std::chrono::seconds(30)) == 0);
}

// A PDP that learns of writes 300 ms late: the user's first request after signing up is refused,
// unless the sign-up waits for the PDP (--confirm-with-pdp).
BOOST_AUTO_TEST_CASE(with_confirm_with_pdp_the_first_request_after_a_sign_up_is_allowed) {
    auto config = emulator_with_policy();
    config.pdp_propagation_delay = std::chrono::milliseconds(300) * permit_test::slowdown;
    permit::testing::emulator emu(config);
    const auto sign_up_then_read = [&](server_process& server, const std::string& email) {
        return send_all(server.port(),
                        {{http::verb::post, "/signup", signup_body(email, "Acme, Inc.")},
                         {http::verb::get, "/documents/plan", "", email}},
                        1);
    };
    server_process confirming(emu, {"--confirm-with-pdp", "10000"});
    const auto confirmed = sign_up_then_read(confirming, "ada@example.com");
    BOOST_TEST(confirmed[0].status == 201u);
    BOOST_TEST(confirmed[1].status == 200u);
    server_process plain(emu);
    const auto stale = sign_up_then_read(plain, "bob@example.com");
    BOOST_TEST(stale[0].status == 201u);
    BOOST_TEST(stale[1].status == 403u);
    for (auto* server : {&confirming, &plain}) {
        server->terminate();
        BOOST_TEST(server->wait_exit(std::chrono::seconds(30)) == 0);
    }
}

BOOST_AUTO_TEST_CASE(a_sigterm_mid_wave_loses_no_acknowledged_user_and_lets_no_refused_one_in) {
    permit::testing::emulator emu(emulator_with_policy());
    server_process server(emu);

    // Wave 1: 2,000 sign-ups from 500 connections, all acknowledged, in a few bulk calls.
    const auto first = signups("first", 2000);
    const auto first_answers = send_all(server.port(), first, 500);
    std::size_t created = 0;
    for (const auto& a : first_answers) created += a.status == 201;
    BOOST_TEST(created == 2000u);
    const auto metrics =
        json::parse(send_all(server.port(), {{http::verb::get, "/metrics", ""}}, 1).at(0).body);
    BOOST_TEST_MESSAGE("wave 1: " << json::serialize(metrics.at("permit")));
    BOOST_TEST(metrics.at("permit").at("requests").to_number<std::uint64_t>() < 200u);

    // Wave 2: SIGTERM once 300 of 2,000 sign-ups are answered.
    const auto second = signups("second", 2000);
    bool terminated = false;
    const auto second_answers = send_all(server.port(), second, 500, [&](std::size_t answered) {
        if (answered == 300 && !terminated) {
            server.terminate();
            terminated = true;
        }
    });
    BOOST_TEST(server.wait_exit(std::chrono::seconds(60)) == 0);

    const auto users = emulator_users(emu);
    const std::set<std::pair<std::string, std::string>> member_of_company_0{
        {"member", "company-0"}};
    std::size_t acknowledged = 0, refused = 0, unanswered = 0;
    auto check = [&](const request_spec& spec, const answer& a, int i) {
        const auto email = email_of(spec);
        const auto tenant = "company-" + std::to_string(i % 7);
        if (a.status == 201) {
            ++acknowledged;
            BOOST_TEST_CONTEXT(email) {
                BOOST_REQUIRE(users.count(email) == 1u);
                BOOST_TEST((users.at(email) ==
                            std::set<std::pair<std::string, std::string>>{{"member", tenant}}));
            }
        } else if (a.status != 0) {
            ++refused;
            BOOST_TEST_CONTEXT(email << " got " << a.status << " " << a.body) {
                BOOST_TEST(a.status == 503u);  // only a stopping server refuses a valid sign-up
                BOOST_TEST(users.count(email) == 0u);
            }
        } else {
            // Never read by the server, or read after the signal: never sent to Permit.
            ++unanswered;
            BOOST_TEST_CONTEXT(email << " got no answer") {
                BOOST_TEST(users.count(email) == 0u);
            }
        }
    };
    for (int i = 0; i < 2000; ++i) check(first[i], first_answers[i], i);
    for (int i = 0; i < 2000; ++i) check(second[i], second_answers[i], i);
    BOOST_TEST_MESSAGE("wave 2 after SIGTERM: " << acknowledged - 2000 << " acknowledged, "
                                                << refused << " refused, " << unanswered
                                                << " unanswered");
    BOOST_TEST(acknowledged >= 2300u);  // the first wave and the 300 before the signal
    BOOST_TEST(acknowledged + refused + unanswered == 4000u);
}

BOOST_AUTO_TEST_SUITE_END()

// The HTTP plumbing in the test's own process, with handlers made for the occasion.
BOOST_AUTO_TEST_SUITE(signup_server_http)

using signup_server::http_server;

/// Runs `server` on its own thread until `stop()` is awaited by the test's `stop_when`.
struct in_process_server {
    explicit in_process_server(signup_server::request_handler handler)
        : server(ioc, {asio::ip::make_address("127.0.0.1"), 0}, std::move(handler)) {
        server.start();
        thread = std::thread([this] { ioc.run(); });
    }
    ~in_process_server() {
        ioc.stop();
        thread.join();
    }
    /// Stops the server; true if the stop completed within `limit`.
    bool stop(std::chrono::seconds limit) {
        std::promise<void> done;
        asio::co_spawn(ioc, server.stop(), [&](std::exception_ptr) { done.set_value(); });
        return done.get_future().wait_for(limit) == std::future_status::ready;
    }
    asio::io_context ioc;
    // The test's own operations may come after the server's last one.
    asio::executor_work_guard<asio::io_context::executor_type> keep_running{ioc.get_executor()};
    http_server server;
    std::thread thread;
};

signup_server::response ok_response(const signup_server::request& req) {
    signup_server::response res(http::status::ok, req.version());
    res.body() = "ok";
    res.prepare_payload();
    return res;
}

BOOST_AUTO_TEST_CASE(a_handler_that_throws_gets_a_500_and_the_server_still_stops) {
    in_process_server s(
        [](const signup_server::request&) -> asio::awaitable<signup_server::response> {
            throw std::runtime_error("handler bug");
            co_return signup_server::response{};
        });
    const auto answers =
        send_all(s.server.port(), {{http::verb::get, "/a", ""}, {http::verb::get, "/b", ""}}, 1);
    BOOST_TEST(answers[0].status == 500u);
    BOOST_TEST(answers[1].status == 500u);  // on the same connection: it stayed usable
    BOOST_TEST(s.stop(std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(a_stop_answers_the_request_in_progress_and_closes_idle_connections) {
    std::promise<void> handling;
    std::atomic<bool> slow_answered{false};
    in_process_server s(
        [&](const signup_server::request& req) -> asio::awaitable<signup_server::response> {
            if (req.target() == "/slow") {
                handling.set_value();
                asio::steady_timer wait(co_await asio::this_coro::executor,
                                        std::chrono::milliseconds(300));
                co_await wait.async_wait(asio::use_awaitable);
                slow_answered = true;
            }
            co_return ok_response(req);
        });
    // An idle keep-alive connection: one request answered, then nothing.
    beast::tcp_stream idle(s.ioc.get_executor());
    idle.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.server.port()));
    http::request<http::string_body> ping(http::verb::get, "/fast", 11);
    http::write(idle, ping);
    beast::flat_buffer idle_buffer;
    http::response<http::string_body> pong;
    http::read(idle, idle_buffer, pong);
    BOOST_TEST(pong.keep_alive());

    // A slow request in progress when the stop comes.
    std::vector<answer> slow;
    std::thread client([&] {
        slow = send_all(s.server.port(), {{http::verb::get, "/slow", ""}}, 1);
    });
    handling.get_future().wait();
    BOOST_TEST(s.stop(std::chrono::seconds(5)));
    BOOST_TEST(slow_answered.load(), "the stop completed before the request in progress");
    client.join();
    BOOST_TEST(slow.at(0).status == 200u);  // answered, not cut

    // The idle connection was closed by the server: the next read ends at once, rather than
    // at the 5 s this test allows or at the server's 60 s idle timeout.
    http::response<http::string_body> none;
    std::promise<beast::error_code> read;
    asio::post(idle.get_executor(), [&] {
        idle.expires_after(std::chrono::seconds(5));
        http::async_read(idle, idle_buffer, none,
                         [&](beast::error_code e, std::size_t) { read.set_value(e); });
    });
    auto read_result = read.get_future();
    BOOST_REQUIRE(read_result.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    const auto ec = read_result.get();
    BOOST_TEST(ec == beast::error_code(http::error::end_of_stream), ec.message());
    // And nothing is accepted any more.
    BOOST_TEST(send_all(s.server.port(), {{http::verb::get, "/fast", ""}}, 1).at(0).status == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
