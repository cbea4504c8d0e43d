// prof/proto_writer.cc: ProtoMessage and GzipStream (proto_writer.h). No state beyond
// the objects'; the CRC table is built at compile time.
#include "prof/proto_writer.h"

#include <cstring>

namespace bento {

void ProtoMessage::varint(std::uint64_t v) noexcept {
  do {
    if (p_ == end_) {
      overflow_ = true;
      return;
    }
    const auto byte = static_cast<std::uint8_t>(v & 0x7f);
    v >>= 7;
    *p_++ = v != 0 ? static_cast<std::uint8_t>(byte | 0x80) : byte;
  } while (v != 0);
}

void ProtoMessage::bytes_field(unsigned field, const void* data, std::size_t n) noexcept {
  key(field, 2);
  varint(n);
  if (static_cast<std::size_t>(end_ - p_) < n) {
    overflow_ = true;
    return;
  }
  std::memcpy(p_, data, n);
  p_ += n;
}

void ProtoMessage::packed_field(unsigned field, const std::uint64_t* v, std::size_t n) noexcept {
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t x = v[i];
    do {
      ++bytes;
      x >>= 7;
    } while (x != 0);
  }
  key(field, 2);
  varint(bytes);
  for (std::size_t i = 0; i < n; ++i) varint(v[i]);
}

namespace {
// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), gzip's check value.
constexpr struct CrcTable {
  std::uint32_t v[256];
  constexpr CrcTable() : v() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      v[i] = c;
    }
  }
} kCrc;

void put_le32(unsigned char* p, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
}  // namespace

GzipStream::GzipStream(ByteSink sink, void* ctx) noexcept : sink_(sink), ctx_(ctx) {
  // ID1 ID2, CM = 8 (deflate), no flags, no time, no extra flags, OS = 255 (unknown).
  static constexpr unsigned char kHeader[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
  ok_ = sink_(ctx_, kHeader, sizeof(kHeader));
}

bool GzipStream::emit_block(bool last) noexcept {
  // A stored block: BFINAL and BTYPE = 00 in a byte of its own, LEN and its complement.
  const auto len = static_cast<std::uint16_t>(fill_);
  const auto nlen = static_cast<std::uint16_t>(~len);
  const unsigned char head[5] = {static_cast<unsigned char>(last ? 1 : 0), static_cast<unsigned char>(len),
                                 static_cast<unsigned char>(len >> 8), static_cast<unsigned char>(nlen),
                                 static_cast<unsigned char>(nlen >> 8)};
  ok_ = sink_(ctx_, head, sizeof(head)) && (fill_ == 0 || sink_(ctx_, block_, fill_));
  fill_ = 0;
  return ok_;
}

bool GzipStream::write(const void* data, std::size_t n) noexcept {
  if (finished_) return false;
  const auto* p = static_cast<const unsigned char*>(data);
  size_ += static_cast<std::uint32_t>(n);
  while (ok_ && n != 0) {
    std::size_t take = sizeof(block_) - fill_;
    if (take > n) take = n;
    for (std::size_t i = 0; i < take; ++i) {
      block_[fill_ + i] = p[i];
      crc_ = kCrc.v[(crc_ ^ p[i]) & 0xff] ^ (crc_ >> 8);
    }
    fill_ += take;
    p += take;
    n -= take;
    if (fill_ == sizeof(block_)) emit_block(false);
  }
  return ok_;
}

bool GzipStream::finish() noexcept {
  if (finished_) return false;
  finished_ = true;
  if (!ok_ || !emit_block(true)) return false;
  unsigned char trailer[8];
  put_le32(trailer, ~crc_);
  put_le32(trailer + 4, size_);
  return ok_ = sink_(ctx_, trailer, sizeof(trailer));
}

}  // namespace bento
