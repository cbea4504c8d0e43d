// daemon/heap_profile.h: the `heap` request, the heap profiler's answers for bentoctl.
//
//   heap pprof [peak]     ok pprof active=<0|1> lg_sample=<n>
//                         then the gzipped profile.proto (prof/profile_writer.h), base64,
//                         76 characters a line
//   heap top <n> [peak]   ok top active=<0|1> lg_sample=<n> live_bytes=<estimate>
//                         then up to n lines, largest live bytes first:
//                         site <inuse_bytes> <inuse_objects> <alloc_bytes> <alloc_objects>
//                              <size> <return address>... (hex, innermost first)
//
//   heap live <n>         ok live active=<0|1> lg_sample=<n> now_ms=<coarse ms>
//                         then up to n lines, the largest requests first:
//                         sample <address> <requested> <size> <thread id> <age ms>
//                                <return address>... (hex, innermost first)
//
// "peak": the live set at the highest sampled mark instead of now. A process started
// with prof:false answers an error saying how to get profiles.
#pragma once
#include <string_view>

#include "stats/report_out.h"

namespace bento {

void heap_profile(std::string_view args, ReportOut& out) noexcept;

}  // namespace bento
