// prof/proto_writer.h: the two encoders a pprof profile needs, over fixed buffers:
// ProtoMessage builds one protobuf message (varints, length-delimited fields, packed
// repeated fields) in the caller's buffer; GzipStream wraps what it is given in gzip
// format (RFC 1952, stored deflate blocks: no compression, no zlib) and hands the output
// to a sink. Single-threaded: each writer owns its own.
//
// Stored, not deflated: linking zlib cost every process under bento its mapping and
// relocation (84 KiB of RSS in a program that allocates nothing) for a file written
// only on request; any gzip reader (pprof, gunzip) reads stored blocks, and bentoctl or
// an HTTP layer may compress for transport.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bento {

class ProtoMessage {
 public:
  ProtoMessage(std::uint8_t* buf, std::size_t cap) noexcept : begin_(buf), p_(buf), end_(buf + cap) {}
  void varint_field(unsigned field, std::uint64_t v) noexcept {
    key(field, 0);
    varint(v);
  }
  void bytes_field(unsigned field, const void* data, std::size_t n) noexcept;
  void string_field(unsigned field, std::string_view s) noexcept { bytes_field(field, s.data(), s.size()); }
  void packed_field(unsigned field, const std::uint64_t* v, std::size_t n) noexcept;
  void message_field(unsigned field, const ProtoMessage& m) noexcept { bytes_field(field, m.data(), m.size()); }
  const std::uint8_t* data() const noexcept { return begin_; }
  std::size_t size() const noexcept { return static_cast<std::size_t>(p_ - begin_); }
  bool overflowed() const noexcept { return overflow_; }

 private:
  void key(unsigned field, unsigned wire) noexcept { varint((std::uint64_t{field} << 3) | wire); }
  void varint(std::uint64_t v) noexcept;
  std::uint8_t* begin_;
  std::uint8_t* p_;
  std::uint8_t* end_;
  bool overflow_ = false;
};

// Where compressed bytes go; false stops the stream.
using ByteSink = bool (*)(void* ctx, const void* data, std::size_t n);

class GzipStream {
 public:
  GzipStream(ByteSink sink, void* ctx) noexcept;  // writes the gzip header
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
  bool write(const void* data, std::size_t n) noexcept;   // false after finish()
  bool finish() noexcept;  // the last block and the trailer (CRC-32, length); once
  bool ok() const noexcept { return ok_; }

 private:
  bool emit_block(bool last) noexcept;
  ByteSink sink_;
  void* ctx_;
  bool ok_ = true;
  bool finished_ = false;
  std::uint32_t crc_ = 0xffffffffu;  // running CRC-32 (inverted), of every byte written
  std::uint32_t size_ = 0;           // bytes written, modulo 2^32 (gzip's ISIZE)
  std::size_t fill_ = 0;             // bytes in block_
  unsigned char block_[16384];       // one stored block's data (at most 65,535)
};

}  // namespace bento
