// The entry point of a fuzz target, as libFuzzer's LLVMFuzzerTestOneInput or as a function the
// corpus replay program (replay_main.cpp) finds by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

// The build defines BOOST_ENABLE_ASSERT_HANDLER for the fuzz programs: Boost's assertions stay on
// (and abort), but for one that is wrong in Boost 1.81, in a state Beast handles correctly.
#ifdef BOOST_ENABLE_ASSERT_HANDLER
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace boost {

// Beast's basic_parser::parse_chunk_header asserts `n >= 5` when the last chunk and the blank
// line after it arrive in pieces ("0\r\n", then "\r", then "\n"): with 4 bytes it then finds no
// end of message and asks for more, which is right. Fixed upstream in Boost 1.86 (Beast pull
// request #2861); it would otherwise stop every fuzzer that splits reads.
void assertion_failed(const char* expr, const char* function, const char* file, long line) {
    if (std::strcmp(expr, "n >= 5") == 0 && std::strstr(function, "parse_chunk_header")) return;
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
    std::abort();
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file,
                          long line) {
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr,
                 msg);
    std::abort();
}

}  // namespace boost
#endif

// PERMIT_FUZZ_TARGET(name) { ... } defines a target; its body sees the input as `data` and
// `size`, returns 0, and lets an exception escape only for a bug (libFuzzer then aborts with the
// input, the replay program fails).
#ifdef PERMIT_FUZZ_LIBFUZZER

#define PERMIT_FUZZ_TARGET(name) \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)

#else

namespace permit_fuzz {

using target_function = int (*)(const std::uint8_t* data, std::size_t size);

struct registered_target {
    const char* name;  // also the name of its corpus directory, corpus/<name>/
    target_function run;
};

// Every target of the program, in the order their translation unit defines them.
inline std::vector<registered_target>& registry() {
    static std::vector<registered_target> targets;
    return targets;
}

struct registrar {
    registrar(const char* name, target_function run) { registry().push_back({name, run}); }
};

}  // namespace permit_fuzz

// Static functions with the target's name in theirs, so that several targets can share one
// translation unit (the replay program includes them all to compile Beast and Asio once).
#define PERMIT_FUZZ_TARGET(name)                                                      \
    static int permit_fuzz_target_##name(const std::uint8_t* data, std::size_t size); \
    static const ::permit_fuzz::registrar permit_fuzz_registrar_##name{               \
        #name, &permit_fuzz_target_##name};                                           \
    static int permit_fuzz_target_##name(const std::uint8_t* data, std::size_t size)

#endif
