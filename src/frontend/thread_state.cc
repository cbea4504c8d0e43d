// frontend/thread_state.cc: per-thread set-up, exit, and the pool of states.
// g_threads_lock guards g_live, g_pool and g_block_bytes' users.
#include "frontend/thread_state.h"

#include <cstring>

#include "chunk/base_alloc.h"
#include "config/options.h"
#include "frontend/init.h"
#include "platform/os.h"
#include "platform/thread.h"
#include "prof/sampler.h"

namespace bento {

constinit thread_local TCache* tls_tcache BENTO_TLS_IE = &g_empty_cache;
constinit thread_local ThreadState* tls_state BENTO_TLS_IE = nullptr;
constinit thread_local bool tls_exiting BENTO_TLS_IE = false;

namespace {
using StateList = IntrusiveList<ThreadState, &ThreadState::link>;
constinit ProfiledMutex g_threads_lock;
constinit StateList g_live;
constinit StateList g_pool;

bool cache_wanted() noexcept {
  const Options& o = options();
  return o.tcache && !o.junk && !o.zero;
}
std::size_t block_bytes() noexcept {
  return align_up(sizeof(ThreadState), 64) + (cache_wanted() ? tcache_size(options().tcache_max) : 0);
}

ThreadState* state_alloc() noexcept {
  {
    LockGuard guard(g_threads_lock);
    if (ThreadState* ts = g_pool.pop_front()) {
      // Reset the state and, when the block has one, the cache's bin table; its slots
      // need no reset (tcache_init). Without caches the block ends with the state: the
      // next metadata (an arena, say) follows at once.
      const std::size_t cache_head = cache_wanted() ? sizeof(TCache) : 0;
      std::memset(static_cast<void*>(ts), 0, align_up(sizeof(ThreadState), 64) + cache_head);
      return ts;
    }
  }
  return static_cast<ThreadState*>(base_alloc(block_bytes(), 64));
}
}  // namespace

ThreadState* thread_state_slow() noexcept {
  if (tls_state != nullptr) return tls_state;
  if (tls_exiting || !global_init()) return nullptr;
  ThreadState* ts = state_alloc();
  if (ts == nullptr) return nullptr;
  ts->tid = os::thread_tid();
  const std::uint64_t seed = os::monotonic_ns() ^ (static_cast<std::uint64_t>(ts->tid) << 32) ^
                             reinterpret_cast<std::uintptr_t>(&ts);
  choice_init(ts->choice, seed);
  if (cache_wanted()) {
    auto* tc = reinterpret_cast<TCache*>(reinterpret_cast<char*>(ts) + align_up(sizeof(ThreadState), 64));
    tcache_init(tc, options().tcache_max, ts->choice.favourite, options().strict_free);
    ts->tcache = tc;
  }
  prof_seed_generator(ts->sample_rng, seed);
  thread_sample_rearm(ts);
  {
    LockGuard guard(g_threads_lock);
    g_live.push_back(ts);
  }
  tls_state = ts;
  tls_tcache = ts->tcache != nullptr ? ts->tcache : &g_empty_cache;
  os::thread_exit_hook_arm(ts);  // may allocate (pthread_setspecific): state is set already
  return ts;
}

void thread_sample_rearm(ThreadState* ts) noexcept {
  ts->sample_generation = sample_settings_generation();
  ts->direct_countdown = sample_next_interval(ts->sample_rng, 0);
  ts->guard_countdown = guard_next_count(ts->sample_rng);
  if (TCache* tc = ts->any_cache()) {
    for (unsigned c = 0; c < sizeof(tc->bins) / sizeof(tc->bins[0]); ++c) {
      tc->bins[c].sample_countdown = sample_next_interval(ts->sample_rng, guardable_bytes(c));
    }
  }
}

void thread_exit(void* state) noexcept {
  auto* ts = static_cast<ThreadState*>(state);
  if (ts == nullptr || ts != tls_state) return;
  tls_tcache = &g_empty_cache;
  TCache* tc = ts->tcache != nullptr ? ts->tcache : ts->tcache_parked;
  if (tc != nullptr) tcache_flush_all(tc, ts->choice);
  choice_release(ts->choice);
  tls_state = nullptr;
  tls_exiting = true;
  LockGuard guard(g_threads_lock);
  g_live.remove(ts);
  g_pool.push_front(ts);
}

void thread_tcache_enable(ThreadState* ts, bool on) noexcept {
  if (on) {
    if (ts->tcache == nullptr && ts->tcache_parked != nullptr) {
      ts->tcache = ts->tcache_parked;
      ts->tcache_parked = nullptr;
    }
  } else if (ts->tcache != nullptr) {
    tcache_flush_all(ts->tcache, ts->choice);
    ts->tcache_parked = ts->tcache;
    ts->tcache = nullptr;
  }
  if (ts == tls_state) tls_tcache = ts->tcache != nullptr ? ts->tcache : &g_empty_cache;
}

void for_each_thread(void (*fn)(const ThreadState*, void*), void* ctx) noexcept {
  LockGuard guard(g_threads_lock);
  for (ThreadState* ts = g_live.front(); ts != nullptr; ts = g_live.next(ts)) fn(ts, ctx);
}

LockCounters threads_lock_counters() noexcept {
  LockGuard guard(g_threads_lock);
  return g_threads_lock.read_locked();
}

unsigned live_threads() noexcept {
  LockGuard guard(g_threads_lock);
  unsigned n = 0;
  for (ThreadState* ts = g_live.front(); ts != nullptr; ts = g_live.next(ts)) ++n;
  return n;
}

void threads_prefork() noexcept { g_threads_lock.lock(); }
void threads_postfork_parent() noexcept { g_threads_lock.unlock(); }

void threads_postfork_child() noexcept {
  g_threads_lock.reset_after_fork();
  // Only the forking thread lives on. The others' caches may have been mid-update when
  // fork copied them, so their objects are dropped (leaked), not flushed; their states
  // go back to the pool.
  while (ThreadState* ts = g_live.pop_front()) {
    if (ts != tls_state) g_pool.push_front(ts);
  }
  if (tls_state != nullptr) g_live.push_back(tls_state);
}

}  // namespace bento
