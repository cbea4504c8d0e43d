// platform/os.h: the operating-system contract. Every syscall bento makes goes through
// here; the layers above never include <sys/*> or <unistd.h>.
// Preconditions stated once: addresses and sizes are page-aligned and non-zero unless a
// function says otherwise. Functions return nullptr/false on failure and never allocate.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bento::os {

inline constexpr std::size_t kPageSize = 4096;  // checked against the system at start-up
inline constexpr unsigned kLgPage = 12;

// Memory.
void* map(std::size_t n) noexcept;                          // anonymous, read/write
void* map_aligned(std::size_t n, std::size_t align) noexcept;  // align: power of two >= page
void unmap(void* p, std::size_t n) noexcept;
bool purge(void* p, std::size_t n) noexcept;  // MADV_DONTNEED: pages read back as zero
bool hugepage_off(void* p, std::size_t n) noexcept;  // MADV_NOHUGEPAGE
// Moves the pages of [old, old+old_n) to `dest` (a mapping of new_n bytes that this call
// replaces) without copying. False leaves old as it was, but dest may be gone already
// (the kernel unmaps it before it looks at old) and its addresses another thread's: the
// caller must not unmap dest then. Call it only for an old that remap_in_place did not
// find to be several mappings.
bool remap_to(void* old, std::size_t old_n, void* dest, std::size_t new_n) noexcept;
// Grows or shrinks a mapping without moving it. kNoRoom: the neighbourhood is taken;
// kSeveralMappings: the range is more than one mapping to the kernel (adjacent mappings
// made apart), which no mremap moves or grows whole. Both leave it as it was, and errno
// too (a successful malloc should not leave one behind).
enum class Remap : std::uint8_t { kDone, kNoRoom, kSeveralMappings };
Remap remap_in_place(void* p, std::size_t old_n, std::size_t new_n) noexcept;

// Pages of [p, p + n) resident in memory (mincore); 0 for ranges not mapped.
std::size_t resident_pages(const void* p, std::size_t n) noexcept;

// Process and machine facts.
std::size_t system_page_size() noexcept;
unsigned cpus_available() noexcept;  // CPUs in this process's affinity mask, at least 1
int pid() noexcept;
unsigned uid() noexcept;
const char* getenv(const char* name) noexcept;  // secure_getenv: NULL for setuid programs
std::size_t resident_bytes() noexcept;  // from /proc/self/statm; 0 if unreadable
// The process's name (/proc/self/comm: the main thread's, at most 15 bytes), NUL-ended in
// out; returns its length, 0 if unreadable.
std::size_t process_name(char* out, std::size_t cap) noexcept;

// Time.
std::uint64_t monotonic_ns() noexcept;  // CLOCK_MONOTONIC: fine-grained, for lock waits
std::uint64_t coarse_ns() noexcept;     // CLOCK_MONOTONIC_COARSE: cheap, for decay
// Coarse milliseconds, wrapping every 49 days: only differences (ages) mean anything.
inline std::uint32_t coarse_ms() noexcept { return static_cast<std::uint32_t>(coarse_ns() / 1000000u); }
void sleep_ns(std::uint64_t ns) noexcept;

// Output and failure.
int open_for_write(const char* path) noexcept;  // create/truncate, 0644; -1 on failure
void close_fd(int fd) noexcept;
bool write_all(int fd, const void* buf, std::size_t n) noexcept;
inline void write_stderr(std::string_view s) noexcept { write_all(2, s.data(), s.size()); }
[[noreturn]] void abort_process() noexcept;

// errno, so that layers above need not include <cerrno> for one value.
void set_errno_nomem() noexcept;
void set_errno_inval() noexcept;

}  // namespace bento::os
