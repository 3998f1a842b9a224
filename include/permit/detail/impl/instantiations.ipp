// The definitions of the per-operation templates declared extern by
// <permit/detail/instantiations.hpp>: compiled once, by <permit/src.hpp>, under
// PERMIT_SEPARATE_COMPILATION.
#pragma once

#include <permit/detail/instantiations.hpp>
#include <permit/detail/reply_reader.hpp>

#define PERMIT_DETAIL_DEFINE_RESULT(T, Decoder) PERMIT_DETAIL_DECODED_RESULT(template, T, Decoder)
#define PERMIT_DETAIL_DEFINE_BODY(Model) PERMIT_DETAIL_REQUEST_BODY(template, Model)
PERMIT_DETAIL_DECODED_RESULTS(PERMIT_DETAIL_DEFINE_RESULT)
PERMIT_DETAIL_REQUEST_BODIES(PERMIT_DETAIL_DEFINE_BODY)
#undef PERMIT_DETAIL_DEFINE_RESULT
#undef PERMIT_DETAIL_DEFINE_BODY
