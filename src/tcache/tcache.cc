// tcache/tcache.cc: refill, flush, growth and GC of a thread cache. Runs on the owning
// thread; takes arena locks (favourite for refills, owners for flushes) one at a time.
#include "tcache/tcache.h"

#include <cstring>

#include "arena/free_batch.h"
#include "chunk/chunk.h"
#include "chunk/chunk_registry.h"
#include "platform/assert.h"
#include "platform/os.h"

namespace bento {

namespace {

constexpr unsigned kSlotsStartMin = 4, kSmallSlotsMin = 20, kSmallSlotsStart = 200;
constexpr unsigned kMinReserve = 2048, kMaxReserve = 8192;    // slots, classes up to 1 KiB
constexpr std::size_t kTinyBudget = std::size_t{256} << 10;  // bytes of tiny objects a bin may hold
constexpr std::size_t kBinBudget = std::size_t{1} << 20;     // bytes one bin may hold above 1 KiB
constexpr std::size_t kThreadBudget = std::size_t{4} << 20;  // bytes all bins may grow by

constinit void* g_empty_slot[2] = {nullptr, nullptr};

constexpr TCache make_empty_cache() {
  TCache tc{};
  for (auto& b : tc.bins) {
    b.top = b.low = b.high = &g_empty_slot[1];
  }
  return tc;
}

// Slots reserved for class cls (0: not cached).
unsigned max_slots_for(unsigned cls, std::size_t tcache_max) noexcept {
  const std::size_t bytes = class_bytes(cls);
  if (bytes > tcache_max) return 0;
  if (bytes <= 1024) {  // 8,192 slots for 16 and 32 bytes, down to 2,048 from 128 bytes
    const std::size_t n = kTinyBudget / bytes;
    return static_cast<unsigned>(n < kMinReserve ? kMinReserve : n > kMaxReserve ? kMaxReserve : n);
  }
  const std::size_t n = kBinBudget / bytes;
  return n < kSmallSlotsMin ? kSmallSlotsMin : static_cast<unsigned>(n);
}

// Capacity a bin starts with: 2 x regions per run (a refill, half of it, is one run),
// at most 200; at least 20 up to 1 KiB and 4 above. (jemalloc's floor of 20 for every
// class made a thread's first refill of a 14 KiB class take 140 KiB over 5 runs, and of
// a 32 KiB one 320 KiB: a thread that passes through the classes once, as a vector grown
// by realloc does, left 600 KiB of them resident.) Busy bins grow (grow()).
unsigned start_slots_for(unsigned cls, unsigned max) noexcept {
  unsigned n = kSlotsStartMin;
  if (is_small_class(cls)) {
    const unsigned lo = class_bytes(cls) <= 1024 ? kSmallSlotsMin : kSlotsStartMin;
    n = 2u * kClasses[cls].nregs;
    n = n < lo ? lo : n > kSmallSlotsStart ? kSmallSlotsStart : n;
  }
  return n < max ? n : max;
}

void** slots_begin(TCache* tc) noexcept { return reinterpret_cast<void**>(tc + 1); }

// Sets a bin's capacity; tc->grown_bytes follows what the bins hold beyond their start.
// A bin that grows past its start leaves the packed slots for its reservation, taking
// what it holds along.
void set_capacity(TCache* tc, unsigned cls, unsigned n) noexcept {
  CacheBin& b = tc->bins[cls];
  const std::size_t start = start_slots_for(cls, b.max_slots);
  if (b.ncached_max > start) tc->grown_bytes -= (b.ncached_max - start) * class_bytes(cls);
  void** reserved = slots_begin(tc) + tc->reserved_at[cls];
  if (n > start && b.low != reserved) {
    const std::size_t held = b.ncached();
    std::memcpy(reserved, b.low, held * sizeof(void*));
    b.low = reserved;
    b.top = reserved + held;
  }
  b.ncached_max = static_cast<std::uint16_t>(n);
  b.high = b.low + n;
  if (n > start) tc->grown_bytes += (n - start) * class_bytes(cls);
}

// Doubles a bin whose working set outgrew it, within its reservation and the budget.
bool grow(TCache* tc, unsigned cls) noexcept {
  CacheBin& b = tc->bins[cls];
  unsigned n = b.ncached_max * 2u;
  if (n > b.max_slots) n = b.max_slots;
  if (n <= b.ncached_max) return false;
  if (tc->grown_bytes + std::size_t{n - b.ncached_max} * class_bytes(cls) > kThreadBudget) return false;
  set_capacity(tc, cls, n);
  return true;
}

// Frees the oldest `n` objects of bin cls and slides the rest down.
void flush_oldest(TCache* tc, unsigned cls, std::size_t n) noexcept {
  CacheBin& b = tc->bins[cls];
  if (n == 0) return;
  void* bad = nullptr;
  // arena_free_batch reorders only the range it frees.
  const FreeError e = arena_free_batch(b.low, n, cls, tc->home_arena, &bad);
  if (e != FreeError::kOk) report_bad_free("free", bad, e, " (found when the thread cache was flushed)");
  const std::size_t rest = b.ncached() - n;
  std::memmove(b.low, b.low + n, rest * sizeof(void*));
  b.top = b.low + rest;
  b.net_slow -= static_cast<std::int32_t>(n);
}

// One GC step: visit the next bin; an untouched bin sheds 3/4 of what it holds, refills
// less and gives back half its capacity; a busy one refills more.
void gc_step(TCache* tc) noexcept {
  const unsigned cls = tc->gc_next;
  tc->gc_next = cls + 1 == kNumLookupClasses ? 0 : cls + 1;
  CacheBin& b = tc->bins[cls];
  if (b.max_slots == 0) return;
  if (b.touched) {
    if (b.lg_fill_div > 1) --b.lg_fill_div;
  } else {
    if (b.ncached() != 0) {
      flush_oldest(tc, cls, b.ncached() - b.ncached() / 4);
      if ((b.ncached_max >> (b.lg_fill_div + 1)) != 0) ++b.lg_fill_div;
    }
    const unsigned start = start_slots_for(cls, b.max_slots);
    if (b.ncached_max > start) {
      const unsigned half = b.ncached_max / 2u < start ? start : b.ncached_max / 2u;
      if (b.ncached() > half) flush_oldest(tc, cls, b.ncached() - half);
      set_capacity(tc, cls, half);
    }
  }
  b.touched = 0;
}

void flush_remote(TCache* tc) noexcept {
  if (tc->nremote == 0) return;
  void* bad = nullptr;
  const FreeError e = arena_free_batch(tc->remote, tc->nremote, kNoClass, tc->home_arena, &bad);
  if (e != FreeError::kOk) report_bad_free("free", bad, e, " (found when the thread cache was flushed)");
  tc->nremote = 0;
  tc->remote_bytes = 0;
}

// Debug level 2, at each refill and flush: every bin within its slots and capacity,
// every object it holds (and every remote one) an object of its class in an arena chunk.
[[maybe_unused]] bool object_is_cached(const void* p, unsigned cls) noexcept {
  if (chunk_kind(p) != ChunkKind::kArena) return false;
  const PageInfo& pi = chunk_of(p)->pages[page_of(p)];
  return page_class(pi) == cls && (pi.state == PageState::kSmall || pi.state == PageState::kLarge);
}

[[maybe_unused]] bool is_valid(const TCache* tc) noexcept {
  for (unsigned c = 0; c < kNumLookupClasses; ++c) {
    const CacheBin& b = tc->bins[c];
    if (b.low > b.top || b.top > b.high || b.ncached_max != b.high - b.low || b.ncached_max > b.max_slots) {
      return false;
    }
    for (void* const* s = b.low; s < b.top; ++s) {
      if (!object_is_cached(*s, c)) return false;
    }
  }
  if (tc->nremote > kRemoteSlots) return false;
  for (unsigned i = 0; i < tc->nremote; ++i) {
    if (chunk_kind(tc->remote[i]) != ChunkKind::kArena) return false;
  }
  return true;
}

void merge_bin(TCache* tc, unsigned cls, Arena* a) noexcept {
  CacheBin& b = tc->bins[cls];
  if (a != nullptr) a->merge_requests_locked(cls, b.nrequests);
  tc->merged_alloc_bytes += b.nrequests * class_bytes(cls);
  tc->merged_free_bytes += b.merged_frees() * class_bytes(cls);
  b.nrequests = 0;
  b.net_slow = 0;
  b.ncached_at_merge = static_cast<std::uint16_t>(b.ncached());
}

}  // namespace

constinit TCache g_empty_cache = make_empty_cache();
constinit std::uintptr_t g_free_mark = 0xb5e7f0ee'd0ccf12eULL;

void free_mark_init(std::uint64_t seed) noexcept {
  // splitmix64's finaliser: any seed gives a well-mixed word; never 0 (the cleared mark).
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  g_free_mark = z != 0 ? static_cast<std::uintptr_t>(z) : g_free_mark;
}

std::size_t tcache_size(std::size_t tcache_max) noexcept {
  std::size_t slots = 0;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) {
    const unsigned max = max_slots_for(c, tcache_max);
    slots += 1 + start_slots_for(c, max) + 1 + max;
  }
  return sizeof(TCache) + slots * sizeof(void*);
}

