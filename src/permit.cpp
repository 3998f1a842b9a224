// The client's non-template code compiled once: the permit::compiled static library (the
// engine, the transport and the bulk pipeline), which defines PERMIT_SEPARATE_COMPILATION for
// every target that links it.
#include <permit/src.hpp>
