// bench/micro/forkbusy.c: memory and time of fork with busy threads (doc/reliability.md).
// forkbusy: N busy allocating threads while the main thread forks at a fixed rate.
// usage: forkbusy [mode] [seconds] [rate] [threads] [count]
//   count > 0: stop after count children instead of after seconds; rate 0: no pacing
//   mode: fork (child mallocs a little, _exit), exec (fork + execve /bin/true),
//         vfork (vfork + execve /bin/true), spawn (posix_spawn /bin/true),
//         none (no forks: baseline)
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;
int mallctl(const char*, void*, size_t*, void*, size_t) __attribute__((weak));

#define NSLOTS 512
static atomic_int stop;
static atomic_ulong ops;
static int nthreads = 4;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
static uint64_t xs(uint64_t* s) { *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17; return *s; }
// sizes 16 B - 64 KiB, log-uniform: mean ~ 12 KiB -> 512 slots ~ 6 MB per thread
static size_t rsize(uint64_t* s) {
  unsigned lg = 4 + xs(s) % 13;            /* 2^4 .. 2^16 */
  size_t lo = (size_t)1 << lg;
  size_t sz = lo + xs(s) % lo;
  if (sz > 65536) sz = 65536;
  return sz;
}
static void* worker(void* arg) {
  uint64_t s = 0x9e3779b97f4a7c15ull ^ (uintptr_t)arg * 7919;
  void* slot[NSLOTS] = {0};
  unsigned long n = 0;
  for (int i = 0; i < NSLOTS; ++i) { size_t z = rsize(&s); slot[i] = malloc(z); memset(slot[i], 1, z); }
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    unsigned i = xs(&s) % NSLOTS;
    free(slot[i]);
    size_t z = rsize(&s);
    slot[i] = malloc(z);
    memset(slot[i], (int)n, z < 256 ? z : 256);   // touch the head only, like real code
    ((char*)slot[i])[z - 1] = 1;
    ++n;
  }
  for (int i = 0; i < NSLOTS; ++i) free(slot[i]);
  atomic_fetch_add(&ops, n);
  return NULL;
}
static size_t ctl_sz(const char* name) {
  size_t v = 0, l = sizeof v;
  if (mallctl(name, &v, &l, NULL, 0) != 0) return (size_t)-1;
  return v;
}
static long vmhwm_kb(const char* key) {
  FILE* f = fopen("/proc/self/status", "r");
  char line[256]; long v = -1; size_t kl = strlen(key);
  while (f && fgets(line, sizeof line, f)) if (!strncmp(line, key, kl)) v = atol(line + kl + 1);
  if (f) fclose(f);
  return v;
}
static void print_ctl(const char* when) {
  if (!mallctl) return;
  uint64_t e = 1; size_t el = sizeof e;
  mallctl("epoch", &e, &el, &e, sizeof e);
  const char* names[] = {"stats.allocated", "stats.active", "stats.resident", "stats.mapped",
                         "stats.metadata", "stats.tcache_bytes", "stats.huge_cached",
                         "stats.chunk_pool.chunks", "stats.chunk_pool.dirty", "stats.retained"};
  printf("  [%s]", when);
  for (unsigned i = 0; i < sizeof names / sizeof *names; ++i) {
    size_t v = ctl_sz(names[i]);
    if (v == (size_t)-1) continue;
    if (strstr(names[i], "chunks") || strstr(names[i], "dirty")) printf(" %s=%zu", names[i] + 6, v);
    else printf(" %s=%.1fM", names[i] + 6, v / 1048576.0);
  }
  printf("\n");
  unsigned na = 0; size_t l = sizeof na;
  if (mallctl("arenas.narenas", &na, &l, NULL, 0) != 0) return;
  printf("  arenas:");
  for (unsigned i = 0; i < na; ++i) {
    char nm[96];
    size_t pd, pa, res, nt = 0; unsigned nth = 0; size_t ll = sizeof nth;
    snprintf(nm, sizeof nm, "stats.arenas.%u.pdirty", i); pd = ctl_sz(nm);
    if (pd == (size_t)-1) continue;
    snprintf(nm, sizeof nm, "stats.arenas.%u.pactive", i); pa = ctl_sz(nm);
    snprintf(nm, sizeof nm, "stats.arenas.%u.resident", i); res = ctl_sz(nm);
    snprintf(nm, sizeof nm, "stats.arenas.%u.nthreads", i); mallctl(nm, &nth, &ll, NULL, 0);
    snprintf(nm, sizeof nm, "stats.arenas.%u.contention.favourite_switches", i);
    uint64_t fs = 0; size_t fl = sizeof fs; mallctl(nm, &fs, &fl, NULL, 0); nt = fs;
    printf(" %u:{act=%.1fM dirty=%.1fM res=%.1fM thr=%u sw=%zu}", i, pa * 4096 / 1048576.0,
           pd * 4096 / 1048576.0, res / 1048576.0, nth, nt);
  }
  printf("\n");
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "fork";
  double secs = argc > 2 ? atof(argv[2]) : 10;
  double rate = argc > 3 ? atof(argv[3]) : 100;
  if (argc > 4) nthreads = atoi(argv[4]);
  long count = argc > 5 ? atol(argv[5]) : 0;  // stop after this many children (0: run for secs)
  int verbose = getenv("FORKBUSY_VERBOSE") != NULL;
  pthread_t th[64];
  double t0 = now_s();
  for (long i = 0; i < nthreads; ++i) pthread_create(&th[i], NULL, worker, (void*)(i + 1));
  char* targv[] = {"/bin/true", NULL};
  // FORKBUSY_NOPRELOAD=1: exec'd children get no LD_PRELOAD (measure the parent's
  // allocator only, not its start-up in 300 /bin/true processes)
  char** cenv = environ;
  if (getenv("FORKBUSY_NOPRELOAD")) {
    static char* e[256]; int k = 0;
    for (char** p = environ; *p && k < 255; ++p) if (strncmp(*p, "LD_PRELOAD=", 11)) e[k++] = *p;
    e[k] = NULL; cenv = e;
  }
  long nforks = 0, maxrss_sample = 0;
  double period = 1.0 / rate, next = now_s();
  double end = t0 + secs;
  while (count > 0 ? nforks < count : now_s() < end) {
    if (strcmp(mode, "none") != 0) {
      pid_t pid = -1;
      if (!strcmp(mode, "fork")) {
        pid = fork();
        if (pid == 0) {
          char* p[16];
          for (int i = 0; i < 16; ++i) { p[i] = malloc(16 << i % 12); memset(p[i], 2, 16); }
          for (int i = 0; i < 16; ++i) free(p[i]);
          _exit(0);
        }
      } else if (!strcmp(mode, "exec")) {
        pid = fork();
        if (pid == 0) { execve(targv[0], targv, cenv); _exit(127); }
      } else if (!strcmp(mode, "vfork")) {
        pid = vfork();
        if (pid == 0) { execve(targv[0], targv, cenv); _exit(127); }
      } else if (!strcmp(mode, "spawn")) {
        if (posix_spawn(&pid, targv[0], NULL, NULL, targv, cenv) != 0) pid = -1;
      }
      if (pid > 0) { waitpid(pid, NULL, 0); ++nforks; }
    }
    if (verbose && nforks % 100 == 0) {
      long r = vmhwm_kb("VmRSS:");
      printf("t=%.1fs forks=%ld VmRSS=%ld kB\n", now_s() - t0, nforks, r);
      print_ctl("during");
    }
    long r = vmhwm_kb("VmRSS:");
    if (r > maxrss_sample) maxrss_sample = r;
    if (rate <= 0) continue;
    next += period;
    double d = next - now_s();
    if (d > 0) { struct timespec ts = {(time_t)d, (long)((d - (time_t)d) * 1e9)}; nanosleep(&ts, NULL); }
    else next = now_s();  // behind: do not burst
  }
  print_ctl("end, threads busy");
  long rss_end = vmhwm_kb("VmRSS:");
  atomic_store(&stop, 1);
  for (int i = 0; i < nthreads; ++i) pthread_join(th[i], NULL);
  double wall = now_s() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("mode=%s threads=%d forks=%ld wall=%.2fs ops=%.1fM maxrss=%ld kB VmHWM=%ld kB VmRSS_end=%ld kB\n",
         mode, nthreads, nforks, wall, atomic_load(&ops) / 1e6, ru.ru_maxrss, vmhwm_kb("VmHWM:"), rss_end);
  return 0;
}
