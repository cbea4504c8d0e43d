// prof/mappings.h: the process's executable mappings, as a profile names them: address
// range, file offset, path (from /proc/self/maps) and the GNU build ID of the object
// loaded there (from its PT_NOTE segments, found by dl_iterate_phdr), so that pprof can
// symbolize a profile away from the machine, and the object's load bias (run-time address
// less file address, for prof/elf_symbols.h). Filled into the caller's fixed array; no
// lock of bento's is held (dl_iterate_phdr takes the loader's).
#pragma once
#include <cstddef>
#include <cstdint>

namespace bento {

struct ProcMapping {
  std::uintptr_t start, limit, offset;
  char path[256];
  char build_id[41];  // hex, or empty
  bool loaded;        // an object dl_iterate_phdr lists is mapped here: bias is known
  std::uintptr_t bias;
};

// Reads up to cap mappings, sorted by address; returns how many.
std::size_t read_exec_mappings(ProcMapping* out, std::size_t cap) noexcept;
// The index of the mapping holding addr, or cap/n when none does.
std::size_t find_mapping(const ProcMapping* m, std::size_t n, std::uintptr_t addr) noexcept;

}  // namespace bento
