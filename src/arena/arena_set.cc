// arena/arena_set.cc: the arena table and the favourite protocol. g_arenas_lock guards
// arena creation; g_arenas slots and g_narenas are published with release stores.
#include "arena/arena_set.h"

#include <new>

#include "chunk/base_alloc.h"
#include "platform/os.h"

namespace bento {

namespace {
constinit ProfiledMutex g_arenas_lock;
constinit std::atomic<Arena*> g_arenas[kMaxArenas];
constinit unsigned g_nauto = 1;  // arenas threads choose from: [0, g_nauto)
// All arenas: the automatic ones, then those arenas.create made (published with release
// stores, after their slot).
constinit std::atomic<unsigned> g_narenas{1};
constinit std::int64_t g_decay_ms = 10000;
constinit bool g_retain = false;
// Odd while a fork holds every arena lock (arenas_prefork to the postfork handlers);
// bumped at both ends. A try_lock that a fork overlapped says nothing about contention.
constinit std::atomic<std::uint32_t> g_fork_seq{0};

std::uint64_t xorshift(std::uint64_t& s) noexcept {
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}
}  // namespace

bool arenas_init(unsigned n, std::int64_t decay_ms, bool retain) noexcept {
  if (n == 0) {
    const unsigned cpus = os::cpus_available();
    n = cpus > kMaxArenas / 4 ? kMaxArenas : 4 * cpus;
  }
  g_nauto = n < kMaxArenas ? n : kMaxArenas;
  g_narenas.store(g_nauto, std::memory_order_relaxed);
  g_decay_ms = decay_ms;
  g_retain = retain;
  return arena_get_or_create(0) != nullptr;
}

unsigned narenas() noexcept { return g_narenas.load(std::memory_order_acquire); }
unsigned narenas_auto() noexcept { return g_nauto; }

unsigned arena_create_manual() noexcept {
  LockGuard guard(g_arenas_lock);
  const unsigned i = g_narenas.load(std::memory_order_relaxed);
  if (i >= kMaxArenas) return kMaxArenas;
  void* mem = base_alloc(sizeof(Arena), 64);
  if (mem == nullptr) return kMaxArenas;
  Arena* a = new (mem) Arena();
  a->init(i, g_decay_ms, g_retain);
  g_arenas[i].store(a, std::memory_order_release);
  g_narenas.store(i + 1, std::memory_order_release);
  return i;
}

Arena* arena_get(unsigned i) noexcept {
  return i < kMaxArenas ? g_arenas[i].load(std::memory_order_acquire) : nullptr;
}

Arena* arena_get_or_create(unsigned i) noexcept {
  if (i >= kMaxArenas) return nullptr;
  Arena* a = g_arenas[i].load(std::memory_order_acquire);
  if (a != nullptr || i >= g_nauto) return a;  // a manual arena exists from its creation
  LockGuard guard(g_arenas_lock);
  a = g_arenas[i].load(std::memory_order_relaxed);
  if (a == nullptr) {
    void* mem = base_alloc(sizeof(Arena), 64);
    if (mem == nullptr) return nullptr;
    a = new (mem) Arena();
    a->init(i, g_decay_ms, g_retain);
    g_arenas[i].store(a, std::memory_order_release);
  }
  return a;
}

void choice_init(ArenaChoice& c, std::uint64_t seed) noexcept {
  c.rng = seed | 1;
  xorshift(c.rng);
  c.favourite = static_cast<unsigned>(xorshift(c.rng) % g_nauto);
  if (Arena* a = arena_get_or_create(c.favourite)) {
    a->thread_joined();
  } else {
    c.favourite = 0;
    arena_get(0)->thread_joined();
  }
}

bool choice_move(ArenaChoice& c, unsigned i) noexcept {
  Arena* to = arena_get_or_create(i);
  if (to == nullptr) return false;
  if (i == c.favourite) return true;
  if (Arena* from = arena_get(c.favourite)) from->thread_left(false);
  to->thread_joined();
  c.favourite = i;
  return true;
}

void choice_release(ArenaChoice& c) noexcept {
  if (Arena* a = arena_get(c.favourite)) a->thread_left(true);
}

Arena* lock_favourite(ArenaChoice& c) noexcept {
  Arena* a = arena_get(c.favourite);
  const std::uint32_t fork_seq = g_fork_seq.load(std::memory_order_relaxed);
  const std::uint32_t observer_seq = a != nullptr ? a->observer_seq() : 0;
  if (BENTO_LIKELY(a != nullptr) && a->mutex().try_lock()) return a;
  // Nowhere to move, or a fork in another thread holds the lock (it began or ended since
  // the load above): wait for it. Moving on would move every busy thread one arena
  // along at each fork, round all of them, each left holding runs and dirty pages that
  // no thread allocates from (and an arena a thread merely left is not purged early).
  // The fence pairs with arenas_prefork's: a failure caused by its lock sees its bump.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // A thread moved to a manual arena (arenas.create) stays on it, as in jemalloc. The
  // same wait when the holder does not allocate here (statistics, the daemon, a purge:
  // ArenaObserverLock, held or come and gone since the load above): no other thread's
  // working set is filling the arena.
  if (g_nauto == 1 || c.favourite >= g_nauto || (fork_seq & 1) != 0 ||
      g_fork_seq.load(std::memory_order_relaxed) != fork_seq || (observer_seq & 1) != 0 ||
      a->observer_seq() != observer_seq) {
    a->lock();
    return a;
  }
  const unsigned next = c.favourite + 1 == g_nauto ? 0 : c.favourite + 1;
  Arena* b = arena_get_or_create(next);
  if (b == nullptr) {  // out of memory for a new arena: stay and wait
    a->lock();
    return a;
  }
  a->favourite_switches.fetch_add(1, std::memory_order_relaxed);
  a->thread_left(false);
  b->thread_joined();
  c.favourite = next;
  b->lock();
  return b;
}

LockCounters arenas_lock_counters() noexcept {
  LockGuard guard(g_arenas_lock);
  return g_arenas_lock.read_locked();
}

std::int64_t default_decay_ms() noexcept {
  LockGuard guard(g_arenas_lock);
  return g_decay_ms;
}

void set_default_decay_ms(std::int64_t ms) noexcept {
  LockGuard guard(g_arenas_lock);
  g_decay_ms = ms;
}

void arenas_prefork() noexcept {
  g_fork_seq.fetch_add(1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  g_arenas_lock.lock();
  for (unsigned i = 0, n = narenas(); i < n; ++i) {
    if (Arena* a = arena_get(i)) a->lock();
  }
  // Then the remote-free queues (their pushers hold no arena lock): every arena lock
  // before any queue lock, the order remote_queue.h states.
  for (unsigned i = 0, n = narenas(); i < n; ++i) {
    if (Arena* a = arena_get(i)) a->remote().lock();
  }
}

void arenas_postfork_parent() noexcept {
  for (unsigned i = 0, n = narenas(); i < n; ++i) {
    if (Arena* a = arena_get(i)) a->remote().unlock();
  }
  for (unsigned i = 0, n = narenas(); i < n; ++i) {
    if (Arena* a = arena_get(i)) a->unlock();
  }
  g_arenas_lock.unlock();
  g_fork_seq.fetch_add(1, std::memory_order_relaxed);
}

void arenas_postfork_child(const ArenaChoice* survivor) noexcept {
  unsigned abandoned = 0;
  for (unsigned i = 0, n = narenas(); i < n; ++i) {
    if (Arena* a = arena_get(i)) {
      a->mutex().reset_after_fork();
      a->remote().reset_after_fork();
      // An observer of the parent's that was waiting for the lock left the count odd.
      a->observer_seq_.store(0, std::memory_order_relaxed);
      a->nthreads.store(0, std::memory_order_relaxed);
      a->abandoned.store(true, std::memory_order_relaxed);  // the parent's other threads are gone
      if (i < narenas_auto()) ++abandoned;
    }
  }
  Arena::set_abandoned_count(abandoned);
  if (survivor != nullptr) {
    if (Arena* a = arena_get(survivor->favourite)) a->thread_joined();
  }
  g_arenas_lock.reset_after_fork();
  g_fork_seq.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace bento
