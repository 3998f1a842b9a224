// The client's log hook: what happened to calls (retries, 429s, replays, failures), as text.
#pragma once

#include <functional>
#include <string_view>

namespace permit {

/// How much a log record matters.
enum class log_level {
    debug,    ///< a call failed and its caller was told (every 404 of an existence check, say)
    info,     ///< the client recovered on its own (a request replayed on a new connection)
    warning,  ///< a retry, a 429, or a configuration that weakens security
};

/// The level's name: "debug", "info" or "warning".
constexpr std::string_view to_string(log_level level) noexcept {
    switch (level) {
        case log_level::debug:
            return "debug";
        case log_level::info:
            return "info";
        case log_level::warning:
            return "warning";
    }
    return "unknown";
}

/// Receives the client's log records. The text is one line, valid only during the call. It never
/// holds the API key: the client removes it from anything a server sent before it logs it.
///
/// Called on the client's executor (its strand with `config::thread_safe`), never concurrently
/// for one client; the warnings about insecure settings come earlier, from the client's
/// constructor, on the thread that makes it. It must not block, and must not throw.
using log_function = std::function<void(log_level, std::string_view)>;

}  // namespace permit
