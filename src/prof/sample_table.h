// prof/sample_table.h: the heap profiler's record of what it sampled (the sampler that
// decides which allocations are sampled is prof/sampler.h).
//
//   sites   one per distinct (call stack, size class): weighted counts of what was
//           allocated there ever (alloc_*), what is live now (inuse_*), and what was live
//           at the peak. Created on first sample, never freed (a program has finitely
//           many call sites); the stack itself is immutable, so writers read it unlocked.
//   live    every sampled object still allocated, by address: its site, weight,
//           requested size, thread and time of allocation.
//   peak    when the weighted live bytes pass the last peak copy by 1/32, every site's
//           live counts are copied to its peak counts (cost O(sites) per 3% of growth).
//
// g_prof_lock guards all counts and the live table; it is a leaf lock (nothing else is
// taken under it) held for a hash lookup, never across an unwind or a write.
#pragma once
#include <cstddef>
#include <cstdint>

#include "prof/unwind.h"

namespace bento {

struct ProfSite {
  std::uintptr_t* pcs;     // return addresses, innermost first
  unsigned depth;
  std::size_t usize;       // the size class of the site's objects
  ProfSite* chain;         // next in its hash chain
  ProfSite* next;          // next in creation order
  double alloc_objects, alloc_bytes, inuse_objects, inuse_bytes, peak_objects, peak_bytes;
};

// One site's counts, copied out under the lock for a writer.
struct ProfSiteCounts {
  const ProfSite* site;
  double alloc_objects, alloc_bytes, inuse_objects, inuse_bytes;
};

// One live sampled object, copied out under the lock.
struct ProfLiveSample {
  std::uintptr_t addr;
  const ProfSite* site;
  std::size_t requested;
  int tid;                 // the allocating thread (kernel id)
  std::uint32_t born_ms;   // os::coarse_ms() at allocation
  double objects;          // the weight
};

struct ProfTotals {
  std::uint64_t samples_taken;   // since start (or prof.reset)
  std::uint64_t samples_live;
  std::uint64_t sites;
  double inuse_bytes, peak_bytes;  // weighted estimates
};

// Records a sampled object: unwinds the caller's stack (outside the lock), then adds it.
// `requested` drew the sample, `usize` is what its class holds, `mean` the interval in
// force. False when the table could not grow (the object is then simply not sampled).
bool prof_record(void* p, std::size_t requested, std::size_t usize, double mean, int tid) noexcept;
// A sampled object is freed (or was never sampled: false).
bool prof_forget(void* p) noexcept;
// realloc moved or resized a sampled huge object in place.
void prof_moved(void* from, void* to) noexcept;
// Objects sampled and not yet freed that live in huge mappings (their frees look here).
bool prof_live_huge() noexcept;
void prof_note_huge(int delta) noexcept;

// prof.reset: allocation counts and the peak start again; live objects stay counted.
void prof_reset_counts() noexcept;

// Copies every site's counts (live now, or at the peak) into out[0..cap); returns how
// many sites there are (more than cap: call again with more room).
std::size_t prof_copy_sites(ProfSiteCounts* out, std::size_t cap, bool peak) noexcept;
ProfTotals prof_totals() noexcept;
// Copies the live samples into out[0..cap); returns how many there are.
std::size_t prof_copy_live(ProfLiveSample* out, std::size_t cap) noexcept;

void prof_prefork() noexcept;
void prof_postfork_parent() noexcept;
void prof_postfork_child() noexcept;

}  // namespace bento
