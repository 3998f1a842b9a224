// A map from the bulk pipeline's ticket numbers to a record, laid out flat: what the batcher keeps
// of each waiting caller. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace permit::bulk::detail {

/// A map from ticket numbers to `T` in one array: open addressing in a table of a power of two
/// slots, a number's first slot being its low bits, with Robin Hood hashing (a record that has
/// come further from its first slot takes the place of one that has come less far, so that the
/// records of a run lie in the order of their first slots) and backward-shift removal.
///
/// Why: tickets are numbered in the order the calls arrive, so the calls admitted together sit side
/// by side, each in its first slot, and the answer of a batch visits them in about that order. A
/// node-based map puts each record and each bucket wherever the allocator had room: with twelve
/// thousand callers waiting, finishing a caller missed the cache on its bucket, its node and the
/// node before it. With Robin Hood order a removal stops at the first record in its own first slot:
/// taking a caller out of a long run of consecutive numbers moves nothing.
///
/// An insert or a removal may move other records: a pointer to a record is good until the next
/// insert or removal. Records are only ever move-constructed and destroyed, never assigned (Boost
/// 1.81's move assignment of `any_completion_handler` recurses). The table grows to keep at most
/// seven eighths of its slots used (Robin Hood order keeps the probes short at that load), and
/// does not shrink.
///
/// Not thread-safe.
template <class T>
class ticket_table {
  public:
    using key_type = std::uint64_t;

    ticket_table() = default;
    ticket_table(ticket_table&&) = delete;  // records would move under their users' pointers

    /// The record of `key`, or null.
    T* find(key_type key) noexcept {
        const std::size_t i = index_of(key);
        return i == none ? nullptr : &*slots_[i].value;
    }
    const T* find(key_type key) const noexcept {
        const std::size_t i = index_of(key);
        return i == none ? nullptr : &*slots_[i].value;
    }
    bool contains(key_type key) const noexcept { return index_of(key) != none; }

    /// The record of `key`, made from `args` if there is none; and whether it was made.
    template <class... Args>
    std::pair<T*, bool> try_emplace(key_type key, Args&&... args) {
        if (T* found = find(key)) return {found, false};
        if (8 * (size_ + 1) > 7 * slots_.size()) grow();
        std::size_t i = home(key);
        for (std::size_t distance = 0;; ++distance, i = next(i)) {
            auto& s = slots_[i];
            if (!s.value) {
                // The common case (numbers arrive in order): the record is made in its place.
                s.value.emplace(std::forward<Args>(args)...);
                s.key = key;
                ++size_;
                return {&*s.value, true};
            }
            if (distance_of(i) < distance) break;
        }
        // A record that came less far sits where this one goes: it is made aside first, so that
        // a constructor that throws leaves the table as it was.
        return {displace(i, key, T(std::forward<Args>(args)...)), true};
    }

    /// Takes the record of `key` out of the table, if there is one.
    std::optional<T> extract(key_type key) {
        std::optional<T> out;  // one object returned on every path (no move of an optional)
        const std::size_t hole = index_of(key);
        if (hole == none) return out;
        out.emplace(std::move(*slots_[hole].value));
        close(hole);
        return out;
    }

    /// Destroys the record of `key`, if there is one; whether there was.
    bool erase(key_type key) noexcept {
        const std::size_t hole = index_of(key);
        if (hole == none) return false;
        close(hole);
        return true;
    }

    /// Destroys every record; the table keeps its slots.
    void clear() noexcept {
        for (auto& s : slots_) s.value.reset();
        size_ = 0;
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

  private:
    struct slot {
        key_type key = 0;
        std::optional<T> value;
    };

    // Empties slot `hole`: the records after it that are not in their first slot move back by
    // one, up to an empty slot or a record in its first slot.
    void close(std::size_t hole) noexcept {
        static_assert(std::is_nothrow_move_constructible_v<T>, "a removal must not fail halfway");
        slots_[hole].value.reset();
        --size_;
        for (std::size_t i = next(hole); slots_[i].value && distance_of(i) > 0; i = next(i)) {
            slots_[hole].value.emplace(std::move(*slots_[i].value));
            slots_[hole].key = slots_[i].key;
            slots_[i].value.reset();
            hole = i;
        }
    }

    // Puts `record` in slot `i`, where a record that came less far than `key`'s sits, and carries
    // the displaced records on in Robin Hood order. Returns where `record` went.
    T* displace(std::size_t i, key_type key, T&& record) {
        std::optional<T> carried(std::in_place, std::move(record));
        T* made = nullptr;
        std::size_t distance = (i - home(key)) & (slots_.size() - 1);
        for (;; ++distance, i = next(i)) {
            auto& s = slots_[i];
            if (!s.value) {
                s.value.emplace(std::move(*carried));
                s.key = key;
                ++size_;
                return made ? made : &*s.value;
            }
            if (const auto theirs = distance_of(i); theirs < distance) {
                // The carried record takes this place; the one that was here goes on.
                std::optional<T> displaced(std::move(s.value));
                s.value.reset();
                s.value.emplace(std::move(*carried));
                carried.reset();
                carried.emplace(std::move(*displaced));
                std::swap(s.key, key);
                if (!made) made = &*s.value;
                distance = theirs;
            }
        }
    }

    std::size_t home(key_type key) const noexcept {
        return static_cast<std::size_t>(key) & (slots_.size() - 1);
    }
    std::size_t next(std::size_t i) const noexcept { return (i + 1) & (slots_.size() - 1); }
    // How far the record in slot `i` is from its first slot.
    std::size_t distance_of(std::size_t i) const noexcept {
        return (i - home(slots_[i].key)) & (slots_.size() - 1);
    }
    static constexpr std::size_t none = static_cast<std::size_t>(-1);
    // The slot of `key`, or `none`.
    std::size_t index_of(key_type key) const noexcept {
        if (slots_.empty()) return none;
        std::size_t i = home(key);
        for (std::size_t distance = 0;; ++distance, i = next(i)) {
            const auto& s = slots_[i];
            // Past where `key` would be: a record that came less far sits here.
            if (!s.value || distance_of(i) < distance) return none;
            if (s.key == key) return i;
        }
    }

    void grow() {
        constexpr std::size_t first_size = 64;
        std::vector<slot> old = std::exchange(
            slots_, std::vector<slot>(slots_.empty() ? first_size : 2 * slots_.size()));
        size_ = 0;
        for (auto& s : old)
            if (s.value) try_emplace(s.key, std::move(*s.value));
    }

    std::vector<slot> slots_;
    std::size_t size_ = 0;
};

}  // namespace permit::bulk::detail
