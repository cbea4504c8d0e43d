// daemon/heap_map.h: the `map` request: every chunk of every arena as one row of page
// states, and every huge object, for bentoctl's picture of the heap.
//
//   ok
//   map 1 page=4096 chunk_pages=512
//   chunk <arena> <address> <512 characters, one per page>
//   huge <arena> <address> <usable bytes>
//
// Page characters: H chunk header, . free (clean), , free (dirty), L first page of a
// large object, l rest of a large object, and for a small run the size class index as one
// character of "0123456789abcdefghijklmnopqrstuvwxyzABC" (class 0 = 16 bytes).
#pragma once
#include "stats/report_out.h"

namespace bento {

inline constexpr char kSmallClassChars[] = "0123456789abcdefghijklmnopqrstuvwxyzABC";

void heap_map(ReportOut& out) noexcept;
// Fork child: the daemon thread that may have held the map lock is gone; the lock is
// reset, not taken before the fork (a map answer writes to its client under it, and a
// client that stops reading must not stall the program's forks). The scratch lists stay
// usable: each grows by storing its new array before its capacity.
void heap_map_postfork_child() noexcept;

}  // namespace bento
