// test/programs/prof_sites.c: a program with known call sites, for the heap profiler's
// checks (prof_check.py), run with bento preloaded. hold_a keeps 3 x the bytes hold_b
// keeps; churn allocates more than both and keeps nothing; hold_peak holds the most of
// all, then frees it before the others are allocated.
//   prof_sites dump NOW PEAK   writes prof.dump and prof.dump_peak, prints the truth
//   prof_sites wait            prints "ready", then waits for a line on stdin
//   prof_sites serve           prints "ready", allocates only after a line on stdin
//                              (prints "held"), then waits for another
//   prof_sites leak            exits holding hold_a and hold_b (for prof_leak)
//   prof_sites active          tries prof.active = true, prints mallctl's answer
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*mallctl_fn)(const char*, void*, size_t*, void*, size_t);

enum { kA = 8192, kB = 8192, kChurn = 196608, kPeak = 8192 };
enum { kSizeA = 3072, kSizeB = 1024, kSizeChurn = 512, kSizePeak = 8192 };
static void* a[kA];
static void* b[kB];
static void* peak[kPeak];

__attribute__((noinline)) void* hold_a(void) {
  void* p = malloc(kSizeA);
  memset(p, 1, kSizeA);
  return p;
}
__attribute__((noinline)) void* hold_b(void) {
  void* p = malloc(kSizeB);
  memset(p, 2, kSizeB);
  return p;
}
__attribute__((noinline)) void churn(void) {
  char* volatile p = malloc(kSizeChurn);
  p[0] = 3;
  free(p);
}
__attribute__((noinline)) void* hold_peak(void) {
  void* p = malloc(kSizePeak);
  memset(p, 4, kSizePeak);
  return p;
}

static void phase_peak(void) {
  for (int i = 0; i < kPeak; ++i) peak[i] = hold_peak();
  for (int i = 0; i < kPeak; ++i) free(peak[i]);
}

static void phase_hold(void) {
  for (int i = 0; i < kA; ++i) {
    a[i] = hold_a();
    if (i < kB) b[i] = hold_b();
    for (int k = 0; k < kChurn / kA; ++k) churn();
  }
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  mallctl_fn mallctl;
  void* sym = dlsym(RTLD_DEFAULT, "mallctl");
  memcpy(&mallctl, &sym, sizeof(sym));  // ISO C has no object-to-function pointer cast
  if (mallctl == NULL) {
    fprintf(stderr, "prof_sites: no mallctl: run with bento preloaded\n");
    return 2;
  }
  if (strcmp(mode, "active") == 0) {
    _Bool on = 1;
    printf("prof.active=1 -> %d\n", mallctl("prof.active", NULL, NULL, &on, sizeof(on)));
    return 0;
  }
  char line[16];
  if (strcmp(mode, "serve") == 0) {
    printf("ready\n");
    fflush(stdout);
    if (fgets(line, sizeof(line), stdin) == NULL) return 0;
    phase_hold();
    printf("held\n");
    fflush(stdout);
    if (fgets(line, sizeof(line), stdin) == NULL) return 0;
    return 0;
  }
  phase_peak();
  phase_hold();
  if (strcmp(mode, "dump") == 0 && argc == 4) {
    const char* now = argv[2];
    const char* at_peak = argv[3];
    const int e1 = mallctl("prof.dump", NULL, NULL, &now, sizeof(now));
    const int e2 = mallctl("prof.dump_peak", NULL, NULL, &at_peak, sizeof(at_peak));
    printf("dump %d %d\n", e1, e2);
    printf("truth hold_a=%d hold_b=%d churn=%d hold_peak=%d\n", kA * kSizeA, kB * kSizeB, kChurn * kSizeChurn,
           kPeak * kSizePeak);
    return e1 != 0 || e2 != 0;
  }
  if (strcmp(mode, "wait") == 0) {
    printf("ready\n");
    fflush(stdout);
    if (fgets(line, sizeof(line), stdin) == NULL) return 0;
    return 0;
  }
  if (strcmp(mode, "leak") == 0) return 0;
  fprintf(stderr, "prof_sites: unknown mode '%s'\n", mode);
  return 2;
}
