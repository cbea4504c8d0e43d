/* epoch_cost: what an epoch refresh costs while every arena is busy. Worker threads (one
 * per arena by default) allocate and free without pause; the main thread refreshes the
 * statistics snapshot REFRESHES times, then lets the workers run alone for as long.
 * Prints the refresh time (median, max) and the workers' throughput with and without the
 * refreshes going on.  usage: epoch_cost [THREADS] [REFRESHES]   (run under libbento) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int mallctl(const char*, void*, size_t*, void*, size_t) __attribute__((weak));

static atomic_int phase;      /* 0 run, 1 stop */
static atomic_long ops;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void* worker(void* arg) {
  unsigned x = (unsigned)(uintptr_t)arg * 2654435761u + 1;
  void* keep[64] = {0};
  long n = 0;
  while (atomic_load_explicit(&phase, memory_order_relaxed) == 0) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    const unsigned k = x % 64;
    free(keep[k]);
    keep[k] = malloc(16 + (x >> 8) % 2000);
    if ((++n & 1023) == 0) atomic_fetch_add(&ops, 1024);
  }
  for (int k = 0; k < 64; ++k) free(keep[k]);
  return NULL;
}

static int cmp(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double run_phase(int threads, int refreshes, double* times) {
  pthread_t t[256];
  atomic_store(&phase, 0);
  atomic_store(&ops, 0);
  for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, worker, (void*)(uintptr_t)i);
  const double start = now();
  if (times != NULL) {
    for (int i = 0; i < refreshes; ++i) {
      uint64_t e = 1;
      const double t0 = now();
      mallctl("epoch", NULL, NULL, &e, sizeof(e));
      times[i] = now() - t0;
      struct timespec ts = {0, 2000000};
      nanosleep(&ts, NULL);
    }
  } else {
    struct timespec ts = {0, 2000000};
    for (int i = 0; i < refreshes; ++i) nanosleep(&ts, NULL);
  }
  const double took = now() - start;
  atomic_store(&phase, 1);
  for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
  return atomic_load(&ops) / took;
}

int main(int argc, char** argv) {
  if (mallctl == NULL) {
    fprintf(stderr, "epoch_cost: run it under libbento (LD_PRELOAD)\n");
    return 2;
  }
  unsigned narenas = 1;
  size_t len = sizeof(narenas);
  mallctl("arenas.narenas", &narenas, &len, NULL, 0);
  const int threads = argc > 1 ? atoi(argv[1]) : (int)narenas;
  const int refreshes = argc > 2 ? atoi(argv[2]) : 500;
  double* times = malloc(sizeof(double) * (size_t)refreshes);
  const double with = run_phase(threads, refreshes, times);
  const double without = run_phase(threads, refreshes, NULL);
  qsort(times, (size_t)refreshes, sizeof(double), cmp);
  printf("arenas %u, worker threads %d, refreshes %d\n", narenas, threads, refreshes);
  printf("refresh time: median %.1f us, p99 %.1f us, max %.1f us\n", times[refreshes / 2] * 1e6,
         times[refreshes * 99 / 100] * 1e6, times[refreshes - 1] * 1e6);
  printf("worker throughput: %.2f M ops/s with refreshes, %.2f M ops/s without (ratio %.3f)\n",
         with / 1e6, without / 1e6, with / without);
  free(times);
  return 0;
}
