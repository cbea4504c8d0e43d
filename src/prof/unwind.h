// prof/unwind.h: the call stack of an allocation, for the heap profiler (and the guarded
// sampling of the hardening work). libgcc's DWARF unwinder, linked statically and hidden:
// with glibc's _dl_find_object (2.35+) it finds each frame's unwind table without a lock
// or an allocation, and it stops, not crashes, at a frame without unwind info (JIT code).
// Frame pointers were measured and rejected: Debian builds its libraries without them
// (doc/profiling.md). No state but bento's own code range, set once at start-up.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bento {

inline constexpr unsigned kMaxFrames = 64;

// Return addresses of the caller's stack, innermost first, skipping the frames inside
// bento's own code (see prof_set_own_code). Returns how many were stored.
unsigned prof_backtrace(std::uintptr_t* pcs, unsigned max) noexcept;

// Finds the text of libbento.so, whose frames prof_backtrace leaves out (start-up).
// In a static link bento's code is the program's own: its entry frames then stay in the
// stack (the profile's drop_frames names them for pprof).
void prof_find_own_code() noexcept;

}  // namespace bento
