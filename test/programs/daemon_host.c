/* daemon_host: a process for the daemon tests to look into. It reads commands on stdin
 * and answers on stdout, reading mallctl itself so the test can compare with bentoctl:
 *   alloc N SIZE   allocate N objects of SIZE (kept)     -> ok
 *   free           free them                             -> ok
 *   get NAME       refresh, then read a size_t/uint64_t  -> NAME VALUE
 *   getu NAME      the same for unsigned                 -> NAME VALUE
 *   getl NAME      the same for ssize_t                  -> NAME VALUE
 *   fork           fork a child that idles until killed  -> child PID
 *   busy           start a thread that allocates and frees small, large and huge
 *                  objects in a loop (for rates in bentoctl top) -> ok
 *   idle           stop it                               -> ok
 *   arena N        this (main) thread allocates from arena N from now on -> ok (? if refused)
 *   exit           exit normally                          (socket removed)
 * Run it under LD_PRELOAD=libbento (bentoctl run does that). */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

int mallctl(const char*, void*, size_t*, void*, size_t) __attribute__((weak));

static void refresh(void) {
  uint64_t e = 1;
  mallctl("epoch", NULL, NULL, &e, sizeof(e));
}

static volatile int g_busy;

static void* churn(void* arg) {
  (void)arg;
  static void* objs[256];
  static const size_t sizes[] = {24, 100, 700, 3000, 20000, 100000};
  unsigned n = 0;
  while (__atomic_load_n(&g_busy, __ATOMIC_RELAXED)) {
    for (unsigned i = 0; i < 256; ++i) objs[i] = malloc(sizes[(n + i) % 6]);
    for (unsigned i = 0; i < 256; ++i) free(objs[i]);
    free(malloc(1 << 20));  /* and one huge object a round */
    ++n;
  }
  return NULL;
}

int main(void) {
  if (mallctl == NULL) {
    fprintf(stderr, "daemon_host: run me under libbento\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  void** kept = NULL;
  size_t nkept = 0;
  printf("ready %d\n", (int)getpid());
  char line[512];
  while (fgets(line, sizeof(line), stdin) != NULL) {
    char cmd[32] = {0}, name[256] = {0};
    unsigned long n = 0, size = 0;
    sscanf(line, "%31s", cmd);
    if (strcmp(cmd, "alloc") == 0 && sscanf(line, "%*s %lu %lu", &n, &size) == 2) {
      kept = realloc(kept, (nkept + n) * sizeof(void*));
      for (unsigned long i = 0; i < n; ++i) {
        kept[nkept] = malloc(size);
        memset(kept[nkept++], 1, size);
      }
      printf("ok\n");
    } else if (strcmp(cmd, "free") == 0) {
      for (size_t i = 0; i < nkept; ++i) free(kept[i]);
      nkept = 0;
      printf("ok\n");
    } else if ((strcmp(cmd, "get") == 0 || strcmp(cmd, "getu") == 0 || strcmp(cmd, "getl") == 0) &&
               sscanf(line, "%*s %255s", name) == 1) {
      refresh();
      if (strcmp(cmd, "getu") == 0) {
        unsigned v = 0;
        size_t len = sizeof(v);
        int rc = mallctl(name, &v, &len, NULL, 0);
        printf("%s %u %d\n", name, v, rc);
      } else if (strcmp(cmd, "getl") == 0) {
        ssize_t v = 0;
        size_t len = sizeof(v);
        int rc = mallctl(name, &v, &len, NULL, 0);
        printf("%s %zd %d\n", name, v, rc);
      } else {
        uint64_t v = 0;
        size_t len = sizeof(v);
        int rc = mallctl(name, &v, &len, NULL, 0);
        printf("%s %llu %d\n", name, (unsigned long long)v, rc);
      }
    } else if (strcmp(cmd, "fork") == 0) {
      pid_t child = fork();
      if (child == 0) {
        for (;;) pause();
      }
      printf("child %d\n", (int)child);
    } else if (strcmp(cmd, "busy") == 0 && !g_busy) {
      pthread_t t;
      g_busy = 1;
      pthread_create(&t, NULL, churn, NULL);
      pthread_detach(t);
      printf("ok\n");
    } else if (strcmp(cmd, "arena") == 0 && sscanf(line, "%*s %lu", &n) == 1) {
      unsigned a = (unsigned)n;
      printf("%s\n", mallctl("thread.arena", NULL, NULL, &a, sizeof(a)) == 0 ? "ok" : "?");
    } else if (strcmp(cmd, "idle") == 0) {
      __atomic_store_n(&g_busy, 0, __ATOMIC_RELAXED);
      printf("ok\n");
    } else if (strcmp(cmd, "exit") == 0) {
      exit(0);
    } else {
      printf("?\n");
    }
  }
  return 0;
}
