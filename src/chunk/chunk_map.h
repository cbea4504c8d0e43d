// chunk/chunk_map.h: where chunk-aligned memory comes from. Requests of a few chunks are
// carved from a 64 MiB reservation, mapped once at chunk alignment, so that a thread
// making chunks does one mmap per 32 of them instead of one to four (an unaligned first
// try is unmapped and retried over-sized). Every mmap and munmap takes the process's
// address-space lock for writing and stalls the page faults of all its threads: at 16
// threads warming up, that was the cost. Bigger requests are mapped on their own.
//
// Lock-free: one atomic word holds the current reservation's address and how many of its
// chunks are taken. Memory handed out is unmapped by its owner as before (os::unmap); the
// untouched tail of a spent reservation is unmapped when it is replaced.
#pragma once
#include <cstddef>

namespace bento {

// `bytes`: a chunk multiple. Null when the OS refuses.
void* chunk_map(std::size_t bytes) noexcept;

}  // namespace bento
