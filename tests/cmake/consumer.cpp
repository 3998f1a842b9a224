// A program built the way a project that uses permit-cpp builds it: by each of the consumer
// projects next to this file (find_package, add_subdirectory, FetchContent). It signs a user up
// against the server at URL (the emulator, seeded with a "viewer" role that may read documents)
// and asks the PDP whether they may read a document.
//
// Usage: consumer URL API_KEY. Prints one line; exits 0 when the user was synced and allowed.
#include <permit/permit.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <iostream>

namespace asio = boost::asio;

namespace {

asio::awaitable<bool> sign_up(permit::client& permit) {
    permit::user_create user{.key = "consumer",
                             .email = "consumer@example.com",
                             .role_assignments = {{.role = "viewer", .tenant = "default"}}};
    co_await permit.users.sync(user);
    co_return co_await permit.check("consumer", "read", "document");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: consumer URL API_KEY\n";
        return 2;
    }
    asio::io_context ioc;
    permit::client permit(ioc.get_executor(),
                          permit::config{.api_key = argv[2], .api_url = argv[1], .pdp_url = argv[1]});
    bool allowed = false;
    std::exception_ptr failure;
    asio::co_spawn(ioc, sign_up(permit), [&](std::exception_ptr e, bool answer) {
        failure = e;
        allowed = answer;
    });
    ioc.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::cerr << "consumer: " << e.what() << '\n';
            return 1;
        }
    }
#ifdef PERMIT_SEPARATE_COMPILATION
    const char* mode = "separate compilation";
#else
    const char* mode = "header-only";
#endif
    std::cout << "permit-cpp " << PERMIT_VERSION_STRING << " (" << mode << "): user synced, check "
              << (allowed ? "allowed" : "denied") << '\n';
    return allowed ? 0 : 1;
}
