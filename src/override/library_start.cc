// override/library_start.cc: what runs when bento is loaded or, statically linked, when
// the program starts: start-up, then the helper thread (background purging, and the
// daemon's socket when asked for), outside any malloc call; and at exit, the report.
//
// A static link pulls an object file out of libbento.a only for a symbol the program
// needs, and a constructor alone is no such symbol. So every file of override/ that a
// program links for its symbols (malloc_override.cc, api.cc) refers to bento_start here:
// whichever of them the link takes, this file comes with it. No state of its own.
#include "override/library_start.h"

#include "daemon/daemon.h"
#include "config/options.h"
#include "frontend/init.h"
#include "prof/exit_report.h"
#include "stats/report.h"

extern "C" __attribute__((constructor)) void bento_start() noexcept {
  if (bento::global_init()) bento::daemon_start();
}

// After the program's atexit handlers and static destructors (the loader's order).
extern "C" __attribute__((destructor)) void bento_finish() noexcept {
  if (!bento::global_ready()) return;
  if (bento::options().stats_print) bento::stats_print_at_exit();
  bento::prof_at_exit();
}
