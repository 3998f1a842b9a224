// The version of permit-cpp. Semantic versioning (https://semver.org): a release that breaks the
// public API or the documented behaviour raises the major version (the minor one while the major
// is 0). The CMake package takes its version from here.
#pragma once

/// The major version: raised for a change that breaks the public API or documented behaviour.
#define PERMIT_VERSION_MAJOR 0
/// The minor version: raised for new features that keep compatibility (any break while 0.x).
#define PERMIT_VERSION_MINOR 1
/// The patch version: raised for fixes only.
#define PERMIT_VERSION_PATCH 0

/// The version as one number, major * 100000 + minor * 100 + patch (as `BOOST_VERSION`), for
/// `#if PERMIT_VERSION >= 100`.
#define PERMIT_VERSION \
    (PERMIT_VERSION_MAJOR * 100000 + PERMIT_VERSION_MINOR * 100 + PERMIT_VERSION_PATCH)

#define PERMIT_DETAIL_STRINGIZE2(x) #x
#define PERMIT_DETAIL_STRINGIZE(x) PERMIT_DETAIL_STRINGIZE2(x)

/// The version as text, "major.minor.patch"; the client sends it in its `User-Agent`.
// clang-format off
#define PERMIT_VERSION_STRING                                                                      \
    PERMIT_DETAIL_STRINGIZE(PERMIT_VERSION_MAJOR) "."                                              \
    PERMIT_DETAIL_STRINGIZE(PERMIT_VERSION_MINOR) "."                                              \
    PERMIT_DETAIL_STRINGIZE(PERMIT_VERSION_PATCH)
// clang-format on
