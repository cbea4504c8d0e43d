// chunk/chunk_registry.cc: the registry's reservation and writers.
#include "chunk/chunk_registry.h"

#include <atomic>

#include "platform/os.h"

namespace bento {

alignas(4096) constinit std::uint8_t g_chunk_kinds[kRegistryEntries];

namespace {
constinit std::atomic<std::size_t> g_registered{0};  // entries not kNotOurs (registry_chunks)
}  // namespace

bool registry_init() noexcept {
  os::hugepage_off(g_chunk_kinds, kRegistryEntries);  // sparse: keep it 4 KiB-granular
  return true;
}

void registry_set(void* addr, std::size_t bytes, ChunkKind head, ChunkKind body) noexcept {
  const std::size_t first = reinterpret_cast<std::uintptr_t>(addr) >> kLgChunk;
  const std::size_t n = (bytes + kChunkSize - 1) >> kLgChunk;
  std::ptrdiff_t delta = 0;
  for (std::size_t i = 0; i < n && first + i < kRegistryEntries; ++i) {
    const auto k = static_cast<std::uint8_t>(i == 0 ? head : body);
    const auto was = __atomic_exchange_n(&g_chunk_kinds[first + i], k, __ATOMIC_RELAXED);
    delta += (k != 0) - (was != 0);
  }
  if (delta != 0) g_registered.fetch_add(static_cast<std::size_t>(delta), std::memory_order_relaxed);
}

std::size_t registry_chunks() noexcept { return g_registered.load(std::memory_order_relaxed); }

void registry_clear(void* addr, std::size_t bytes) noexcept {
  registry_set(addr, bytes, ChunkKind::kNotOurs, ChunkKind::kNotOurs);
}

}  // namespace bento
