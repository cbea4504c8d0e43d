// daemon/heap_map.cc: renders the page map. Each arena's lock is held while its chunk
// list is copied, then again per chunk while that chunk's row is rendered into a stack
// buffer; nothing is written to the client with a lock held. g_map_lock guards the scratch
// list of chunk addresses.
#include "daemon/heap_map.h"

#include "arena/arena_set.h"
#include "arena/huge.h"
#include "chunk/base_alloc.h"
#include "chunk/chunk.h"
#include "chunk/chunk_registry.h"

namespace bento {

namespace {
static_assert(sizeof(kSmallClassChars) - 1 == kNumSmallClasses);

constinit Mutex g_map_lock;
constinit void** g_chunks = nullptr;  // ChunkHeader addresses
constinit std::size_t g_cap = 0;
constinit HugeExtent* g_huge = nullptr;
constinit std::size_t g_huge_cap = 0;

char page_char(const PageInfo& pi, std::size_t page) noexcept {
  switch (pi.state) {
    case PageState::kHeader: return 'H';
    case PageState::kFree: return pi.dirty != 0 ? ',' : '.';
    case PageState::kLarge: return pi.run_start == page ? 'L' : 'l';
    case PageState::kSmall: return page_class(pi) < kNumSmallClasses ? kSmallClassChars[page_class(pi)] : '?';
  }
  return '?';
}

bool grow(std::size_t want) noexcept {
  std::size_t cap = g_cap == 0 ? 64 : g_cap;
  while (cap < want) cap *= 2;
  auto* fresh = static_cast<void**>(base_alloc(cap * sizeof(void*), 64));
  if (fresh == nullptr) return false;
  g_chunks = fresh;
  g_cap = cap;
  return true;
}
}  // namespace

void heap_map_postfork_child() noexcept { g_map_lock.reset_after_fork(); }

void heap_map(ReportOut& out) noexcept {
  LockGuard map_guard(g_map_lock);
  out.put("ok\n");
  out.print("map 1 page={} chunk_pages={}\n", kPageSize, kChunkPages);
  for (unsigned i = 0; i < narenas(); ++i) {
    Arena* a = arena_get(i);
    if (a == nullptr) continue;
    std::size_t n;
    while ((n = a->list_chunks(g_chunks, g_cap)) > g_cap) {
      if (!grow(n)) {
        out.put("error out of memory for the chunk list\n");
        return;
      }
    }
    for (std::size_t k = 0; k < n; ++k) {
      auto* c = static_cast<ChunkHeader*>(g_chunks[k]);
      char row[kChunkPages + 1];
      {
        ArenaObserverLock guard(a);
        // Unmapped since the list was copied? Then it is no longer this arena's chunk.
        if (chunk_kind(c) != ChunkKind::kArena || c->arena_index != i) continue;
        for (std::size_t p = 0; p < kChunkPages; ++p) row[p] = page_char(c->pages[p], p);
      }
      row[kChunkPages] = '\0';
      out.print("chunk {} {} ", i, static_cast<const void*>(c));
      out.put(std::string_view(row, kChunkPages));
      out.put("\n");
    }
  }
  std::size_t total;
  while ((total = huge_list(g_huge, g_huge_cap)) > g_huge_cap) {
    const std::size_t cap = total * 2;
    auto* fresh = static_cast<HugeExtent*>(base_alloc(cap * sizeof(HugeExtent), 64));
    if (fresh == nullptr) {
      out.put("error out of memory for the huge list\n");
      return;
    }
    g_huge = fresh;
    g_huge_cap = cap;
  }
  for (std::size_t k = 0; k < total; ++k) {
    HugeInfo h;
    if (huge_lookup(g_huge[k].addr, &h)) out.print("huge {} {} {}\n", h.arena, g_huge[k].addr, h.usize);
  }
}

}  // namespace bento
