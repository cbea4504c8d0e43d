/* conf_probe: prints the options bento took from its sources, for
 * test/programs/conf_check.py. Built several ways:
 *   default                 linked with libbento, defines bento_conf (so it is seen)
 *   -DCONF_PROBE_MALLOC_CONF  also defines jemalloc's malloc_conf
 *   -DCONF_PROBE_PRELOAD      no bento at link time (run under LD_PRELOAD): jemalloc's
 *                             mallctl, and only malloc_conf, as a jemalloc client has;
 *                             linked with -rdynamic (mallctl weak), or with libjemalloc
 *                             (-DCONF_PROBE_JEMALLOC: mallctl strong, so libjemalloc is
 *                             needed and the executable exports malloc_conf to it) */
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef CONF_PROBE_PRELOAD
#ifdef CONF_PROBE_JEMALLOC
int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
#define CTL_MISSING 0
#else
int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));
#define CTL_MISSING (&mallctl == NULL)
#endif
#define CTL mallctl
const char* malloc_conf = "narenas:2,dirty_decay_ms:555,background_thread:false,metadata_thp:auto";
#else
#include <bento/bento.h>
#define CTL bento_mallctl
#define CTL_MISSING 0
const char* bento_conf = "narenas:3,dirty_decay_ms:777";
#ifdef CONF_PROBE_MALLOC_CONF
const char* malloc_conf = "narenas:2,dirty_decay_ms:555,tcache:false";
#endif
#endif

int main(void) {
  if (CTL_MISSING) {
    printf("no mallctl: bento is not loaded\n");
    return 1;
  }
  unsigned narenas = 0;
  bool tcache = false;
  ssize_t decay = 0;
  size_t len = sizeof(narenas);
  CTL("opt.narenas", &narenas, &len, NULL, 0);
  len = sizeof(tcache);
  CTL("opt.tcache", &tcache, &len, NULL, 0);
  len = sizeof(decay);
  CTL("opt.dirty_decay_ms", &decay, &len, NULL, 0);
  unsigned arenas = 0;
  len = sizeof(arenas);
  CTL("arenas.narenas", &arenas, &len, NULL, 0);
  /* bento's own node: absent (jemalloc answered) prints "none". */
  bool purge = false;
  len = sizeof(purge);
  const char* background = CTL("opt.background_purge", &purge, &len, NULL, 0) != 0 ? "none"
                           : purge                                                 ? "true"
                                                                                   : "false";
  printf("narenas=%u tcache=%s dirty_decay_ms=%zd arenas=%u background_purge=%s\n", narenas,
         tcache ? "true" : "false", decay, arenas, background);
  return 0;
}