void tcache_init(TCache* tc, std::size_t tcache_max, unsigned home_arena, bool strict_free) noexcept {
  std::uint32_t packed = 0, reserved = 0;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) reserved += 1 + start_slots_for(c, max_slots_for(c, tcache_max));
  tc->grown_bytes = 0;
  tc->home_arena = home_arena;
  tc->lender_arena = kNoLender;
  tc->nremote = 0;
  tc->remote_bytes = 0;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) {
    CacheBin& b = tc->bins[c];
    const unsigned max = max_slots_for(c, tcache_max);
    // Each slot range has a null sentinel below it, never written.
    b.low = b.top = slots_begin(tc) + packed + 1;
    packed += 1 + start_slots_for(c, max);
    tc->reserved_at[c] = reserved + 1;
    reserved += 1 + max;
    b.max_slots = static_cast<std::uint16_t>(max);
    b.ncached_max = 0;
    b.align_mask = kClasses[c].align_mask;
    if (strict_free) b.align_mask = ~std::uintptr_t{0};  // every free to the slow path
    b.nrequests = 0;
    b.ncached_at_merge = 0;
    b.net_slow = 0;
    b.lg_fill_div = 1;
    b.touched = b.refilled = b.flushed = 0;
    b.ncached_max = static_cast<std::uint16_t>(start_slots_for(c, max));
    b.high = b.low + b.ncached_max;
  }
  tc->merged_alloc_bytes = tc->merged_free_bytes = 0;
  tc->gc_next = 0;
}

