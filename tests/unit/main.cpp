#define BOOST_TEST_MODULE permit_unit_tests
#include <boost/test/unit_test.hpp>
