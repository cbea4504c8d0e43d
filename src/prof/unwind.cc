// prof/unwind.cc: prof_backtrace over libgcc's _Unwind_Backtrace (unwind.h says why).
// g_own_begin/g_own_end are written once, before any sample can be taken.
#include "prof/unwind.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <unwind.h>

// The ELF header of the object being linked (GNU ld and lld define it).
extern "C" const char __ehdr_start[] __attribute__((visibility("hidden")));

namespace bento {

namespace {
constinit std::uintptr_t g_own_begin = 0, g_own_end = 0;

struct Walk {
  std::uintptr_t* pcs;
  unsigned max;
  unsigned n;
  bool in_bento;  // still in bento's own frames
};

_Unwind_Reason_Code step(struct _Unwind_Context* ctx, void* arg) {
  Walk* w = static_cast<Walk*>(arg);
  const std::uintptr_t ip = _Unwind_GetIP(ctx);
  if (ip == 0) return _URC_END_OF_STACK;
  if (w->in_bento) {
    if (ip >= g_own_begin && ip < g_own_end) return _URC_NO_REASON;
    w->in_bento = false;
  }
  w->pcs[w->n++] = ip;
  return w->n == w->max ? _URC_END_OF_STACK : _URC_NO_REASON;
}
}  // namespace

void prof_find_own_code() noexcept {
  // The ELF header of the object this code was linked into; when that object is the
  // program itself (its program headers are the auxiliary vector's), bento is linked
  // statically and has no text of its own to tell apart.
  const auto* eh = reinterpret_cast<const ElfW(Ehdr)*>(__ehdr_start);
  const auto* ph = reinterpret_cast<const ElfW(Phdr)*>(reinterpret_cast<const char*>(eh) + eh->e_phoff);
  if (reinterpret_cast<unsigned long>(ph) == getauxval(AT_PHDR)) return;
  std::uintptr_t bias = 0;
  bool have_bias = false;
  for (unsigned i = 0; i < eh->e_phnum; ++i) {
    if (ph[i].p_type != PT_LOAD) continue;
    if (!have_bias) {
      bias = reinterpret_cast<std::uintptr_t>(eh) - (ph[i].p_vaddr - ph[i].p_offset);
      have_bias = true;
    }
    if ((ph[i].p_flags & PF_X) != 0) {
      g_own_begin = bias + ph[i].p_vaddr;
      g_own_end = g_own_begin + ph[i].p_memsz;
      return;
    }
  }
}

unsigned prof_backtrace(std::uintptr_t* pcs, unsigned max) noexcept {
  Walk w{pcs, max, 0, true};
  // The first frame is this function's own: skipped by the range test, or below.
  _Unwind_Backtrace(step, &w);
  if (g_own_end == 0 && w.n > 0) {  // static link: drop at least this function's frame
    for (unsigned i = 1; i < w.n; ++i) pcs[i - 1] = pcs[i];
    --w.n;
  }
  return w.n;
}

}  // namespace bento
