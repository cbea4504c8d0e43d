// tcache/tcache.cc: refill, flush and GC of a thread cache. Runs on the owning thread;
// takes arena locks (favourite for refills, owners for flushes) one at a time.
#include "tcache/tcache.h"

#include <cstring>

#include "arena/free_batch.h"
#include "chunk/chunk.h"

namespace bento {

namespace {

constexpr unsigned kSmallSlotsMin = 20, kSmallSlotsMax = 200, kLargeSlots = 20;

unsigned slots_for(unsigned cls, std::size_t tcache_max) noexcept {
  if (class_bytes(cls) > tcache_max) return 0;
  if (!is_small_class(cls)) return kLargeSlots;
  const unsigned n = 2u * kClasses[cls].nregs;
  return n < kSmallSlotsMin ? kSmallSlotsMin : n > kSmallSlotsMax ? kSmallSlotsMax : n;
}

void** slots_begin(TCache* tc) noexcept { return reinterpret_cast<void**>(tc + 1); }

// Frees the oldest `n` objects of bin cls and slides the rest down.
void flush_oldest(TCache* tc, unsigned cls, std::size_t n) noexcept {
  CacheBin& b = tc->bins[cls];
  if (n == 0) return;
  void* bad = nullptr;
  // Flushing reorders the batch it frees, so free a copy (at most 200 pointers).
  void* batch[kSmallSlotsMax];
  std::memcpy(batch, b.low, n * sizeof(void*));
  const std::size_t rest = b.ncached() - n;
  std::memmove(b.low, b.low + n, rest * sizeof(void*));
  b.top = b.low + rest;
  const FreeError e = arena_free_batch(batch, n, cls, &bad);
  if (e != FreeError::kOk) report_bad_free("free", bad, e, " (found when the thread cache was flushed)");
}

// One GC step: visit the next bin; an untouched bin sheds 3/4 of what it holds and
// refills less next time, a busy one refills more.
void gc_step(TCache* tc) noexcept {
  const unsigned cls = tc->gc_next;
  tc->gc_next = cls + 1 == kNumLookupClasses ? 0 : cls + 1;
  CacheBin& b = tc->bins[cls];
  if (b.ncached_max == 0) return;
  if (b.touched) {
    if (b.lg_fill_div > 1) --b.lg_fill_div;
  } else if (b.ncached() != 0) {
    flush_oldest(tc, cls, b.ncached() - b.ncached() / 4);
    if ((b.ncached_max >> (b.lg_fill_div + 1)) != 0) ++b.lg_fill_div;
  }
  b.touched = 0;
}

}  // namespace

std::size_t tcache_size(std::size_t tcache_max) noexcept {
  std::size_t slots = 0;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) slots += 1 + slots_for(c, tcache_max);
  return sizeof(TCache) + slots * sizeof(void*);
}

void tcache_init(TCache* tc, std::size_t tcache_max) noexcept {
  void** s = slots_begin(tc);
  for (unsigned c = 0; c < kNumLookupClasses; ++c) {
    CacheBin& b = tc->bins[c];
    const unsigned n = slots_for(c, tcache_max);
    *s++ = nullptr;  // sentinel below low
    b.low = b.top = s;
    b.high = s + n;
    b.ncached_max = static_cast<std::uint16_t>(n);
    b.lg_fill_div = 1;
    b.nrequests = b.nfrees = 0;
    b.touched = 0;
    s += n;
  }
  tc->merged_alloc_bytes = tc->merged_free_bytes = 0;
  tc->gc_next = 0;
}

void* tcache_refill_and_pop(TCache* tc, unsigned cls, ArenaChoice& choice) noexcept {
  CacheBin& b = tc->bins[cls];
  const std::size_t want = b.ncached_max >> b.lg_fill_div;
  Arena* a = lock_favourite(choice);
  if (a == nullptr) return nullptr;
  // Regions come lowest address first; store them so the lowest is popped first.
  void* got[kSmallSlotsMax];
  const std::size_t n = a->fill_locked(cls, got, want == 0 ? 1 : want);
  a->merge_requests_locked(cls, b.nrequests);
  a->decay_tick_locked();
  a->unlock();
  tc->merged_alloc_bytes += b.nrequests * class_bytes(cls);
  tc->merged_free_bytes += b.nfrees * class_bytes(cls);
  b.nrequests = b.nfrees = 0;
  for (std::size_t i = 0; i < n; ++i) b.low[i] = got[n - 1 - i];
  b.top = b.low + n;
  b.touched = 1;
  gc_step(tc);
  return b.pop();
}

void tcache_flush_and_push(TCache* tc, unsigned cls, void* p, ArenaChoice&) noexcept {
  CacheBin& b = tc->bins[cls];
  if (b.top != b.low && b.top[-1] == p) {
    report_bad_free("free", p, FreeError::kDoubleFree, "");
  }
  flush_oldest(tc, cls, b.ncached() - b.ncached() / 2);
  b.touched = 1;
  gc_step(tc);
  b.push(p);
}

void tcache_merge_stats(TCache* tc, ArenaChoice& choice) noexcept {
  Arena* a = lock_favourite(choice);
  if (a == nullptr) return;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) {
    CacheBin& b = tc->bins[c];
    a->merge_requests_locked(c, b.nrequests);
    tc->merged_alloc_bytes += b.nrequests * class_bytes(c);
    tc->merged_free_bytes += b.nfrees * class_bytes(c);
    b.nrequests = b.nfrees = 0;
  }
  a->unlock();
}

void tcache_flush_all(TCache* tc, ArenaChoice& choice) noexcept {
  for (unsigned c = 0; c < kNumLookupClasses; ++c) flush_oldest(tc, c, tc->bins[c].ncached());
  tcache_merge_stats(tc, choice);
}

std::uint64_t tcache_allocated_bytes(const TCache* tc) noexcept {
  std::uint64_t n = tc->merged_alloc_bytes;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) n += tc->bins[c].nrequests * class_bytes(c);
  return n;
}

std::uint64_t tcache_deallocated_bytes(const TCache* tc) noexcept {
  std::uint64_t n = tc->merged_free_bytes;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) n += tc->bins[c].nfrees * class_bytes(c);
  return n;
}

std::size_t tcache_cached_bytes(const TCache* tc) noexcept {
  std::size_t n = 0;
  for (unsigned c = 0; c < kNumLookupClasses; ++c) n += tc->bins[c].ncached() * class_bytes(c);
  return n;
}

}  // namespace bento
