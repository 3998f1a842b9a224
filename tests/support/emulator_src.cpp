// The emulator's server, compiled once for the emulator test executable.
#include <permit/testing/src.hpp>
