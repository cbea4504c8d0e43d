// frontend/thread_state.h: what bento keeps per thread, and the two thread-local
// pointers the fast paths read.
//
// tls_tcache is the thread's cache when it has one, else g_empty_cache, whose bins are
// empty and full at once, so every call takes the slow path, which sets the thread up on
// first use. tls_state is the thread's state once set
// up. After the thread-exit hook ran, tls_exiting is set and later calls (from other
// destructors) go straight to the arenas. Three thread-locals of one word each: small
// enough for the static TLS surplus, so the library can be dlopen'ed.
//
// States are pooled: g_threads_lock guards the pool and the list of live states, which
// the stats code walks (reading the cache counters racily, by design).
#pragma once
#include <cstdint>

#include "arena/arena_set.h"
#include "base/compiler.h"
#include "base/list.h"
#include "guard/guard_pool.h"
#include "tcache/tcache.h"

namespace bento {

struct ThreadState {
  ArenaChoice choice;
  ListNode link;                 // live list or pool
  TCache* tcache;                // this thread's cache (in the same block), or null
  TCache* tcache_parked;         // the cache while thread.tcache.enabled is false
  std::uint64_t direct_allocated;    // bytes allocated without a cache (thread has none)
  std::uint64_t direct_deallocated;  // bytes freed without a cache
  std::int64_t direct_countdown;     // bytes to the next heap-profile sample, beyond the bins
  std::int64_t guard_countdown;      // allocations to the next guarded one, beyond the bins
  std::uint64_t sample_rng;          // the sampler's generator (prof/sample_math.h)
  int tid;
  std::uint32_t sample_generation;   // sample_settings_generation() its countdowns were drawn at

  TCache* any_cache() const noexcept { return tcache != nullptr ? tcache : tcache_parked; }
};

// thread.allocated / thread.deallocated. Bytes that bypass the cache are added to the
// cache's merged counter when the thread has one, so that thread.allocatedp (a pointer
// to that counter) stays current to within what the cache served since its last refill.
inline void count_allocated(ThreadState* ts, std::uint64_t bytes) noexcept {
  if (ts == nullptr) return;
  if (TCache* tc = ts->any_cache()) tc->merged_alloc_bytes += bytes;
  else ts->direct_allocated += bytes;
}
inline void count_deallocated(ThreadState* ts, std::uint64_t bytes) noexcept {
  if (ts == nullptr) return;
  if (TCache* tc = ts->any_cache()) tc->merged_free_bytes += bytes;
  else ts->direct_deallocated += bytes;
}
inline std::uint64_t thread_allocated(const ThreadState* ts) noexcept {
  const TCache* tc = ts->any_cache();
  return ts->direct_allocated + (tc != nullptr ? tcache_allocated_bytes(tc) : 0);
}
inline std::uint64_t thread_deallocated(const ThreadState* ts) noexcept {
  const TCache* tc = ts->any_cache();
  return ts->direct_deallocated + (tc != nullptr ? tcache_deallocated_bytes(tc) : 0);
}
inline std::uint64_t* thread_allocated_counter(ThreadState* ts) noexcept {
  TCache* tc = ts->any_cache();
  return tc != nullptr ? &tc->merged_alloc_bytes : &ts->direct_allocated;
}
inline std::uint64_t* thread_deallocated_counter(ThreadState* ts) noexcept {
  TCache* tc = ts->any_cache();
  return tc != nullptr ? &tc->merged_free_bytes : &ts->direct_deallocated;
}

// The heap profiler's countdown for a request of `size` (prof/sampler.h): its cache
// bin's, which the malloc fast path decrements, or the thread's own for sizes no bin
// takes and threads without a cache.
inline std::int64_t& sample_countdown(ThreadState* ts, std::size_t size) noexcept {
  if (ts->tcache != nullptr && size <= kLookupMaxBytes) return ts->tcache->bins[size_to_class_lookup(size)].sample_countdown;
  return ts->direct_countdown;
}

// The smallest request a class serves when the guard pool can hold its objects, else 0
// (the sampler's `guardable`, prof/sampler.h).
inline std::size_t guardable_bytes(unsigned cls) noexcept {
  if (class_bytes(cls) > kGuardMaxBytes) return 0;
  return cls == 0 ? 1 : class_bytes(cls - 1) + 1;
}

// constinit on the declarations too: other files then read them directly, with no call
// to a TLS init wrapper.
extern constinit thread_local TCache* tls_tcache BENTO_TLS_IE;
extern constinit thread_local ThreadState* tls_state BENTO_TLS_IE;
extern constinit thread_local bool tls_exiting BENTO_TLS_IE;

// The calling thread's state, set up on first use; null when the thread is exiting or
// bento could not start.
BENTO_SLOW ThreadState* thread_state_slow() noexcept;
BENTO_ALWAYS_INLINE ThreadState* thread_state() noexcept {
  ThreadState* ts = tls_state;
  return BENTO_LIKELY(ts != nullptr) ? ts : thread_state_slow();
}

// The thread-exit hook: flushes the cache and returns the state to the pool.
void thread_exit(void* state) noexcept;

// thread.tcache.enabled
void thread_tcache_enable(ThreadState* ts, bool on) noexcept;

// Draws every countdown of the heap profiler's again, at the settings now in force
// (prof.active, prof.reset and guard.sample do it for the calling thread; other threads
// at their next malloc slow path, a refill or a crossing, when they see the settings'
// generation changed).
void thread_sample_rearm(ThreadState* ts) noexcept;

// Calls fn(state, ctx) for every live thread under g_threads_lock.
void for_each_thread(void (*fn)(const ThreadState*, void*), void* ctx) noexcept;

LockCounters threads_lock_counters() noexcept;
unsigned live_threads() noexcept;

void threads_prefork() noexcept;
void threads_postfork_parent() noexcept;
void threads_postfork_child() noexcept;

}  // namespace bento
