// PERMIT_DECL marks the library's non-template functions whose definitions live in `impl/*.ipp`
// (the client's, and the emulator's).
// Header-only (the default), they are inline and each .ipp is included by its header. With
// PERMIT_SEPARATE_COMPILATION defined in every translation unit, they are ordinary functions,
// compiled once in the translation unit that includes <permit/src.hpp> (the emulator's:
// <permit/testing/src.hpp>): every other one then skips the machinery they instantiate.
#pragma once

#ifdef PERMIT_SEPARATE_COMPILATION
#define PERMIT_DECL
#else
#define PERMIT_DECL inline
#endif
