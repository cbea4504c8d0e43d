// memory: what an allocator gives back.
//   burst  allocate ~400 MB of small and medium objects, free them all, then stay quiet
//          for SECONDS (default 22), calling malloc/free once every 100 ms (a mostly idle
//          server). Prints resident memory every 250 ms: the runner plots it and reads the
//          share of the burst still resident after 2 x bento's decay time (20 s).
//   frag   allocate 2 M objects of 16-512 B, free every other one, then allocate 1 KiB
//          objects for as many bytes as were freed: peak and final resident memory
//   memory THREADS(ignored) [scale] [burst|frag] [SECONDS]
#include <cstring>

#include "common.h"

int main(int argc, char** argv) {
  const double scale = bench::arg_scale(argc, argv);
  const std::string which = argc > 3 ? argv[3] : "burst";
  bench::Rng rng(5);
  const long base = bench::rss_kib();
  if (which == "burst") {
    const double quiet = argc > 4 ? std::atof(argv[4]) : 22.0;
    std::vector<void*> objs;
    const long target_kib = static_cast<long>(400 * 1024 * scale);
    long bytes = 0;
    const double t0 = bench::now();
    while (bytes / 1024 < target_kib) {
      const std::size_t s = rng.below(8) == 0 ? 1024 + rng.below(60000) : 16 + rng.below(500);
      auto* p = static_cast<char*>(std::malloc(s));
      std::memset(p, 1, s);
      objs.push_back(p);
      bytes += static_cast<long>(s);
    }
    const long peak = bench::rss_kib();
    for (void* p : objs) std::free(p);
    std::vector<void*>().swap(objs);
    const double freed_at = bench::now();
    std::printf("bench name=burst t=0.00 rss_kib=%ld phase=freed base_kib=%ld peak_kib=%ld alloc_s=%.3f\n",
                bench::rss_kib(), base, peak, freed_at - t0);
    double next_sample = 0.25;
    while (bench::now() - freed_at < quiet) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      void* p = std::malloc(64);
      bench::sink(p);
      std::free(p);
      const double t = bench::now() - freed_at;
      if (t >= next_sample) {
        std::printf("bench name=burst t=%.2f rss_kib=%ld\n", t, bench::rss_kib());
        next_sample += 0.25;
      }
    }
    std::fflush(stdout);
    return 0;
  }
  // frag
  const long n = static_cast<long>(2'000'000 * scale);
  std::vector<void*> objs(static_cast<std::size_t>(n));
  std::vector<unsigned short> sizes(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < objs.size(); ++i) {
    sizes[i] = static_cast<unsigned short>(16 + rng.below(497));
    objs[i] = std::malloc(sizes[i]);
    std::memset(objs[i], 2, sizes[i]);
  }
  const long full = bench::rss_kib();
  long total = 0;
  for (unsigned short s : sizes) total += s;
  long freed = 0;
  for (std::size_t i = 0; i < objs.size(); i += 2) {
    freed += sizes[i];
    std::free(objs[i]);
    objs[i] = nullptr;
  }
  std::vector<void*> larger;
  for (long b = 0; b < freed; b += 1024) {
    larger.push_back(std::malloc(1024));
    std::memset(larger.back(), 3, 1024);
  }
  const long after = bench::rss_kib();
  std::printf("bench name=frag base_kib=%ld full_kib=%ld after_kib=%ld live_kib=%ld\n", base, full, after,
              (total - freed + static_cast<long>(larger.size()) * 1024) / 1024);
  for (void* p : objs) std::free(p);
  for (void* p : larger) std::free(p);
  return 0;
}
