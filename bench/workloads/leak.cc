// leak: a short program that allocates, leaks and exits, as compilers, scripts and
// command-line tools do: N small and medium objects (16 B to 4 KiB) written once, a
// third freed, the rest left to exit. What counts is the whole run, start-up and exit
// included (the runner times the process).
//   leak THREADS(ignored) [scale]
#include <cstring>

#include "common.h"

int main(int argc, char** argv) {
  const long n = static_cast<long>(3000000 * bench::arg_scale(argc, argv));
  bench::Rng rng(17);
  std::vector<void*> kept;
  kept.reserve(static_cast<std::size_t>(n));
  const double t0 = bench::now();
  for (long i = 0; i < n; ++i) {
    const std::size_t s = rng.below(16) == 0 ? 256 + rng.below(3841) : 16 + rng.below(113);
    auto* p = static_cast<char*>(std::malloc(s));
    std::memset(p, 1, s < 64 ? s : 64);
    if (rng.below(3) == 0) {
      std::free(p);
    } else {
      kept.push_back(p);
    }
  }
  const double secs = bench::now() - t0;
  std::printf("bench name=leak seconds=%.4f ops_per_s=%.0f kept=%zu\n", secs, n / secs, kept.size());
  return 0;  // the kept objects are never freed
}
