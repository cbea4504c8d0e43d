// ctl/heap_fetch.h: a process's heap profile, fetched from its daemon ("heap pprof",
// base64 lines) as the bytes of a gzipped profile.proto. Used by `bentoctl heap -o` and
// by `bentoctl serve`'s /debug/pprof/heap.
#pragma once
#include <string>

#include "client.h"

namespace bentoctl {

struct HeapProfile {
  std::string pprof;   // gzipped profile.proto
  std::string status;  // the daemon's status line (active=, lg_sample=, ...)
};
HeapProfile fetch_heap_profile(const Client& client, int pid, bool peak, int timeout_ms = 30000);

}  // namespace bentoctl
