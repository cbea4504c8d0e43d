// prof/sample_table.cc: sites, the live table and the peak copy (sample_table.h).
// g_prof_lock guards everything below; site stacks are written before a site is linked
// and never again.
#include "prof/sample_table.h"

#include <atomic>
#include <cstring>

#include "base/units.h"
#include "chunk/base_alloc.h"
#include "platform/mutex.h"
#include "platform/os.h"
#include "prof/sample_math.h"

namespace bento {

namespace {

constexpr std::size_t kSiteHeads = 4096;

struct LiveEntry {
  std::uintptr_t key;  // the object's address; 0: empty slot
  ProfSite* site;
  double objects;      // the sample's weight: objects it stands for
  std::size_t requested;
  int tid;
  std::uint32_t born_ms;
};

constinit Mutex g_prof_lock;
constinit ProfSite** g_heads = nullptr;  // kSiteHeads chains, from base_alloc
constinit ProfSite* g_first = nullptr;   // creation order
constinit ProfSite** g_last_link = &g_first;
constinit std::uint64_t g_nsites = 0;
constinit LiveEntry* g_live = nullptr;
constinit std::size_t g_live_cap = 0;  // power of two
constinit std::size_t g_live_used = 0;
constinit std::uint64_t g_taken = 0;
constinit double g_inuse_bytes = 0, g_peak_bytes = 0, g_peak_copied = 0;
constinit std::atomic<int> g_live_huge{0};

std::uint64_t mix(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

std::uint64_t stack_hash(const std::uintptr_t* pcs, unsigned depth, std::size_t usize) noexcept {
  std::uint64_t h = mix(usize + depth);
  for (unsigned i = 0; i < depth; ++i) h = mix(h ^ pcs[i]);
  return h;
}

std::size_t slot_of(std::uintptr_t key, std::size_t cap) noexcept {
  return static_cast<std::size_t>(mix(key)) & (cap - 1);
}

ProfSite* find_or_add_site(const std::uintptr_t* pcs, unsigned depth, std::size_t usize) noexcept {
  if (g_heads == nullptr) {
    g_heads = static_cast<ProfSite**>(base_alloc(kSiteHeads * sizeof(ProfSite*)));
    if (g_heads == nullptr) return nullptr;
  }
  ProfSite** head = &g_heads[stack_hash(pcs, depth, usize) & (kSiteHeads - 1)];
  for (ProfSite* s = *head; s != nullptr; s = s->chain) {
    if (s->depth == depth && s->usize == usize && std::memcmp(s->pcs, pcs, depth * sizeof(*pcs)) == 0) return s;
  }
  auto* s = static_cast<ProfSite*>(base_alloc(sizeof(ProfSite)));
  auto* stack = static_cast<std::uintptr_t*>(base_alloc((depth > 0 ? depth : 1) * sizeof(*pcs), 8));
  if (s == nullptr || stack == nullptr) return nullptr;
  std::memcpy(stack, pcs, depth * sizeof(*pcs));
  s->pcs = stack;
  s->depth = depth;
  s->usize = usize;
  s->chain = *head;
  *head = s;
  *g_last_link = s;
  g_last_link = &s->next;
  ++g_nsites;
  return s;
}

void live_put(LiveEntry* table, std::size_t cap, const LiveEntry& e) noexcept {
  for (std::size_t i = slot_of(e.key, cap);; i = (i + 1) & (cap - 1)) {
    if (table[i].key == 0) {
      table[i] = e;
      return;
    }
  }
}

// Keeps the table at most half full. The new table is mapped under the lock: rare (each
// doubling), and no other lock waits on this one.
bool live_reserve() noexcept {
  if ((g_live_used + 1) * 2 <= g_live_cap) return true;
  const std::size_t cap = g_live_cap == 0 ? 4096 : g_live_cap * 2;
  auto* table = static_cast<LiveEntry*>(os::map(cap * sizeof(LiveEntry)));
  if (table == nullptr) return false;
  for (std::size_t i = 0; i < g_live_cap; ++i) {
    if (g_live[i].key != 0) live_put(table, cap, g_live[i]);
  }
  if (g_live != nullptr) os::unmap(g_live, g_live_cap * sizeof(LiveEntry));
  g_live = table;
  g_live_cap = cap;
  return true;
}

LiveEntry* live_find(std::uintptr_t key) noexcept {
  if (g_live_cap == 0) return nullptr;
  for (std::size_t i = slot_of(key, g_live_cap);; i = (i + 1) & (g_live_cap - 1)) {
    if (g_live[i].key == key) return &g_live[i];
    if (g_live[i].key == 0) return nullptr;
  }
}

// Linear probing's deletion: later entries of the cluster move back into the hole.
void live_erase(LiveEntry* e) noexcept {
  std::size_t hole = static_cast<std::size_t>(e - g_live);
  const std::size_t mask = g_live_cap - 1;
  g_live[hole].key = 0;
  for (std::size_t i = (hole + 1) & mask; g_live[i].key != 0; i = (i + 1) & mask) {
    const std::size_t home = slot_of(g_live[i].key, g_live_cap);
    // Move i back when its home is not within (hole, i] (cyclically).
    const bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
    if (!stays) {
      g_live[hole] = g_live[i];
      g_live[i].key = 0;
      hole = i;
    }
  }
  --g_live_used;
}

void copy_peak_if_higher() noexcept {
  if (g_inuse_bytes > g_peak_bytes) g_peak_bytes = g_inuse_bytes;
  if (g_inuse_bytes <= g_peak_copied * (1 + 1.0 / 32)) return;
  for (ProfSite* s = g_first; s != nullptr; s = s->next) {
    s->peak_objects = s->inuse_objects;
    s->peak_bytes = s->inuse_bytes;
  }
  g_peak_copied = g_inuse_bytes;
}

}  // namespace

bool prof_record(void* p, std::size_t requested, std::size_t usize, double mean, int tid) noexcept {
  std::uintptr_t pcs[kMaxFrames];
  const unsigned depth = prof_backtrace(pcs, kMaxFrames);
  const double objects = prof_sample_weight(static_cast<double>(requested), mean);
  const std::uint32_t now = os::coarse_ms();
  LockGuard guard(g_prof_lock);
  ProfSite* site = find_or_add_site(pcs, depth, usize);
  if (site == nullptr || !live_reserve()) return false;
  live_put(g_live, g_live_cap, LiveEntry{to_addr(p), site, objects, requested, tid, now});
  ++g_live_used;
  ++g_taken;
  const double bytes = objects * static_cast<double>(usize);
  site->alloc_objects += objects;
  site->alloc_bytes += bytes;
  site->inuse_objects += objects;
  site->inuse_bytes += bytes;
  g_inuse_bytes += bytes;
  copy_peak_if_higher();
  return true;
}

bool prof_forget(void* p) noexcept {
  LockGuard guard(g_prof_lock);
  LiveEntry* e = live_find(to_addr(p));
  if (e == nullptr) return false;
  ProfSite* site = e->site;
  const double bytes = e->objects * static_cast<double>(site->usize);
  site->inuse_objects -= e->objects;
  site->inuse_bytes -= bytes;
  g_inuse_bytes -= bytes;
  live_erase(e);
  return true;
}

void prof_moved(void* from, void* to) noexcept {
  if (from == to) return;
  LockGuard guard(g_prof_lock);
  LiveEntry* e = live_find(to_addr(from));
  if (e == nullptr) return;
  LiveEntry moved = *e;
  moved.key = to_addr(to);
  live_erase(e);
  live_put(g_live, g_live_cap, moved);  // the erase made room
  ++g_live_used;
}

bool prof_live_huge() noexcept { return g_live_huge.load(std::memory_order_relaxed) > 0; }
void prof_note_huge(int delta) noexcept { g_live_huge.fetch_add(delta, std::memory_order_relaxed); }

void prof_reset_counts() noexcept {
  LockGuard guard(g_prof_lock);
  for (ProfSite* s = g_first; s != nullptr; s = s->next) {
    s->alloc_objects = s->inuse_objects;
    s->alloc_bytes = s->inuse_bytes;
    s->peak_objects = s->inuse_objects;
    s->peak_bytes = s->inuse_bytes;
  }
  g_taken = 0;
  g_peak_bytes = g_peak_copied = g_inuse_bytes;
}

std::size_t prof_copy_sites(ProfSiteCounts* out, std::size_t cap, bool peak) noexcept {
  LockGuard guard(g_prof_lock);
  std::size_t n = 0;
  for (ProfSite* s = g_first; s != nullptr; s = s->next, ++n) {
    if (n < cap) {
      out[n] = ProfSiteCounts{s, s->alloc_objects, s->alloc_bytes, peak ? s->peak_objects : s->inuse_objects,
                              peak ? s->peak_bytes : s->inuse_bytes};
    }
  }
  return n;
}

std::size_t prof_copy_live(ProfLiveSample* out, std::size_t cap) noexcept {
  LockGuard guard(g_prof_lock);
  std::size_t n = 0;
  for (std::size_t i = 0; i < g_live_cap; ++i) {
    const LiveEntry& e = g_live[i];
    if (e.key == 0) continue;
    if (n < cap) out[n] = ProfLiveSample{e.key, e.site, e.requested, e.tid, e.born_ms, e.objects};
    ++n;
  }
  return n;
}

ProfTotals prof_totals() noexcept {
  LockGuard guard(g_prof_lock);
  return ProfTotals{g_taken, g_live_used, g_nsites, g_inuse_bytes, g_peak_bytes};
}

void prof_prefork() noexcept { g_prof_lock.lock(); }
void prof_postfork_parent() noexcept { g_prof_lock.unlock(); }
void prof_postfork_child() noexcept { g_prof_lock.reset_after_fork(); }

}  // namespace bento
