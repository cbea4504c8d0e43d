// prof/exit_report.h: what the heap profiler does at exit: opt.prof_final writes a
// profile of the live set, opt.prof_leak prints the call sites that still hold sampled
// memory, largest first, named with dladdr (the dynamic symbol table: exported functions
// of shared objects, and a program's own when it is linked with -rdynamic; otherwise the
// object and offset, for addr2line). Called by the library destructor.
#pragma once

namespace bento {

void prof_at_exit() noexcept;

}  // namespace bento
