// override/glibc_stats.cc: glibc's statistics calls and jemalloc's malloc_stats_print,
// exported so tools that call them get bento's numbers under LD_PRELOAD. One-line
// forwards to stats/, plus the FILE* and struct glue glibc's signatures need.
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>

#include "base/compiler.h"
#include "stats/report.h"

using namespace bento;

#define BENTO_LIBC extern "C" BENTO_EXPORT

namespace {
void write_file(void* opaque, const char* text) { fputs(text, static_cast<FILE*>(opaque)); }
int clamp(std::size_t v) { return v > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(v); }
}  // namespace

BENTO_LIBC void malloc_stats_print(void (*write_cb)(void*, const char*), void* cbopaque,
                                   const char* opts) noexcept {
  stats_print(write_cb, cbopaque, opts);
}

BENTO_LIBC struct mallinfo2 mallinfo2() noexcept {
  const MallinfoNumbers n = stats_mallinfo();
  struct mallinfo2 m;
  m.arena = n.arena;
  m.ordblks = n.ordblks;
  m.smblks = n.smblks;
  m.hblks = n.hblks;
  m.hblkhd = n.hblkhd;
  m.usmblks = n.usmblks;
  m.fsmblks = n.fsmblks;
  m.uordblks = n.uordblks;
  m.fordblks = n.fordblks;
  m.keepcost = n.keepcost;
  return m;
}

BENTO_LIBC struct mallinfo mallinfo() noexcept {
  const MallinfoNumbers n = stats_mallinfo();
  struct mallinfo m;
  m.arena = clamp(n.arena);
  m.ordblks = clamp(n.ordblks);
  m.smblks = clamp(n.smblks);
  m.hblks = clamp(n.hblks);
  m.hblkhd = clamp(n.hblkhd);
  m.usmblks = clamp(n.usmblks);
  m.fsmblks = clamp(n.fsmblks);
  m.uordblks = clamp(n.uordblks);
  m.fordblks = clamp(n.fordblks);
  m.keepcost = clamp(n.keepcost);
  return m;
}

BENTO_LIBC void malloc_stats() noexcept { stats_malloc_stats(nullptr, nullptr); }

BENTO_LIBC int malloc_info(int options, FILE* fp) noexcept {
  if (options != 0 || fp == nullptr) {
    errno = EINVAL;
    return -1;
  }
  stats_malloc_info(write_file, fp);
  return 0;
}

BENTO_LIBC int malloc_trim(size_t) noexcept { return stats_trim() ? 1 : 0; }
