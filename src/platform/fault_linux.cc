// platform/fault_linux.cc: mprotect and the chained SIGSEGV handler (fault.h). The
// previous action is saved once, when the hook is installed, and restored for a fault
// the hook does not claim: returning from the handler re-runs the faulting instruction,
// which then meets that action.
#include "platform/fault.h"

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <atomic>

namespace bento::os {

namespace {
constinit std::atomic<FaultClaim> g_claim{nullptr};
struct sigaction g_previous;

void pass_on(int sig, siginfo_t* info, void* context) noexcept {
  if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(sig, info, context);
    return;
  }
  if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN && g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(sig);
    return;
  }
  // The default action: put it back and let the instruction fault again.
  ::sigaction(SIGSEGV, &g_previous, nullptr);
}

void on_segv(int sig, siginfo_t* info, void* context) noexcept {
  Fault f{reinterpret_cast<std::uintptr_t>(info->si_addr), Fault::kUnknown};
#if defined(__x86_64__)
  // Bit 1 of the page-fault error code: the access was a write.
  f.access = (static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_ERR] & 2) != 0 ? Fault::kWrite : Fault::kRead;
#endif
  const FaultClaim claim = g_claim.load(std::memory_order_acquire);
  if (claim != nullptr && info->si_code == SEGV_ACCERR && claim(f)) return;
  pass_on(sig, info, context);
}
}  // namespace

bool protect(void* p, std::size_t n, bool accessible) noexcept {
  return ::mprotect(p, n, accessible ? PROT_READ | PROT_WRITE : PROT_NONE) == 0;
}

bool install_fault_hook(FaultClaim claim) noexcept {
  FaultClaim expected = nullptr;
  if (!g_claim.compare_exchange_strong(expected, claim, std::memory_order_acq_rel)) return true;
  struct sigaction sa {};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  return ::sigaction(SIGSEGV, &sa, &g_previous) == 0;
}

}  // namespace bento::os
