// sizes: beyond the small classes.
//   mix   random sizes 8 B to 1 MiB (log-uniform) held in a window, half of them grown
//         with realloc before they are freed
//   big   blocks of 256 KiB to 64 MiB allocated, every page touched, freed (page-fault and
//         purge costs)
//   large blocks of 5 to 25 MiB, 20 live, one replaced at random each round; the first
//         64 KiB written and one byte in every 16 pages (a working set of ~300 MiB that
//         a small cache of freed mappings cannot hold)
//   sizes THREADS [scale] [mix|big|large]
#include <cstring>

#include "common.h"

namespace {
std::size_t log_size(bench::Rng& rng, std::size_t lo, std::size_t hi) {
  unsigned lo_bits = 0, hi_bits = 0;
  while ((std::size_t{1} << lo_bits) < lo) ++lo_bits;
  while ((std::size_t{1} << hi_bits) < hi) ++hi_bits;
  const unsigned bits = lo_bits + static_cast<unsigned>(rng.below(hi_bits - lo_bits + 1));
  const std::size_t s = (std::size_t{1} << bits) + rng.below(std::size_t{1} << bits);
  return s < lo ? lo : s > hi ? hi : s;
}
}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = bench::arg_threads(argc, argv);
  const double scale = bench::arg_scale(argc, argv);
  const std::string which = argc > 3 ? argv[3] : "mix";
  std::atomic<long> ops{0};
  const double secs = bench::run_threads(threads, [&](unsigned id) {
    bench::Rng rng(id + 11);
    long n = 0;
    if (which == "mix") {
      void* window[256] = {};
      std::size_t sizes[256] = {};
      const long rounds = static_cast<long>(400000 * scale);
      for (long i = 0; i < rounds; ++i) {
        const std::size_t k = rng.below(256);
        if (window[k] != nullptr && rng.below(2) == 0) {
          const std::size_t grown = sizes[k] + sizes[k] / 2 + 16;
          window[k] = std::realloc(window[k], grown > (1u << 20) ? (1u << 20) : grown);
          sizes[k] = grown;
        } else {
          std::free(window[k]);
          sizes[k] = log_size(rng, 8, 1u << 20);
          window[k] = std::malloc(sizes[k]);
        }
        static_cast<char*>(window[k])[0] = 1;
        ++n;
      }
      for (void* p : window) std::free(p);
    } else if (which == "large") {
      char* live[20] = {};
      const long rounds = static_cast<long>(4000 * scale);
      for (long i = 0; i < rounds; ++i) {
        const std::size_t k = rng.below(20);
        std::free(live[k]);
        const std::size_t s = (5u << 20) + rng.below(20u << 20);
        auto* p = static_cast<char*>(std::malloc(s));
        std::memset(p, 1, 64 * 1024);
        for (std::size_t off = 0; off < s; off += 16 * 4096) p[off] = 1;
        live[k] = p;
        ++n;
      }
      for (char* p : live) std::free(p);
    } else {
      const long rounds = static_cast<long>(150 * scale);
      for (long i = 0; i < rounds; ++i) {
        const std::size_t s = log_size(rng, 256 * 1024, 64u << 20);
        auto* p = static_cast<char*>(std::malloc(s));
        for (std::size_t off = 0; off < s; off += 4096) p[off] = 1;
        bench::sink(p);
        std::free(p);
        ++n;
      }
    }
    ops.fetch_add(n);
  });
  std::printf("bench name=%s threads=%u seconds=%.4f ops_per_s=%.0f\n", which.c_str(), threads, secs, ops.load() / secs);
  return 0;
}
