// What the tests that run a server program of their own (redis-server, tinyproxy) need: where the
// program is, and a free port on loopback for it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace permit_test {

/// Where the program `name` is, or empty when it is not installed (`PATH`, then /usr/bin and
/// /usr/sbin, where Debian puts daemons that a user's `PATH` may lack).
inline std::string program_path(std::string_view name) {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::string p = path;
        for (std::size_t at = 0;;) {
            const auto colon = p.find(':', at);
            dirs.push_back(p.substr(at, colon - at));
            if (colon == std::string::npos) break;
            at = colon + 1;
        }
    }
    dirs.push_back("/usr/bin");
    dirs.push_back("/usr/sbin");
    for (const auto& d : dirs) {
        const std::string candidate = (d.empty() ? "." : d) + "/" + std::string(name);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return {};
}

/// A port on 127.0.0.1 that nothing listens on now (the kernel's choice for a bound socket).
inline std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t size = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot bind a port on 127.0.0.1");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace permit_test
