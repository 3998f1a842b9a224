// What `./dev bench` compiles to measure the cost of the library to a user's build: one
// translation unit that includes <permit/permit.hpp> and uses the calls a sign-up handler makes
// (a user sync, a bulk sync and a check), so that their templates are instantiated.
#include <permit/permit.hpp>

namespace asio = boost::asio;

asio::awaitable<bool> on_sign_up(permit::client& permit, std::string id, std::string email) {
    permit::user_create user{.key = id, .email = std::move(email)};
    co_await permit.users.sync(user);
    co_await permit.bulk.sync_user(user);
    co_return co_await permit.check(id, "read", "document");
}
