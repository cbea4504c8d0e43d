/* conf_probe: prints the options bento took from its sources (linked with libbento, so
 * its bento_conf string is seen too), for test/programs/conf_check.py. */
#include <bento/bento.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

const char* bento_conf = "narenas:3,dirty_decay_ms:777";

int main(void) {
  unsigned narenas = 0;
  bool tcache = false;
  ssize_t decay = 0;
  size_t len = sizeof(narenas);
  bento_mallctl("opt.narenas", &narenas, &len, NULL, 0);
  len = sizeof(tcache);
  bento_mallctl("opt.tcache", &tcache, &len, NULL, 0);
  len = sizeof(decay);
  bento_mallctl("opt.dirty_decay_ms", &decay, &len, NULL, 0);
  unsigned arenas = 0;
  len = sizeof(arenas);
  bento_mallctl("arenas.narenas", &arenas, &len, NULL, 0);
  printf("narenas=%u tcache=%s dirty_decay_ms=%zd arenas=%u\n", narenas, tcache ? "true" : "false",
         decay, arenas);
  return 0;
}
