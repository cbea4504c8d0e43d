// prof/mappings.cc: /proc/self/maps and build IDs (mappings.h).
#include "prof/mappings.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

namespace bento {

namespace {

std::uintptr_t parse_hex(std::string_view& s) noexcept {
  std::uintptr_t v = 0;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) break;
    v = v * 16 + static_cast<unsigned>(d);
  }
  s.remove_prefix(i);
  return v;
}

std::string_view next_field(std::string_view& s) noexcept {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  const std::size_t end = s.find(' ');
  const std::string_view f = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  return f;
}

// One maps line: "start-end perms offset dev inode   path".
bool parse_line(std::string_view line, ProcMapping* m) noexcept {
  m->start = parse_hex(line);
  if (line.empty() || line.front() != '-') return false;
  line.remove_prefix(1);
  m->limit = parse_hex(line);
  const std::string_view perms = next_field(line);
  if (perms.size() < 3 || perms[2] != 'x') return false;
  std::string_view off = next_field(line);
  m->offset = parse_hex(off);
  next_field(line);  // device
  next_field(line);  // inode
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  const std::size_t n = line.size() < sizeof(m->path) - 1 ? line.size() : sizeof(m->path) - 1;
  std::memcpy(m->path, line.data(), n);
  m->path[n] = '\0';
  m->build_id[0] = '\0';
  m->loaded = false;
  m->bias = 0;
  return true;
}

struct IdSearch {
  ProcMapping* maps;
  std::size_t n;
};

void hex_into(char* out, const unsigned char* id, std::size_t len) noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  if (len > 20) len = 20;
  for (std::size_t i = 0; i < len; ++i) {
    out[2 * i] = kHex[id[i] >> 4];
    out[2 * i + 1] = kHex[id[i] & 15];
  }
  out[2 * len] = '\0';
}

// The object's build ID, if a PT_NOTE segment carries one.
bool object_build_id(const dl_phdr_info* info, char* out) noexcept {
  for (unsigned i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
    const unsigned char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const auto* nh = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const unsigned char* name = p + sizeof(*nh);
      const unsigned char* desc = name + ((nh->n_namesz + 3) & ~3u);
      if (desc + nh->n_descsz > end) break;
      if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
        hex_into(out, desc, nh->n_descsz);
        return true;
      }
      p = desc + ((nh->n_descsz + 3) & ~3u);
    }
  }
  return false;
}

int on_object(dl_phdr_info* info, std::size_t, void* arg) {
  auto* s = static_cast<IdSearch*>(arg);
  char id[41];
  const bool has_id = object_build_id(info, id);
  for (unsigned i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
    const std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr, hi = lo + ph.p_memsz;
    for (std::size_t k = 0; k < s->n; ++k) {
      ProcMapping& m = s->maps[k];
      if (m.start >= hi || m.limit <= lo) continue;
      if (has_id) std::memcpy(m.build_id, id, sizeof(id));
      m.loaded = true;
      m.bias = info->dlpi_addr;
    }
  }
  return 0;
}

}  // namespace

std::size_t read_exec_mappings(ProcMapping* out, std::size_t cap) noexcept {
  const int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[8192];
  std::size_t have = 0, n = 0;
  for (;;) {
    const ssize_t r = ::read(fd, buf + have, sizeof(buf) - have);
    if (r <= 0) break;
    have += static_cast<std::size_t>(r);
    std::size_t start = 0;
    for (std::size_t i = 0; i < have; ++i) {
      if (buf[i] != '\n') continue;
      if (n < cap && parse_line(std::string_view(buf + start, i - start), &out[n])) ++n;
      start = i + 1;
    }
    if (start == 0 && have == sizeof(buf)) have = 0;  // a line longer than the buffer: dropped
    std::memmove(buf, buf + start, have - start);
    have -= start;
  }
  ::close(fd);
  IdSearch s{out, n};
  dl_iterate_phdr(on_object, &s);
  return n;  // the kernel lists mappings in address order
}

std::size_t find_mapping(const ProcMapping* m, std::size_t n, std::uintptr_t addr) noexcept {
  std::size_t lo = 0, hi = n;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (addr < m[mid].start) hi = mid;
    else if (addr >= m[mid].limit) lo = mid + 1;
    else return mid;
  }
  return n;
}

}  // namespace bento
