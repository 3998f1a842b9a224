// A value that one thread publishes and any thread reads whole, without a lock: the counters
// behind `stats()`, which the client's thread publishes after every change.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace permit::detail {

/// A sequence lock over a trivially copyable `T` made of 64-bit words. The writer never waits: it
/// makes the version odd, stores the words and makes the version even again. A reader copies the
/// words and copies again when the version was odd or moved meanwhile. Every word is an atomic,
/// read and written relaxed, so that a reader overlapping a write is no data race; the fences
/// order the words against the version (the construction of H.-J. Boehm, "Can Seqlocks Get Along
/// with Programming Language Memory Models?", MSPC 2012).
///
/// `store`: one thread at a time (the client's). `load`: any thread, any time.
template <class T>
class seqlock {
    static_assert(std::is_trivially_copyable_v<T>);
    static_assert(sizeof(T) % sizeof(std::uint64_t) == 0);
    static constexpr std::size_t word_count = sizeof(T) / sizeof(std::uint64_t);
    using image = std::array<std::uint64_t, word_count>;

  public:
    seqlock() noexcept { store(T{}); }
    seqlock(const seqlock&) = delete;
    seqlock& operator=(const seqlock&) = delete;

    /// Publishes `value`.
    void store(const T& value) noexcept {
        const auto words = std::bit_cast<image>(value);
        const auto version = version_.load(std::memory_order_relaxed);
        version_.store(version + 1, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_release);
        for (std::size_t i = 0; i < word_count; ++i)
            words_[i].store(words[i], std::memory_order_relaxed);
        version_.store(version + 2, std::memory_order_release);
    }

    /// The value last published, as it was published.
    T load() const noexcept {
        image words;
        for (;;) {
            const auto version = version_.load(std::memory_order_acquire);
            for (std::size_t i = 0; i < word_count; ++i)
                words[i] = words_[i].load(std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_acquire);
            if (version % 2 == 0 && version_.load(std::memory_order_relaxed) == version) break;
        }
        return std::bit_cast<T>(words);
    }

  private:
    std::atomic<std::uint64_t> version_{0};
    std::array<std::atomic<std::uint64_t>, word_count> words_{};
};

}  // namespace permit::detail
