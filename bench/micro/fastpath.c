/* fastpath: the malloc/free fast path, for instruction counts under callgrind.
 *
 *   fastpath pair  SIZE ROUNDS   free(malloc(SIZE)), ROUNDS times
 *   fastpath batch SIZE ROUNDS   1000 mallocs then 1000 frees, ROUNDS times
 *   fastpath empty SIZE ROUNDS   the pair loop without the calls (loop cost)
 *
 * Run it twice with different ROUNDS and subtract, so start-up cancels out; subtract the
 * empty loop too (bench/run does both). The compiler can optimize away free(malloc(1)),
 * so pointers pass through a volatile sink. Not a timing benchmark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void* volatile sink;

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: fastpath pair|batch|empty SIZE ROUNDS\n");
    return 2;
  }
  const char* mode = argv[1];
  const size_t size = strtoul(argv[2], NULL, 10);
  const long rounds = strtol(argv[3], NULL, 10);
  static void* batch[1000];
  static char dummy[64];
  /* Warm up: the first calls set up the thread and fill the cache. */
  for (int i = 0; i < 1000; ++i) batch[i] = malloc(size);
  for (int i = 0; i < 1000; ++i) free(batch[i]);
  if (strcmp(mode, "pair") == 0) {
    for (long i = 0; i < rounds; ++i) {
      sink = malloc(size);
      free(sink);
    }
  } else if (strcmp(mode, "empty") == 0) {
    for (long i = 0; i < rounds; ++i) {
      sink = dummy;
      (void)sink;
    }
  } else if (strcmp(mode, "batch") == 0) {
    for (long r = 0; r < rounds; ++r) {
      for (int i = 0; i < 1000; ++i) batch[i] = sink = malloc(size);
      for (int i = 0; i < 1000; ++i) free(batch[i]);
    }
  } else {
    fprintf(stderr, "fastpath: unknown mode '%s'\n", mode);
    return 2;
  }
  return 0;
}
