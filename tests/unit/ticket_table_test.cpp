// The batcher's flat table of waiting callers: every record is found until it is taken out, under
// any order of inserts and removals, across the table's wrap-around and its growth.
#include <permit/bulk/detail/ticket_table.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

// A record that can be moved but not assigned, as a caller's type-erased handler.
struct unassignable {
    explicit unassignable(std::string v) : value(std::make_unique<std::string>(std::move(v))) {}
    unassignable(unassignable&&) noexcept = default;
    unassignable& operator=(unassignable&&) = delete;
    std::unique_ptr<std::string> value;
};

using table = permit::bulk::detail::ticket_table<unassignable>;

// Every key of `expected` is in `t` with its value, and the sizes agree.
void matches(table& t, const std::unordered_map<std::uint64_t, std::string>& expected) {
    BOOST_TEST(t.size() == expected.size());
    for (const auto& [key, value] : expected) {
        auto* found = t.find(key);
        BOOST_TEST_REQUIRE(found != nullptr, "key " << key << " is lost");
        BOOST_TEST(*found->value == value);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ticket_table)

BOOST_AUTO_TEST_CASE(records_are_found_until_taken_out_and_taken_out_once) {
    table t;
    BOOST_TEST(t.find(1) == nullptr);
    BOOST_TEST(!t.extract(1));
    auto [made, fresh] = t.try_emplace(7, "seven");
    BOOST_TEST(fresh);
    BOOST_TEST(*made->value == "seven");
    auto [again, fresh_again] = t.try_emplace(7, "other");
    BOOST_TEST(!fresh_again);
    BOOST_TEST(*again->value == "seven");
    BOOST_TEST(t.contains(7));
    auto out = t.extract(7);
    BOOST_TEST_REQUIRE(out.has_value());
    BOOST_TEST(*out->value == "seven");
    BOOST_TEST(!t.contains(7));
    BOOST_TEST(t.empty());
}

BOOST_AUTO_TEST_CASE(runs_that_collide_and_wrap_around_keep_every_record_reachable) {
    // Keys that share their first slot (multiples of the table's size) and keys next to the end
    // of the table, removed from the middle of their runs.
    table t;
    std::unordered_map<std::uint64_t, std::string> expected;
    const std::vector<std::uint64_t> keys{0, 64, 128, 1, 65, 63, 127, 191, 62, 2};
    for (auto k : keys) {
        t.try_emplace(k, std::to_string(k));
        expected.emplace(k, std::to_string(k));
    }
    for (auto k : {64u, 63u, 0u, 191u}) {
        BOOST_TEST(t.extract(k).has_value());
        expected.erase(k);
        matches(t, expected);
    }
}

BOOST_AUTO_TEST_CASE(any_order_of_inserts_and_removals_matches_a_map) {
    // Mostly consecutive numbers as the pipeline hands them out, with gaps, finished out of
    // order, and some far apart.
    std::mt19937_64 random(42);
    table t;
    std::unordered_map<std::uint64_t, std::string> expected;
    std::vector<std::uint64_t> live;
    std::uint64_t next = 1'000'000;
    for (int step = 0; step < 200'000; ++step) {
        const auto roll = random() % 100;
        if (roll < 50 || live.empty()) {
            const std::uint64_t key = roll < 45 ? next++ : random() % 5'000'000;
            const auto made = t.try_emplace(key, std::to_string(key));
            BOOST_TEST(made.second == expected.emplace(key, std::to_string(key)).second);
            if (made.second) live.push_back(key);
        } else {
            // The oldest most of the time, as batches finish; any other otherwise.
            const std::size_t at = roll < 80 ? 0 : random() % live.size();
            const auto key = live[at];
            live.erase(live.begin() + static_cast<std::ptrdiff_t>(at));
            if (roll % 2 == 0) {
                const auto out = t.extract(key);
                BOOST_TEST_REQUIRE(out.has_value());
                BOOST_TEST(*out->value == std::to_string(key));
            } else {
                BOOST_TEST(t.erase(key));
                BOOST_TEST(!t.erase(key));
            }
            expected.erase(key);
            BOOST_TEST(!t.contains(key));
        }
        if (step % 10'000 == 0) matches(t, expected);
    }
    matches(t, expected);
    t.clear();
    BOOST_TEST(t.empty());
    for (const auto& entry : expected) BOOST_TEST(!t.contains(entry.first));
    BOOST_TEST(t.try_emplace(next, "again").second);
    BOOST_TEST(*t.find(next)->value == "again");
}

// A record that counts its moves and can refuse to be made.
struct counted {
    static inline int moves = 0;
    counted(int v, bool refuse) : value(v) {
        if (refuse) throw std::runtime_error("refused");
    }
    counted(counted&& other) noexcept : value(other.value) { ++moves; }
    counted& operator=(counted&&) = delete;
    int value;
};

BOOST_AUTO_TEST_CASE(consecutive_tickets_are_made_in_their_place_without_a_move) {
    permit::bulk::detail::ticket_table<counted> t;
    t.try_emplace(0, 0, false);  // the first insert allocates; the table then has room for 56
    counted::moves = 0;
    for (int k = 1; k < 50; ++k) t.try_emplace(static_cast<std::uint64_t>(k), k, false);
    BOOST_TEST(counted::moves == 0);
    BOOST_TEST(t.find(49)->value == 49);
}

BOOST_AUTO_TEST_CASE(a_record_that_cannot_be_made_leaves_the_table_as_it_was) {
    permit::bulk::detail::ticket_table<counted> t;
    // 0 and 64 share their first slot; 128 would go where 2 sits in its own, displacing it.
    // 3 would be made in its own first slot.
    for (std::uint64_t k : {0u, 64u, 2u}) t.try_emplace(k, static_cast<int>(k), false);
    BOOST_CHECK_THROW(t.try_emplace(128, 128, true), std::runtime_error);
    BOOST_CHECK_THROW(t.try_emplace(3, 3, true), std::runtime_error);
    BOOST_TEST(t.size() == 3u);
    for (std::uint64_t k : {0u, 64u, 2u}) {
        BOOST_TEST_REQUIRE(t.find(k) != nullptr);
        BOOST_TEST(t.find(k)->value == static_cast<int>(k));
    }
    BOOST_TEST(!t.contains(128));
    BOOST_TEST(!t.contains(3));
    t.try_emplace(128, 128, false);  // and the run still takes a record
    BOOST_TEST(t.find(128)->value == 128);
    BOOST_TEST(t.find(2)->value == 2);
}

BOOST_AUTO_TEST_SUITE_END()
