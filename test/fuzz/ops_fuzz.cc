// ops_fuzz: libFuzzer drives bento's API (the bento_ calls) with a stream of operations and
// checks every result against a shadow model: alignment, usable size, zeroed calloc,
// contents kept by realloc, no object overwritten by another. A broken check traps.
//
// Input: repeated [op][slot][4 size bytes]; op picks malloc, calloc, realloc,
// posix_memalign, aligned_alloc, free, free_sized or free_aligned_sized on slot % 64.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bento/bento.h"

namespace {
struct Slot {
  unsigned char* p;
  std::size_t n;
  std::size_t align;  // non-zero: from an aligned call (freed with free_aligned_sized)
  unsigned char tag;
};

void fill(Slot& s) {
  for (std::size_t i = 0; i < s.n && i < 256; ++i) s.p[i] = static_cast<unsigned char>(s.tag + i);
  if (s.n > 256) s.p[s.n - 1] = s.tag;
}
bool intact(const Slot& s) {
  for (std::size_t i = 0; i < s.n && i < 256; ++i)
    if (s.p[i] != static_cast<unsigned char>(s.tag + i)) return false;
  return s.n <= 256 || s.p[s.n - 1] == s.tag;
}
void check(bool ok) {
  if (!ok) __builtin_trap();
}
void release(Slot& s, unsigned how) {
  if (s.p == nullptr) return;
  check(intact(s));
  if (how % 3 == 1 && s.align == 0) bento_free_sized(s.p, s.n);
  else if (how % 3 == 2 && s.align != 0) bento_free_aligned_sized(s.p, s.align, s.n);
  else bento_free(s.p);
  s = Slot{};
}
std::size_t size_from(const std::uint8_t* b) {
  const std::uint32_t raw = static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
                            static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
  // Mostly small (7/8), sometimes large, rarely huge (1/64, up to 8 MiB).
  const unsigned kind = raw >> 26;  // 0..63
  if (kind == 63) return raw % (8u << 20);
  if (kind >= 56) return raw % (256 * 1024);
  return raw % 1024;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Slot slots[64] = {};
  unsigned char tag = 1;
  for (std::size_t at = 0; at + 6 <= size; at += 6) {
    const unsigned op = data[at] % 8;
    Slot& s = slots[data[at + 1] % 64];
    const std::size_t n = size_from(data + at + 2);
    const std::size_t align = std::size_t{16} << (data[at + 2] % 12);  // 16 B .. 32 KiB
    switch (op) {
      case 0:
      case 1: {  // malloc / calloc
        release(s, data[at + 5]);
        s.p = static_cast<unsigned char*>(op == 0 ? bento_malloc(n) : bento_calloc(1, n));
        check(s.p != nullptr);
        if (op == 1)
          for (std::size_t i = 0; i < n; i += (n > 4096 ? 509 : 1)) check(s.p[i] == 0);
        s.n = n;
        break;
      }
      case 2: {  // realloc: the first min(old, new) bytes survive
        if (s.p == nullptr) continue;
        check(intact(s));
        const std::size_t keep = n < s.n ? n : s.n;
        auto* q = static_cast<unsigned char*>(bento_realloc(s.p, n == 0 ? 1 : n));
        check(q != nullptr);
        for (std::size_t i = 0; i < keep && i < 256; ++i) check(q[i] == static_cast<unsigned char>(s.tag + i));
        s.p = q;
        s.n = n == 0 ? 1 : n;
        s.align = 0;
        break;
      }
      case 3:
      case 4: {  // posix_memalign / aligned_alloc
        release(s, data[at + 5]);
        void* p = nullptr;
        if (op == 3) check(bento_posix_memalign(&p, align, n) == 0);
        else p = bento_aligned_alloc(align, n);
        check(p != nullptr && reinterpret_cast<std::uintptr_t>(p) % align == 0);
        s.p = static_cast<unsigned char*>(p);
        s.n = n;
        s.align = align;
        break;
      }
      default:  // the three frees
        release(s, op);
        continue;
    }
    check(bento_malloc_usable_size(s.p) >= s.n);
    s.tag = tag++;
    fill(s);
  }
  for (Slot& s : slots) release(s, 0);
  return 0;
}
