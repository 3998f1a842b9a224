#define BOOST_TEST_MODULE permit_emulator_tests
#include <boost/test/unit_test.hpp>
