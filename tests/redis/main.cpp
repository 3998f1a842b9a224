#define BOOST_TEST_MODULE permit_redis_tests
#include <boost/test/unit_test.hpp>
