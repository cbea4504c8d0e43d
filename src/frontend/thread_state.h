// frontend/thread_state.h: what bento keeps per thread, and the two thread-local
// pointers the fast paths read.
//
// tls_tcache is the thread's cache when it has one (null: every call takes the slow
// path, which sets the thread up on first use). tls_state is the thread's state once set
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
#include "tcache/tcache.h"

namespace bento {

struct ThreadState {
  ArenaChoice choice;
  ListNode link;                 // live list or pool
  TCache* tcache;                // this thread's cache (in the same block), or null
  TCache* tcache_parked;         // the cache while thread.tcache.enabled is false
  std::uint64_t direct_allocated;    // bytes allocated without the cache
  std::uint64_t direct_deallocated;  // bytes freed without the cache
  std::uint64_t allocated_view;      // what thread.allocatedp points at (refreshed)
  std::uint64_t deallocated_view;
  int tid;
};

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

// Calls fn(state, ctx) for every live thread under g_threads_lock.
void for_each_thread(void (*fn)(const ThreadState*, void*), void* ctx) noexcept;

void threads_prefork() noexcept;
void threads_postfork_parent() noexcept;
void threads_postfork_child() noexcept;

}  // namespace bento
