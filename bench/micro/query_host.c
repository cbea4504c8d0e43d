/* bench/micro/query_host.c: a process for bench/query_latency.py to query. It maps MB
 * megabytes through malloc, in 256 KiB large objects spread over ARENAS arenas (one
 * thread per arena, each moved there with thread.arena), touches every page so the heap
 * is resident, keeps some small objects of every size band live, then prints "ready"
 * and waits until stdin closes.
 *   query_host MB ARENAS
 * Run it under LD_PRELOAD=libbento with BENTO_CONF=daemon:true. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mallctl(const char*, void*, size_t*, void*, size_t) __attribute__((weak));

enum { kObject = 256 << 10, kPage = 4096 };

struct share {
  unsigned arena;
  size_t objects;
};

static void* fill(void* arg) {
  const struct share* s = arg;
  unsigned a = s->arena;
  if (mallctl != NULL && mallctl("thread.arena", NULL, NULL, &a, sizeof(a)) != 0) {
    fprintf(stderr, "query_host: thread.arena %u refused\n", a);
  }
  for (size_t i = 0; i < s->objects; ++i) {
    char* p = malloc(kObject);
    if (p == NULL) {
      fprintf(stderr, "query_host: out of memory\n");
      exit(1);
    }
    for (size_t off = 0; off < kObject; off += kPage) p[off] = 1;
  }
  for (size_t sz = 16; sz <= 8192; sz *= 2) {  /* small classes in use too */
    for (int i = 0; i < 64; ++i) {
      if (malloc(sz) == NULL) exit(1);
    }
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: query_host MB ARENAS\n");
    return 2;
  }
  const size_t mb = strtoull(argv[1], NULL, 10);
  const unsigned arenas = (unsigned)strtoul(argv[2], NULL, 10);
  if (arenas == 0 || arenas > 64) {
    fprintf(stderr, "query_host: ARENAS must be 1 to 64\n");
    return 2;
  }
  pthread_t t[64];
  struct share s[64];
  const size_t total = mb * (1u << 20) / kObject;
  for (unsigned i = 0; i < arenas; ++i) {
    s[i].arena = i;
    s[i].objects = total / arenas;
    pthread_create(&t[i], NULL, fill, &s[i]);
  }
  for (unsigned i = 0; i < arenas; ++i) pthread_join(t[i], NULL);
  printf("ready\n");
  fflush(stdout);
  char line[64];
  while (fgets(line, sizeof(line), stdin) != NULL) {
  }
  return 0;
}
