// Boost.JSON and Boost.URL compiled into the libFuzzer programs, with their instrumentation, so
// that the fuzzer's coverage reaches inside the JSON and URL parsers (the shared libraries the
// other programs link are not instrumented).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
