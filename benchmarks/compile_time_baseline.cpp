// The reference for `./dev bench`'s compile-time rows: a translation unit with Asio coroutines and
// Boost.JSON and no permit-cpp, doing the kind of work a handler does (a coroutine that serializes
// a struct). A handler that uses permit-cpp in separate-compilation mode should cost about twice
// this.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <string>

namespace asio = boost::asio;

struct sign_up {
    std::string key;
    std::string email;
};

void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const sign_up& s) {
    jv = {{"key", s.key}, {"email", s.email}};
}

asio::awaitable<std::size_t> on_sign_up(std::string id, std::string email) {
    const sign_up s{std::move(id), std::move(email)};
    co_return boost::json::serialize(boost::json::value_from(s)).size();
}

int main() {
    asio::io_context io;
    asio::co_spawn(io, on_sign_up("a", "b"), asio::detached);
    io.run();
}
