// chunk/chunk_registry.cc: the registry's reservation and writers.
#include "chunk/chunk_registry.h"

#include "platform/os.h"

namespace bento {

alignas(4096) constinit std::uint8_t g_chunk_kinds[kRegistryEntries];

bool registry_init() noexcept {
  os::hugepage_off(g_chunk_kinds, kRegistryEntries);  // sparse: keep it 4 KiB-granular
  return true;
}

void registry_set(void* addr, std::size_t bytes, ChunkKind head, ChunkKind body) noexcept {
  const std::size_t first = reinterpret_cast<std::uintptr_t>(addr) >> kLgChunk;
  const std::size_t n = (bytes + kChunkSize - 1) >> kLgChunk;
  for (std::size_t i = 0; i < n && first + i < kRegistryEntries; ++i) {
    const auto k = static_cast<std::uint8_t>(i == 0 ? head : body);
    __atomic_store_n(&g_chunk_kinds[first + i], k, __ATOMIC_RELAXED);
  }
}

void registry_clear(void* addr, std::size_t bytes) noexcept {
  registry_set(addr, bytes, ChunkKind::kNotOurs, ChunkKind::kNotOurs);
}

}  // namespace bento
