// The sequence lock behind the counters' `stats()`: a reader gets each published value whole,
// never words of two values, while the writer publishes without waiting.
#include <permit/bulk/stats.hpp>
#include <permit/detail/seqlock.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace {

// Every counter of a published value holds the same number: a value read whole says so.
permit::bulk_stats all_at(std::uint64_t n) {
    permit::bulk_stats s;
    s.users_synced = s.tenants_created = s.tenants_existing = s.assignments_created = n;
    s.instances_synced = s.tuples_written = s.tuples_removed = s.tuples_existing = n;
    s.tuples_absent = s.items_rejected = s.calls_failed = s.user_batches = n;
    s.tenant_batches = s.assignment_batches = s.instance_batches = s.tuple_batches = n;
    s.tuple_removal_batches = s.user_writes = s.assignment_writes = s.batches_split = n;
    s.pending = s.pending_high_water = s.in_flight_high_water = n;
    return s;
}

bool whole(const permit::bulk_stats& s) {
    static_assert(sizeof(permit::bulk_stats) == 23 * sizeof(std::uint64_t),
                  "all_at sets every counter");
    return all_at(s.users_synced) == s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(seqlock)

BOOST_AUTO_TEST_CASE(a_value_reads_back_as_published_and_starts_as_the_default) {
    permit::detail::seqlock<permit::bulk_stats> published;
    BOOST_TEST((published.load() == permit::bulk_stats{}));
    permit::bulk_stats s;
    s.users_synced = 7;
    s.pending = 3;
    s.in_flight_high_water = 1;
    published.store(s);
    BOOST_TEST((published.load() == s));
}

BOOST_AUTO_TEST_CASE(readers_racing_the_writer_read_only_whole_values_in_order) {
    permit::detail::seqlock<permit::bulk_stats> published;
    constexpr std::uint64_t last = 200'000;
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> torn{0}, backwards{0}, reads{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            std::uint64_t seen = 0;
            while (!done.load(std::memory_order_acquire)) {
                const auto s = published.load();
                if (!whole(s)) ++torn;
                if (s.users_synced < seen) ++backwards;
                seen = s.users_synced;
                ++reads;
            }
        });
    }
    for (std::uint64_t n = 1; n <= last; ++n) published.store(all_at(n));
    done.store(true, std::memory_order_release);
    for (auto& t : readers) t.join();
    BOOST_TEST(torn.load() == 0u);
    BOOST_TEST(backwards.load() == 0u);
    BOOST_TEST(reads.load() > 0u);
    BOOST_TEST((published.load() == all_at(last)));
}

BOOST_AUTO_TEST_SUITE_END()
