// Glob matching of request paths for fault rules: `*` stays inside one segment, `**` crosses them.
#pragma once

#include <string_view>

namespace permit::testing::detail {

/// True when `path` matches `pattern` as a whole.
inline bool path_matches(std::string_view pattern, std::string_view path) noexcept {
    // Backtracking over at most one pending star keeps this linear for the patterns we use
    // (a handful of wildcards), and never recursive.
    std::size_t p = 0, s = 0;
    std::size_t star_p = std::string_view::npos, star_s = 0;
    bool star_crosses = false;
    while (s < path.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star_crosses = p + 1 < pattern.size() && pattern[p + 1] == '*';
            p += star_crosses ? 2 : 1;
            star_p = p;
            star_s = s;
        } else if (p < pattern.size() && pattern[p] == path[s]) {
            ++p;
            ++s;
        } else if (star_p != std::string_view::npos && (star_crosses || path[star_s] != '/')) {
            // Let the last star swallow one more character and retry from there.
            p = star_p;
            s = ++star_s;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace permit::testing::detail