void* tcache_refill_and_pop(TCache* tc, unsigned cls, ArenaChoice& choice) noexcept {
  BENTO_ASSERT_SLOW(is_valid(tc));
  CacheBin& b = tc->bins[cls];
  BENTO_ASSERT(b.top == b.low);  // refill fills an empty bin from its first slot
  if (b.flushed) grow(tc, cls);  // full, then empty again: the working set is bigger
  b.flushed = 0;
  b.refilled = 1;
  std::size_t want = b.ncached_max >> b.lg_fill_div;
  if (want == 0) want = 1;
  Arena* a = lock_favourite(choice);
  if (a == nullptr) return nullptr;
  tc->home_arena = choice.favourite;
  // The bin is empty: fill its slots directly, then reverse them so that the lowest
  // address (filled first) is popped first.
  unsigned lender = kNoLender;
  const std::size_t n = a->fill_locked(cls, b.low, want, &lender);
  if (lender != kNoLender) {
    tc->lender_arena = lender;
  } else if (tc->lender_arena != kNoLender && !arena_get(tc->lender_arena)->lends(os::coarse_ms())) {
    tc->lender_arena = kNoLender;  // its threads allocate again: its objects are theirs
  }
  merge_bin(tc, cls, a);
  a->decay_tick_locked();
  a->unlock();
  for (std::size_t i = 0, j = n; i + 1 < j; ++i, --j) {
    void* t = b.low[i];
    b.low[i] = b.low[j - 1];
    b.low[j - 1] = t;
  }
  b.top = b.low + n;
  b.net_slow += static_cast<std::int32_t>(n);
  b.touched = 1;
  gc_step(tc);
  return b.pop();
}

void tcache_flush_and_push(TCache* tc, unsigned cls, void* p, ArenaChoice&) noexcept {
  BENTO_ASSERT_SLOW(is_valid(tc));
  CacheBin& b = tc->bins[cls];
  if (b.top != b.low && b.top[-1] == p) {
    report_bad_free("free", p, FreeError::kDoubleFree, "");
  }
  // Empty, then full again: grow rather than flush, if the budget allows.
  const bool grew = b.refilled && grow(tc, cls);
  b.refilled = 0;
  b.flushed = 1;
  if (!grew) flush_oldest(tc, cls, b.ncached() - b.ncached() / 2);
  b.touched = 1;
  gc_step(tc);
  b.push(p);
}

void tcache_merge_stats(TCache* tc, ArenaChoice& choice) noexcept {
  Arena* a = lock_favourite(choice);
  for (unsigned c = 0; c < kNumLookupClasses; ++c) merge_bin(tc, c, a);
  if (a != nullptr) a->unlock();
}

void tcache_flush_all(TCache* tc, ArenaChoice& choice) noexcept {
  for (unsigned c = 0; c < kNumLookupClasses; ++c) flush_oldest(tc, c, tc->bins[c].ncached());
  flush_remote(tc);
  tcache_merge_stats(tc, choice);
  // The thread may be exiting: what others queued for its arena is freed now, not at
  // the daemon's next tick (never, with background_purge:false, if no thread came).
  if (Arena* a = lock_favourite(choice)) {
    a->drain_remote_locked();
    a->unlock();
  }
}

void tcache_free_remote(TCache* tc, void* p, unsigned cls) noexcept {
  if (tc->nremote == kRemoteSlots) flush_remote(tc);
  tc->remote[tc->nremote++] = p;
  tc->remote_bytes += class_bytes(cls);
  tc->merged_free_bytes += class_bytes(cls);
}

std::uint64_t tcache_allocated_bytes(const TCache* tc) noexcept {
  std::uint64_t n = tc->merged_alloc_bytes;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) n += tc->bins[c].nrequests * class_bytes(c);
  return n;
}

std::uint64_t tcache_deallocated_bytes(const TCache* tc) noexcept {
  std::uint64_t n = tc->merged_free_bytes;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) n += tc->bins[c].merged_frees() * class_bytes(c);
  return n;
}

std::size_t tcache_cached_bytes(const TCache* tc) noexcept {
  std::size_t n = 0;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) n += tc->bins[c].ncached() * class_bytes(c);
  return n;
}

}  // namespace bento
