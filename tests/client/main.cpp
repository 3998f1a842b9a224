#define BOOST_TEST_MODULE permit_client_tests
#include <boost/test/unit_test.hpp>
