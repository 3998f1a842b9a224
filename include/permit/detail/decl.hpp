// PERMIT_DECL marks the library's non-template functions whose definitions live in `impl/*.ipp`.
// Header-only (the default), they are inline and each .ipp is included by its header. With
// PERMIT_SEPARATE_COMPILATION defined in every translation unit, they are ordinary functions,
// compiled once in the translation unit that includes <permit/src.hpp>: every other one then
// skips the HTTP and retry machinery they instantiate.
#pragma once

#ifdef PERMIT_SEPARATE_COMPILATION
#define PERMIT_DECL
#else
#define PERMIT_DECL inline
#endif
