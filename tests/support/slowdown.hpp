// How much slower the tests run under a sanitizer, so that time limits stretch instead of failing
// a correct program that is merely instrumented.
#pragma once

namespace permit_test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool sanitized = true;
#else
inline constexpr bool sanitized = false;
#endif
#else
inline constexpr bool sanitized = false;
#endif

/// The factor by which time limits, and rate windows that a test must outrun, are stretched: ASan
/// and TSan slow a program down 2 to 15 times.
inline constexpr int slowdown = sanitized ? 5 : 1;

}  // namespace permit_test
