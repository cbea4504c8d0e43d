// daemon/daemon.h: the stats daemon, an opt-in thread in the host process (daemon:true)
// that serves the mallctl namespace on <dir>/<pid>.sock and purges dirty pages in the
// background once their decay time is up, also while the program is idle
// (background_purge:true runs it without the socket). See doc/daemon.md.
#pragma once

namespace bento {

// The directory the socket goes in: opt.daemon_dir, else $XDG_RUNTIME_DIR/bento, else
// /tmp/bento-<uid>. Writes a NUL-terminated path; false if it does not fit.
bool daemon_socket_dir(char* out, unsigned cap) noexcept;

// Starts the thread if the options ask for it and it is not running. Called once bento is
// initialised, from the library constructor in override/api.cc (never from inside a malloc
// call: the unit tests, which link the layers without override/, run without it).
void daemon_start() noexcept;

}  // namespace bento
