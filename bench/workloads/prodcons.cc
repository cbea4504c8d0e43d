// prodcons: producer/consumer. THREADS/2 producers allocate small objects (16-256 B)
// and hand them through single-producer single-consumer rings to as many consumers,
// which free them: every free is of another thread's object. Fixed time.
//   prodcons THREADS [scale] [mixed|onesize]   (THREADS >= 2; one thread runs one pair on
//   one thread). onesize: every object 64 B, a tight loop of one size.
#include "common.h"

namespace {
struct Ring {
  static constexpr std::size_t kSize = 1 << 12;
  alignas(64) std::atomic<std::size_t> head{0};  // written by the consumer
  alignas(64) std::atomic<std::size_t> tail{0};  // written by the producer
  alignas(64) void* items[kSize];
};
}  // namespace

int main(int argc, char** argv) {
  const unsigned threads = bench::arg_threads(argc, argv, 2);
  const double seconds = 1.0 * bench::arg_scale(argc, argv);
  const unsigned pairs = threads < 2 ? 1 : threads / 2;
  const bool onesize = argc > 3 && std::string(argv[3]) == "onesize";
  std::vector<Ring> rings(pairs);
  std::atomic<bool> stop{false};
  std::atomic<long> frees{0};
  std::atomic<double> end{0};
  auto producer = [&](Ring& r, bench::Rng& rng) {
    std::size_t t = r.tail.load(std::memory_order_relaxed);
    const std::size_t h = r.head.load(std::memory_order_acquire);
    std::size_t n = 0;
    while (t - h < Ring::kSize && n < 256) {
      r.items[t % Ring::kSize] = std::malloc(onesize ? 64 : 16 + rng.below(241));
      ++t;
      ++n;
    }
    r.tail.store(t, std::memory_order_release);
  };
  auto consumer = [&](Ring& r) {
    std::size_t h = r.head.load(std::memory_order_relaxed);
    const std::size_t t = r.tail.load(std::memory_order_acquire);
    const long n = static_cast<long>(t - h);
    for (; h != t; ++h) std::free(r.items[h % Ring::kSize]);
    r.head.store(h, std::memory_order_release);
    return n;
  };
  double secs;
  if (threads < 2) {
    bench::Rng rng(1);
    long n = 0;
    const double t0 = bench::now();
    while (bench::now() < t0 + seconds) {
      producer(rings[0], rng);
      n += consumer(rings[0]);
    }
    secs = bench::now() - t0;
    frees = n;
  } else {
    secs = bench::run_threads(2 * pairs, [&](unsigned id) {
      Ring& r = rings[id / 2];
      if (id == 0) end.store(bench::now() + seconds);
      if (id % 2 == 0) {
        bench::Rng rng(id + 3);
        while (!stop.load(std::memory_order_relaxed)) {
          producer(r, rng);
          if (id == 0 && bench::now() >= end.load()) stop.store(true);
        }
      } else {
        long n = 0;
        while (!stop.load(std::memory_order_relaxed)) n += consumer(r);
        frees.fetch_add(n);
      }
    });
  }
  for (Ring& r : rings) {
    for (std::size_t h = r.head.load(); h != r.tail.load(); ++h) std::free(r.items[h % Ring::kSize]);
  }
  std::printf("bench name=prodcons threads=%u seconds=%.4f frees_per_s=%.0f ops_per_s=%.0f\n", threads, secs,
              frees.load() / secs, frees.load() / secs);
  return 0;
}
