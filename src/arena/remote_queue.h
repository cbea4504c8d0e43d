// arena/remote_queue.h: frees of an arena's objects by threads that do not allocate from
// it (a consumer's frees of a producer's objects), queued for the arena's next lock
// holder instead of taking the arena's lock. The owner drains the queue under its lock
// when it refills, ticks or purges, so a thread that only frees never makes the owner's
// try_lock fail and move its favourite on: producer and consumer would otherwise chase
// each other round every arena, each left holding a working set of runs and dirty pages.
//
// Locking: lock_ guards slots_, and is held only to copy pointers in or out (never while
// freeing). Order: the arena lock, then lock_. count_ is written under lock_ and read
// without it (a hint for the owner); bytes_ is an atomic gauge for statistics.
#pragma once
#include <atomic>
#include <cstddef>

#include "chunk/chunk.h"
#include "platform/mutex.h"
#include "sizeclass/size_classes.h"

namespace bento {

// The bytes an arena object at p is counted as while queued: its page's class size (0
// for a page of no class: a bad free, which the drain reports).
inline std::size_t queued_bytes(const void* p) noexcept {
  const unsigned cls = page_class(chunk_of(p)->pages[page_of(p)]);
  return cls < kNumClasses ? class_bytes(cls) : 0;
}

class RemoteQueue {
 public:
  // At most this many objects, or kMaxBytes of them, wait: beyond, the freeing thread
  // takes the arena's lock itself (arena_free_batch).
  static constexpr std::size_t kCapacity = 512;
  static constexpr std::size_t kMaxBytes = std::size_t{256} << 10;

  // Appends ptrs[0..n) (bytes: their class sizes, in all) if they fit; false otherwise.
  bool push(void* const* ptrs, std::size_t n, std::size_t bytes) noexcept;
  // Moves up to cap queued pointers to out and returns how many (0: empty). The caller
  // holds the arena's lock; `freed_bytes` is what they add up to, for the gauge.
  std::size_t take(void** out, std::size_t cap) noexcept;
  void taken(std::size_t freed_bytes) noexcept;

  bool empty() const noexcept { return count_.load(std::memory_order_relaxed) == 0; }
  std::size_t bytes() const noexcept { return bytes_.load(std::memory_order_relaxed); }

  // Fork: held across it, with the arena locks (arenas_prefork).
  void lock() noexcept { lock_.lock(); }
  void unlock() noexcept { lock_.unlock(); }
  void reset_after_fork() noexcept { lock_.reset_after_fork(); }

 private:
  Mutex lock_;
  std::atomic<std::size_t> count_{0};
  std::atomic<std::size_t> bytes_{0};  // of the queued objects and of those taken, not yet freed
  void* slots_[kCapacity];
};

}  // namespace bento
