// frontend/allocx.h: jemalloc's non-standard allocation API (mallocx, rallocx, xallocx,
// sallocx, dallocx, sdallocx, nallocx) and its flag bits, so that jemalloc 5 clients run
// on bento unchanged. Exported by override/ (unprefixed and as bento_*).
#pragma once
#include <cstddef>

namespace bento {

// jemalloc 5's flag encoding (jemalloc_macros.h): bits 0..5 lg alignment (0: none), bit 6
// zero, bits 8..19 tcache + 2 (1: none), bits 20.. arena + 1.
inline constexpr int kAllocxLgAlignMask = 0x3f;
inline constexpr int kAllocxZero = 0x40;
inline constexpr int kAllocxTcacheShift = 8;
inline constexpr int kAllocxTcacheMask = 0xfff;
inline constexpr unsigned kAllocxTcacheNone = 1;  // the field's value for MALLOCX_TCACHE_NONE
inline constexpr int kAllocxArenaShift = 20;

void* mallocx_impl(std::size_t size, int flags) noexcept;
void* rallocx_impl(void* p, std::size_t size, int flags) noexcept;
std::size_t xallocx_impl(void* p, std::size_t size, std::size_t extra, int flags) noexcept;
std::size_t sallocx_impl(const void* p, int flags) noexcept;
void dallocx_impl(void* p, int flags) noexcept;
void sdallocx_impl(void* p, std::size_t size, int flags) noexcept;
std::size_t nallocx_impl(std::size_t size, int flags) noexcept;

}  // namespace bento
