// Include in exactly one translation unit of a program built with PERMIT_SEPARATE_COMPILATION
// to compile the client's non-template code there once (Boost.MySQL's scheme). The emulator has
// its own, <permit/testing/src.hpp>.
#pragma once

#ifndef PERMIT_SEPARATE_COMPILATION
#error "Define PERMIT_SEPARATE_COMPILATION in every translation unit to use <permit/src.hpp>"
#endif

#include <permit/permit.hpp>

#include <permit/bulk/detail/impl/batcher.ipp>
#include <permit/detail/impl/client_impl.ipp>
#include <permit/detail/impl/decision.ipp>
#include <permit/detail/impl/engine.ipp>
#include <permit/detail/impl/error.ipp>
#include <permit/detail/impl/instantiations.ipp>
