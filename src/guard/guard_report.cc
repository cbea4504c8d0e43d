// guard/guard_report.cc: the guarded sampling's reports (guard_report.h). No lock: the
// slot is read as guard_slot_at copies it.
#include "guard/guard_report.h"

#include <string_view>

#include "platform/log.h"
#include "platform/os.h"
#include "prof/stack_print.h"

namespace bento {

namespace {

void print_history(const GuardSlotView& s) noexcept {
  log_line("  allocated by thread {} ({} bytes asked for) at:", s.alloc_tid, s.requested);
  print_stack(s.alloc_pcs, s.alloc_depth);
  if (s.state == GuardSlotView::kFreed) {
    log_line("  freed by thread {} at:", s.free_tid);
    print_stack(s.free_pcs, s.free_depth);
  }
}

// free, dallocx, sdallocx, free_sized, operator delete...: the calls that free.
bool is_a_free(const char* call) noexcept {
  const std::string_view c(call);
  return c.find("free") != std::string_view::npos || c.find("dalloc") != std::string_view::npos ||
         c.find("delete") != std::string_view::npos;
}

[[noreturn]] void end() noexcept {
  log_line("  (a guarded sample: guard_sample puts one allocation in N between inaccessible pages)");
  os::abort_process();
}

}  // namespace

bool guard_claim_fault(const os::Fault& f) noexcept {
  GuardSlotView s;
  bool in_guard;
  if (!guard_slot_at(f.addr, &s, &in_guard)) return false;
  const char* access = f.access == os::Fault::kWrite ? "write" : f.access == os::Fault::kRead ? "read" : "read or write";
  const std::uintptr_t end_of = s.object + s.usize;
  if (s.state == GuardSlotView::kUnused) {
    log_line("wild {} at {:#x}, inside the guard pool where no object is", access, f.addr);
  } else if (f.addr >= end_of) {
    log_line("{} past the end of a {}-byte object at {:#x}: {:#x}, {} bytes past its end{}", access, s.usize, s.object,
             f.addr, f.addr - end_of, s.state == GuardSlotView::kFreed ? " (the object is freed)" : "");
  } else if (f.addr < s.object) {
    log_line("{} before the start of a {}-byte object at {:#x}: {:#x}, {} bytes before it{}", access, s.usize, s.object,
             f.addr, s.object - f.addr, s.state == GuardSlotView::kFreed ? " (the object is freed)" : "");
  } else {
    log_line("use after free of a {}-byte object at {:#x}: a {} at offset {}", s.usize, s.object, access,
             f.addr - s.object);
  }
  if (s.state != GuardSlotView::kUnused) print_history(s);
  end();
}

void guard_report_bad_free(const char* call, const void* p, int tid) noexcept {
  std::uintptr_t pcs[kGuardFrames];
  const unsigned depth = prof_backtrace(pcs, kGuardFrames);
  GuardSlotView s{};
  bool in_guard = false;
  guard_slot_at(to_addr(p), &s, &in_guard);
  // The words of the ordinary reports (arena/free_batch.cc), then what the guard knows.
  if (s.state == GuardSlotView::kUnused) {
    log_line("{}({}): invalid pointer: not allocated by bento (inside the guard pool, where no object is), by thread {} at:",
             call, p, tid);
  } else if (to_addr(p) != s.object) {
    log_line("{}({}): invalid pointer: inside an object, not at its start: {} bytes from the {}-byte object at {:#x}, by "
             "thread {} at:",
             call, p, static_cast<std::intptr_t>(to_addr(p) - s.object), s.usize, s.object, tid);
  } else if (s.state == GuardSlotView::kFreed) {
    log_line("{}({}): {}: the {}-byte object was freed before and not allocated since, by thread {} at:", call, p,
             is_a_free(call) ? "double free" : "use after free", s.usize, tid);
  } else {
    log_line("{}({}): a live {}-byte object the guard pool could not free, by thread {} at:", call, p, s.usize, tid);
  }
  print_stack(pcs, depth);
  if (s.state != GuardSlotView::kUnused) print_history(s);
  end();
}

}  // namespace bento
