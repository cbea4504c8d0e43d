// falseshare: the cache-line patterns (Hoard's cache-thrash and cache-scratch).
//   thrash   each thread allocates small objects, writes each hard, frees it: an allocator
//            that gives threads neighbouring objects makes them fight over cache lines
//   scratch  the main thread allocates one small object per thread and hands them out;
//            each thread frees its object, then allocates, writes and frees its own
//   falseshare THREADS [scale] [thrash|scratch]
#include "common.h"

int main(int argc, char** argv) {
  const unsigned threads = bench::arg_threads(argc, argv);
  const double scale = bench::arg_scale(argc, argv);
  const std::string which = argc > 3 ? argv[3] : "thrash";
  const long iterations = static_cast<long>(1500000 * scale) + 1;
  const long writes = 500;
  std::vector<char*> handed(threads);
  for (auto& h : handed) h = static_cast<char*>(std::malloc(8));
  const double secs = bench::run_threads(threads, [&](unsigned id) {
    if (which == "scratch") std::free(handed[id]);
    for (long i = 0; i < iterations; ++i) {
      auto* p = static_cast<volatile char*>(std::malloc(8));
      for (long w = 0; w < writes; ++w) p[w & 7] = static_cast<char>(p[w & 7] + 1);
      std::free(const_cast<char*>(p));
    }
  });
  if (which != "scratch") {
    for (auto* h : handed) std::free(h);
  }
  std::printf("bench name=%s threads=%u seconds=%.4f ops_per_s=%.0f\n", which.c_str(), threads, secs,
              threads * iterations / secs);
  return 0;
}
