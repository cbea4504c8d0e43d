// guard/guard_report.h: the messages of the guarded sampling, each one the last thing
// the process does: what was touched or freed, the object, and the call stacks of its
// allocation and its free, then abort. Written with write(2) from fixed buffers, so
// they work inside the SIGSEGV handler.
#pragma once
#include <cstdint>

#include "guard/guard_pool.h"
#include "platform/fault.h"

namespace bento {

// The fault hook (platform/fault.h): claims a fault inside the pool and reports it.
bool guard_claim_fault(const os::Fault& f) noexcept;

// free, realloc or another `call` of p, a pointer into the pool that is not a live
// object's start (a double free, a pointer inside an object, one no object holds), from
// thread tid.
[[noreturn]] void guard_report_bad_free(const char* call, const void* p, int tid) noexcept;

}  // namespace bento
