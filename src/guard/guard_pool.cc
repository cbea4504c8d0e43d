// guard/guard_pool.cc: the guarded slots (guard_pool.h). Layout of the pool's chunk:
//   [guard][slot 0: kGuardSlotPages][guard][slot 1] ... [slot kGuardSlots-1][guard][unused]
// Slots never used are taken first, then freed ones in the order they were freed (the
// longest freed first), so a dangling pointer keeps faulting for as long as possible.
// g_guard_lock guards g_slots, the free order and the counters; the pool's address is
// written once, under it, and read without it (an atomic).
#include "guard/guard_pool.h"

#include <atomic>
#include <cstring>

#include "chunk/chunk_registry.h"
#include "config/options.h"
#include "guard/guard_report.h"
#include "platform/fault.h"
#include "platform/log.h"
#include "platform/mutex.h"
#include "platform/os.h"

namespace bento {

namespace {

constexpr std::size_t kStridePages = kGuardSlotPages + 1;
static_assert((1 + kGuardSlots * kStridePages) * kPageSize <= kChunkSize, "the pool is one chunk");

struct Slot {
  GuardSlotView v;
  std::uintptr_t open;  // first page made accessible for the live object
  unsigned cls;
  unsigned arena;
};

constinit Mutex g_guard_lock;
constinit std::atomic<std::uintptr_t> g_pool{0};
constinit bool g_pool_failed = false;
Slot g_slots[kGuardSlots];
unsigned g_next_unused = 0;
// Freed slots, oldest first: a ring of g_nfreed entries from g_freed_head.
std::uint8_t g_freed[kGuardSlots];
unsigned g_freed_head = 0, g_nfreed = 0;
GuardStats g_stats{};
// Slots not live (unused or freed), read without the lock before the stack is taken: a
// full pool costs a guarded allocation one load.
constinit std::atomic<unsigned> g_available{kGuardSlots};
constinit std::atomic<std::uint64_t> g_full{0};

std::uintptr_t slot_begin(std::uintptr_t pool, unsigned i) noexcept {
  return pool + (1 + std::size_t{i} * kStridePages) * kPageSize;
}
std::uintptr_t slot_end(std::uintptr_t pool, unsigned i) noexcept {
  return slot_begin(pool, i) + kGuardSlotPages * kPageSize;
}

// Maps the pool (g_guard_lock held). Its pages start inaccessible; the fault hook claims
// faults in it.
std::uintptr_t pool_locked() noexcept {
  std::uintptr_t pool = g_pool.load(std::memory_order_relaxed);
  if (pool != 0 || g_pool_failed) return pool;
  void* p = os::map_aligned(kChunkSize, kChunkSize);
  if (p == nullptr || !os::protect(p, kChunkSize, false)) {
    if (p != nullptr) os::unmap(p, kChunkSize);
    g_pool_failed = true;
    log_warning("guard_sample: cannot map the guard pool: guarded sampling is off");
    return 0;
  }
  os::hugepage_off(p, kChunkSize);
  if (!os::install_fault_hook(guard_claim_fault)) {
    log_warning("guard_sample: cannot install the SIGSEGV handler: faults in guarded objects are not explained");
  }
  registry_set(p, kChunkSize, ChunkKind::kGuard, ChunkKind::kGuard);
  g_stats.mapped = kChunkSize;
  pool = to_addr(p);
  g_pool.store(pool, std::memory_order_release);
  return pool;
}

// The slot whose object starts at p, or -1.
int slot_of_object(std::uintptr_t pool, const void* p) noexcept {
  const std::uintptr_t a = to_addr(p);
  if (a < pool + kPageSize) return -1;
  const std::size_t i = (a - pool - kPageSize) / (kStridePages * kPageSize);
  if (i >= kGuardSlots) return -1;
  return g_slots[i].v.state != GuardSlotView::kUnused && g_slots[i].v.object == a ? static_cast<int>(i) : -1;
}

}  // namespace

void* guard_alloc(std::size_t size, std::size_t usize, unsigned cls, std::size_t align, int tid,
                  unsigned arena) noexcept {
  // Slot ends are page-aligned (no more), so the object is aligned when its size is.
  if (usize > kGuardMaxBytes || align > kPageSize || (usize & (align - 1)) != 0) return nullptr;
  if (g_available.load(std::memory_order_relaxed) == 0) {
    g_full.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  std::uintptr_t pcs[kGuardFrames];
  const unsigned depth = prof_backtrace(pcs, kGuardFrames);
  g_guard_lock.lock();
  const std::uintptr_t pool = pool_locked();
  unsigned i;
  if (pool == 0) {
    g_guard_lock.unlock();
    return nullptr;
  }
  if (g_next_unused < kGuardSlots) {
    i = g_next_unused++;
  } else if (g_nfreed != 0) {
    i = g_freed[g_freed_head];
    g_freed_head = (g_freed_head + 1) % kGuardSlots;
    --g_nfreed;
  } else {
    g_full.fetch_add(1, std::memory_order_relaxed);
    g_guard_lock.unlock();
    return nullptr;
  }
  Slot& s = g_slots[i];
  const std::uintptr_t object = slot_end(pool, i) - usize;
  const std::uintptr_t open = object & ~(kPageSize - 1);
  if (!os::protect(reinterpret_cast<void*>(open), slot_end(pool, i) - open, true)) {
    // Out of mappings (vm.max_map_count): the slot goes back to the end of the queue.
    s.v.state = GuardSlotView::kFreed;
    g_freed[(g_freed_head + g_nfreed++) % kGuardSlots] = static_cast<std::uint8_t>(i);
    g_guard_lock.unlock();
    return nullptr;
  }
  g_available.fetch_sub(1, std::memory_order_relaxed);
  s.v.state = GuardSlotView::kLive;
  s.v.object = object;
  s.v.usize = usize;
  s.v.requested = size;
  s.v.alloc_tid = tid;
  s.v.free_tid = 0;
  s.v.alloc_depth = depth;
  s.v.free_depth = 0;
  std::memcpy(s.v.alloc_pcs, pcs, depth * sizeof(pcs[0]));
  s.open = open;
  s.cls = cls;
  s.arena = arena;
  ++g_stats.allocs;
  g_stats.live_bytes += usize;
  g_stats.live_pages += (slot_end(pool, i) - open) / kPageSize;
  g_guard_lock.unlock();
  return reinterpret_cast<void*>(object);
}

FreeError guard_info(const void* p, std::size_t* usize, unsigned* cls) noexcept {
  const std::uintptr_t pool = g_pool.load(std::memory_order_acquire);
  LockGuard guard(g_guard_lock);
  const int i = slot_of_object(pool, p);
  if (i < 0) {
    GuardSlotView v;
    bool in_guard;
    if (guard_slot_at(to_addr(p), &v, &in_guard) && v.state != GuardSlotView::kUnused && !in_guard) {
      return FreeError::kInterior;
    }
    return FreeError::kUnknown;
  }
  const Slot& s = g_slots[i];
  if (s.v.state == GuardSlotView::kFreed) return FreeError::kFreedBefore;
  *usize = s.v.usize;
  *cls = s.cls;
  return FreeError::kOk;
}

bool guard_arena_of(const void* p, unsigned* arena) noexcept {
  const std::uintptr_t pool = g_pool.load(std::memory_order_acquire);
  LockGuard guard(g_guard_lock);
  const int i = slot_of_object(pool, p);
  if (i < 0 || g_slots[i].v.state != GuardSlotView::kLive) return false;
  *arena = g_slots[i].arena;
  return true;
}

void guard_free(void* p, int tid, const char* call) noexcept {
  std::uintptr_t pcs[kGuardFrames];
  const unsigned depth = prof_backtrace(pcs, kGuardFrames);
  const std::uintptr_t pool = g_pool.load(std::memory_order_acquire);
  g_guard_lock.lock();
  const int i = slot_of_object(pool, p);
  if (i < 0 || g_slots[i].v.state != GuardSlotView::kLive) {
    g_guard_lock.unlock();
    guard_report_bad_free(call, p, tid);
  }
  Slot& s = g_slots[i];
  const std::uintptr_t end = slot_end(pool, static_cast<unsigned>(i));
  // Inaccessible first, so a thread still using it faults from now on; then purged, so
  // a freed slot holds no memory and reads as zero when reused.
  os::protect(reinterpret_cast<void*>(s.open), end - s.open, false);
  os::purge(reinterpret_cast<void*>(s.open), end - s.open);
  s.v.state = GuardSlotView::kFreed;
  s.v.free_tid = tid;
  s.v.free_depth = depth;
  std::memcpy(s.v.free_pcs, pcs, depth * sizeof(pcs[0]));
  g_freed[(g_freed_head + g_nfreed++) % kGuardSlots] = static_cast<std::uint8_t>(i);
  g_available.fetch_add(1, std::memory_order_relaxed);
  g_stats.live_bytes -= s.v.usize;
  g_stats.live_pages -= (end - s.open) / kPageSize;
  g_guard_lock.unlock();
}

bool guard_slot_at(std::uintptr_t addr, GuardSlotView* out, bool* in_guard_page) noexcept {
  const std::uintptr_t pool = g_pool.load(std::memory_order_acquire);
  if (pool == 0 || addr < pool || addr >= pool + kChunkSize) return false;
  const std::size_t page = (addr - pool) / kPageSize;
  std::size_t i = page / kStridePages;
  *in_guard_page = page % kStridePages == 0;
  // A guard page protects the end of the slot before it; the first one, and one whose
  // slot before holds nothing, belong to the slot after.
  if (*in_guard_page && i > 0 && (i >= kGuardSlots || g_slots[i - 1].v.state != GuardSlotView::kUnused)) --i;
  if (i >= kGuardSlots) {
    *out = GuardSlotView{};
    return true;
  }
  // Read without the lock: the fault handler cannot wait for it (the faulting thread may
  // hold it), and a report from a racing copy is still about the right slot.
  std::memcpy(static_cast<void*>(out), static_cast<const void*>(&g_slots[i].v), sizeof(*out));
  return true;
}

GuardStats guard_stats() noexcept {
  LockGuard guard(g_guard_lock);
  GuardStats s = g_stats;
  s.full = g_full.load(std::memory_order_relaxed);
  return s;
}

void guard_prefork() noexcept { g_guard_lock.lock(); }
void guard_postfork_parent() noexcept { g_guard_lock.unlock(); }
void guard_postfork_child() noexcept { g_guard_lock.reset_after_fork(); }

}  // namespace bento
