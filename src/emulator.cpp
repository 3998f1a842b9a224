// The emulator's server, compiled once into the permit::emulator library that the tools, the
// examples and the tests link.
#include <permit/testing/src.hpp>
