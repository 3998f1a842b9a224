// The memory of the bulk pipeline's per-call records: small blocks kept for reuse once freed.
#pragma once

#include <array>
#include <cstddef>
#include <memory_resource>

namespace permit::bulk::detail {

/// A memory resource for records that come and go by the thousand a second and are all about the
/// same size (the pipeline's tickets and callers, and their hash tables' nodes): a freed block of
/// up to `largest_kept` bytes is kept on a list of its size class and handed out again for the
/// next block of that class; larger blocks come from `upstream` and go back to it. What it keeps
/// is what was in use at once, at most (`bulk_options::max_pending` bounds that); everything goes
/// back to `upstream` when the resource is destroyed.
///
/// Why not `std::pmr::unsynchronized_pool_resource`: libstdc++'s looks each block up in a bitmap
/// of its chunk, which cost a sync of 100,000 users through the pipeline about 700 instructions a
/// user, a tenth of the whole; a free list costs a few.
///
/// Not thread-safe: the pipeline uses it on its executor only.
class recycling_resource final : public std::pmr::memory_resource {
  public:
    /// The largest block kept for reuse.
    static constexpr std::size_t largest_kept = 512;

    /// A resource drawing on `upstream`.
    explicit recycling_resource(
        std::pmr::memory_resource* upstream = std::pmr::new_delete_resource()) noexcept
        : upstream_(upstream) {}

    /// Not copyable.
    recycling_resource(const recycling_resource&) = delete;
    /// Not copyable.
    recycling_resource& operator=(const recycling_resource&) = delete;

    /// Gives every kept block back to the upstream resource. Blocks still in use must have been
    /// deallocated first.
    ~recycling_resource() override {
        for (std::size_t c = 0; c < free_.size(); ++c) {
            while (free_[c]) {
                block* b = free_[c];
                free_[c] = b->next;
                upstream_->deallocate(b, size_of(c), granule);
            }
        }
    }

    /// The blocks kept for reuse now (for tests).
    std::size_t kept() const noexcept {
        std::size_t n = 0;
        for (const block* head : free_)
            for (const block* b = head; b; b = b->next) ++n;
        return n;
    }

  private:
    // Every kept block is aligned for any object and sized in granules.
    static constexpr std::size_t granule = alignof(std::max_align_t);
    static_assert(granule >= sizeof(void*));

    struct block {
        block* next;
    };

    static constexpr bool kept_size(std::size_t bytes, std::size_t alignment) noexcept {
        return bytes <= largest_kept && alignment <= granule;
    }
    static constexpr std::size_t class_of(std::size_t bytes) noexcept {
        return bytes == 0 ? 0 : (bytes - 1) / granule;
    }
    static constexpr std::size_t size_of(std::size_t size_class) noexcept {
        return (size_class + 1) * granule;
    }

    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        if (!kept_size(bytes, alignment)) return upstream_->allocate(bytes, alignment);
        const std::size_t c = class_of(bytes);
        if (block* b = free_[c]) {
            free_[c] = b->next;
            return b;
        }
        return upstream_->allocate(size_of(c), granule);
    }

    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        if (!kept_size(bytes, alignment)) return upstream_->deallocate(p, bytes, alignment);
        const std::size_t c = class_of(bytes);
        free_[c] = ::new (p) block{free_[c]};
    }

    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
        return this == &other;
    }

    std::pmr::memory_resource* upstream_;
    std::array<block*, largest_kept / granule> free_{};
};

}  // namespace permit::bulk::detail
