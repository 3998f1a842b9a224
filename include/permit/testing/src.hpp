// Include in exactly one translation unit of a program built with PERMIT_SEPARATE_COMPILATION
// to compile the emulator there once.
#pragma once

#ifndef PERMIT_SEPARATE_COMPILATION
#error \
    "Define PERMIT_SEPARATE_COMPILATION in every translation unit to use <permit/testing/src.hpp>"
#endif

#include <permit/testing/impl/emulator.ipp>
