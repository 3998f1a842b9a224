// The client's non-template code compiled once (PERMIT_SEPARATE_COMPILATION): the permit::permit
// static library when the CMake option PERMIT_SEPARATE_COMPILATION is on, and part of the
// permit::emulator library of the project's own tools and tests otherwise.
#include <permit/src.hpp>
