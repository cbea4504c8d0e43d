// platform/fault.h: memory protection and the SIGSEGV hook of the guarded sampling
// (guard/). One handler for the process, installed once; faults it does not claim go on
// to the handler that was there before (or the default action), so a program's own
// handler and a plain crash behave as without bento.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bento::os {

// Page protection of [p, p + n): read/write, or no access at all.
bool protect(void* p, std::size_t n, bool accessible) noexcept;

struct Fault {
  enum Access : std::uint8_t { kUnknown, kRead, kWrite };
  std::uintptr_t addr;  // the address the program touched
  Access access;        // known on x86-64 (the page-fault error code)
};
// Called in the signal handler for every SIGSEGV: true when it handled the fault (it
// then does not return: it reports and aborts), false to pass it on.
using FaultClaim = bool (*)(const Fault&) noexcept;
// Installs the hook (idempotent); false if sigaction failed.
bool install_fault_hook(FaultClaim claim) noexcept;

}  // namespace bento::os
