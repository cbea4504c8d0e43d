// platform/mutex.h: bento's locks.
//  - Mutex: a futex lock (0 free, 1 held, 2 held with sleepers). Uncontended lock and
//    unlock are one atomic each; it never allocates, so it is usable inside malloc.
//  - ProfiledMutex: a Mutex that counts how it is acquired (the contention counters the
//    arenas expose). Counters are written by the new owner while it holds the lock,
//    except the try_lock failures and the waiter count, which are atomics.
// After fork the child re-initialises every lock (reset_after_fork), never unlocks.
#pragma once
#include <atomic>
#include <cstdint>

#include "base/compiler.h"

namespace bento {

class Mutex {
 public:
  bool try_lock() noexcept {
    std::uint32_t expected = 0;
    return state_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }
  void lock() noexcept {
    if (!try_lock()) lock_slow(kDefaultSpins);
  }
  // Blocks without spinning first (callers that already spun).
  void lock_no_spin() noexcept {
    if (!try_lock()) lock_slow(0);
  }
  void unlock() noexcept {
    if (state_.exchange(0, std::memory_order_release) == 2) wake_one();
  }
  bool is_locked() const noexcept { return state_.load(std::memory_order_relaxed) != 0; }
  void reset_after_fork() noexcept { state_.store(0, std::memory_order_relaxed); }

  // Spins up to `spins` pauses waiting for the lock to look free; true if it was taken.
  bool spin_try(unsigned spins) noexcept;

  static constexpr unsigned kDefaultSpins = 100;

 private:
  void lock_slow(unsigned spins) noexcept;
  void wake_one() noexcept;

  std::atomic<std::uint32_t> state_{0};
};

// RAII guard; `Lockable` is Mutex or ProfiledMutex.
template <class Lockable>
class LockGuard {
 public:
  explicit LockGuard(Lockable& m) noexcept : m_(m) { m_.lock(); }
  ~LockGuard() { m_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Lockable& m_;
};

// What a ProfiledMutex has seen; jemalloc's mutex-profiling counters plus try_lock
// failures. Plain data: merge with operator+=.
struct LockCounters {
  std::uint64_t lock_ops = 0;          // acquisitions of any kind
  std::uint64_t trylock_failures = 0;  // try_lock calls that found it held
  std::uint64_t blocking_waits = 0;    // acquisitions that had to wait (spin or sleep)
  std::uint64_t spin_acquired = 0;     // ... of which were won while spinning
  std::uint64_t sleeps = 0;            // ... of which slept in the kernel
  std::uint64_t owner_switches = 0;    // acquisitions by a thread other than the last owner
  std::uint64_t wait_ns = 0;           // total time spent waiting (spin + sleep)
  std::uint64_t max_wait_ns = 0;       // longest single wait
  std::uint32_t max_waiters = 0;       // most threads seen waiting at once

  LockCounters& operator+=(const LockCounters& o) noexcept;
};

class ProfiledMutex {
 public:
  bool try_lock() noexcept {
    if (BENTO_LIKELY(m_.try_lock())) {
      on_acquired();
      return true;
    }
    trylock_failures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  void lock() noexcept {
    if (BENTO_LIKELY(m_.try_lock())) {
      on_acquired();
      return;
    }
    lock_contended();
  }
  void unlock() noexcept { m_.unlock(); }
  void reset_after_fork() noexcept;
  // Held, and by the calling thread (the last owner is written under the lock): for
  // debug assertions.
  bool held_by_caller() const noexcept;

  // Copy of the counters; the caller holds this lock (so the owner-written fields are
  // stable).
  LockCounters read_locked() const noexcept;
  void reset_counters_locked() noexcept;

 private:
  void on_acquired() noexcept;
  void lock_contended() noexcept;

  Mutex m_;
  std::atomic<std::uint32_t> waiters_{0};
  std::atomic<std::uint64_t> trylock_failures_{0};
  LockCounters c_;               // guarded by m_ (except trylock_failures, see above)
  std::uintptr_t last_owner_ = 0;  // guarded by m_
};

}  // namespace bento
