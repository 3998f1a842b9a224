// The bulk pipeline's memory for its per-call records: a freed small block is handed out again
// for the next one of its size, larger ones go to the upstream resource, and everything kept goes
// back to it at the end.
#include <permit/bulk/detail/recycling_resource.hpp>

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory_resource>
#include <unordered_map>

namespace recycling_resource_test {

using permit::bulk::detail::recycling_resource;

/// An upstream resource that counts what is taken from it and given back.
class counting_resource final : public std::pmr::memory_resource {
  public:
    std::size_t allocations = 0;
    std::size_t deallocations = 0;
    std::size_t outstanding_bytes = 0;

  private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        ++allocations;
        outstanding_bytes += bytes;
        return std::pmr::new_delete_resource()->allocate(bytes, alignment);
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        ++deallocations;
        outstanding_bytes -= bytes;
        std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
        return this == &other;
    }
};

}  // namespace recycling_resource_test

BOOST_AUTO_TEST_SUITE(bulk_recycling_resource)

BOOST_AUTO_TEST_CASE(a_freed_block_is_handed_out_again_for_the_next_of_its_size) {
    using namespace recycling_resource_test;
    counting_resource upstream;
    recycling_resource r(&upstream);
    void* a = r.allocate(100);
    void* b = r.allocate(100);
    BOOST_TEST(upstream.allocations == 2u);
    r.deallocate(a, 100);
    BOOST_TEST(r.kept() == 1u);
    // Any size of the same class takes it; another class does not.
    void* c = r.allocate(97);
    BOOST_TEST(c == a);
    void* d = r.allocate(40);
    BOOST_TEST(upstream.allocations == 3u);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(d) % alignof(std::max_align_t) == 0u);
    r.deallocate(b, 100);
    r.deallocate(c, 97);
    r.deallocate(d, 40);
    BOOST_TEST(r.kept() == 3u);
    BOOST_TEST(upstream.deallocations == 0u);
}

BOOST_AUTO_TEST_CASE(large_or_overaligned_blocks_go_to_the_upstream_resource) {
    using namespace recycling_resource_test;
    counting_resource upstream;
    recycling_resource r(&upstream);
    void* big = r.allocate(recycling_resource::largest_kept + 1);
    void* aligned = r.allocate(64, 2 * alignof(std::max_align_t));
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(aligned) % (2 * alignof(std::max_align_t)) == 0u);
    r.deallocate(big, recycling_resource::largest_kept + 1);
    r.deallocate(aligned, 64, 2 * alignof(std::max_align_t));
    BOOST_TEST(upstream.deallocations == 2u);
    BOOST_TEST(r.kept() == 0u);
}

BOOST_AUTO_TEST_CASE(a_map_churning_through_it_keeps_only_what_was_in_use_at_once) {
    using namespace recycling_resource_test;
    counting_resource upstream;
    {
        recycling_resource r(&upstream);
        std::pmr::unordered_map<std::uint64_t, std::uint64_t> live(&r);
        // 100 live entries at a time, 100,000 in all: the nodes are those of the first 100.
        for (std::uint64_t id = 0; id < 100'000; ++id) {
            live.emplace(id, id);
            if (id >= 100) live.erase(id - 100);
        }
        BOOST_TEST(live.size() == 100u);
        BOOST_TEST(upstream.allocations < 200u, upstream.allocations << " blocks taken upstream");
    }
    // Everything went back when the resource went.
    BOOST_TEST(upstream.outstanding_bytes == 0u);
    BOOST_TEST(upstream.allocations == upstream.deallocations);
}

BOOST_AUTO_TEST_SUITE_END()
