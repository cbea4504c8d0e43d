// prof/stack_print.h: a call stack on stderr, one "bento:     #i 0x... name+off (file+off)"
// line a frame, named with dladdr. For the messages that end a process or close it
// (prof_leak, the guarded sampling's reports): no allocation, no lock of bento's.
#pragma once
#include <cstdint>

namespace bento {

// pcs: return addresses, innermost first (prof_backtrace).
void print_stack(const std::uintptr_t* pcs, unsigned n) noexcept;

}  // namespace bento
