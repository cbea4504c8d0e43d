// prof/elf_symbols.cc: the ELF symbol-table reader (elf_symbols.h).
#include "prof/elf_symbols.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "platform/os.h"

namespace bento {

namespace {
// Whether [off, off + len) lies inside a file of `size` bytes.
bool inside(std::size_t size, std::uint64_t off, std::uint64_t len) noexcept {
  return off <= size && len <= size - off;
}

// Whether the GNU build ID of the file's note sections is `hex` (lower-case hex of its
// first 20 bytes, as prof/mappings.h writes it).
bool build_id_is(const unsigned char* file, std::size_t size, const Elf64_Shdr* sh, unsigned nsh,
                 const char* hex) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned i = 0; i < nsh; ++i) {
    if (sh[i].sh_type != SHT_NOTE || !inside(size, sh[i].sh_offset, sh[i].sh_size)) continue;
    const unsigned char* p = file + sh[i].sh_offset;
    const unsigned char* end = p + sh[i].sh_size;
    while (end - p >= static_cast<std::ptrdiff_t>(sizeof(Elf64_Nhdr))) {
      Elf64_Nhdr nh;
      std::memcpy(&nh, p, sizeof(nh));
      const unsigned char* name = p + sizeof(nh);
      const std::size_t name_room = (std::size_t{nh.n_namesz} + 3) & ~std::size_t{3};
      const std::size_t desc_room = (std::size_t{nh.n_descsz} + 3) & ~std::size_t{3};
      if (static_cast<std::size_t>(end - name) < name_room + nh.n_descsz) break;
      const unsigned char* desc = name + name_room;
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        const std::size_t len = nh.n_descsz < 20 ? nh.n_descsz : 20;
        if (std::strlen(hex) != 2 * len) return false;
        for (std::size_t k = 0; k < len; ++k) {
          if (hex[2 * k] != kHex[desc[k] >> 4] || hex[2 * k + 1] != kHex[desc[k] & 15]) return false;
        }
        return true;
      }
      if (static_cast<std::size_t>(end - desc) < desc_room) break;
      p = desc + desc_room;
    }
  }
  return false;
}
}  // namespace

bool ElfSymbols::open(const char* path, const char* build_id) noexcept {
  close();
  if (path == nullptr || path[0] != '/') return false;  // [vdso], [heap], anonymous code
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  void* p = MAP_FAILED;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= static_cast<off_t>(sizeof(Elf64_Ehdr))) {
    p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);
  if (p == MAP_FAILED) return false;
  file_ = static_cast<const unsigned char*>(p);
  size_ = static_cast<std::size_t>(st.st_size);

  Elf64_Ehdr eh;
  std::memcpy(&eh, file_, sizeof(eh));
  const bool elf64 = std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
                     eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shoff % alignof(Elf64_Shdr) == 0;
  if (!elf64 || !inside(size_, eh.e_shoff, std::uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr))) {
    close();
    return false;
  }
  const auto* sh = reinterpret_cast<const Elf64_Shdr*>(file_ + eh.e_shoff);
  if (build_id != nullptr && build_id[0] != '\0' && !build_id_is(file_, size_, sh, eh.e_shnum, build_id)) {
    close();
    return false;
  }
  const Elf64_Shdr* table = nullptr;
  for (unsigned pass = 0; pass < 2 && table == nullptr; ++pass) {  // .symtab first, then .dynsym
    const unsigned want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
    for (unsigned i = 0; i < eh.e_shnum; ++i) {
      if (sh[i].sh_type == want && sh[i].sh_link < eh.e_shnum && sh[i].sh_size != 0) {
        table = &sh[i];
        break;
      }
    }
  }
  if (table == nullptr || table->sh_entsize != sizeof(Elf64_Sym) || !inside(size_, table->sh_offset, table->sh_size) ||
      table->sh_offset % alignof(Elf64_Sym) != 0) {
    close();
    return false;
  }
  const Elf64_Shdr& strings = sh[table->sh_link];
  if (!inside(size_, strings.sh_offset, strings.sh_size)) {
    close();
    return false;
  }
  syms_ = reinterpret_cast<const Elf64_Sym*>(file_ + table->sh_offset);
  nsyms_ = table->sh_size / sizeof(Elf64_Sym);
  strtab_ = reinterpret_cast<const char*>(file_ + strings.sh_offset);
  strsize_ = strings.sh_size;
  auto is_function = [](const Elf64_Sym& s) {
    return ELF64_ST_TYPE(s.st_info) == STT_FUNC && s.st_shndx != SHN_UNDEF && s.st_value != 0;
  };
  std::size_t n = 0;
  for (std::size_t i = 0; i < nsyms_; ++i) n += is_function(syms_[i]) ? 1 : 0;
  ranges_bytes_ = (n > 0 ? n : 1) * sizeof(Range);
  ranges_ = static_cast<Range*>(os::map(ranges_bytes_));
  if (n == 0 || ranges_ == nullptr || nsyms_ > UINT32_MAX) {
    close();
    return false;
  }
  for (std::size_t i = 0; i < nsyms_; ++i) {
    const Elf64_Sym& s = syms_[i];
    if (!is_function(s)) continue;
    const std::uint64_t size = s.st_size != 0 ? s.st_size : 1;
    ranges_[nranges_++] = Range{s.st_value, static_cast<std::uint32_t>(size < UINT32_MAX ? size : UINT32_MAX),
                                static_cast<std::uint32_t>(i)};
  }
  std::sort(ranges_, ranges_ + nranges_, [](const Range& a, const Range& b) { return a.start < b.start; });
  return true;
}

void ElfSymbols::close() noexcept {
  if (file_ != nullptr) ::munmap(const_cast<unsigned char*>(file_), size_);
  if (ranges_ != nullptr) os::unmap(ranges_, ranges_bytes_);
  ranges_ = nullptr;
  nranges_ = 0;
  ranges_bytes_ = 0;
  file_ = nullptr;
  size_ = 0;
  syms_ = nullptr;
  nsyms_ = 0;
  strtab_ = nullptr;
  strsize_ = 0;
}

const Elf64_Sym* ElfSymbols::find(std::uintptr_t vaddr) const noexcept {
  // The last range starting at or below vaddr, then the ones before it with the same
  // start (aliases) or reaching over it (a nested symbol ends before its parent).
  const Range* begin = ranges_;
  const Range* r = std::upper_bound(begin, begin + nranges_, vaddr,
                                    [](std::uintptr_t a, const Range& x) { return a < x.start; });
  for (int back = 0; r != begin && back < 4; ++back) {
    --r;
    if (vaddr - r->start < r->size) return &syms_[r->sym];
  }
  return nullptr;
}

std::string_view ElfSymbols::name(const Elf64_Sym& s) const noexcept {
  if (s.st_name >= strsize_) return {};
  const char* n = strtab_ + s.st_name;
  const void* end = std::memchr(n, '\0', strsize_ - s.st_name);
  return end == nullptr ? std::string_view() : std::string_view(n, static_cast<const char*>(end) - n);
}

}  // namespace bento
