// prof/proto_writer.cc: ProtoMessage and GzipStream (proto_writer.h).
#include "prof/proto_writer.h"

#include <cstring>

#include "platform/os.h"

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
// zlib's memory: a mapping with its length in front.
voidpf os_zalloc(voidpf, uInt items, uInt size) {
  const std::size_t n = std::size_t{items} * size + 16;
  auto* p = static_cast<std::size_t*>(os::map(n));
  if (p == nullptr) return Z_NULL;
  p[0] = n;
  return p + 2;
}
void os_zfree(voidpf, voidpf q) {
  if (q == Z_NULL) return;
  auto* p = static_cast<std::size_t*>(q) - 2;
  os::unmap(p, p[0]);
}
}  // namespace

GzipStream::GzipStream(ByteSink sink, void* ctx) noexcept : sink_(sink), ctx_(ctx) {
  z_.zalloc = os_zalloc;
  z_.zfree = os_zfree;
  z_.opaque = Z_NULL;
  // windowBits 15 + 16: a gzip header and trailer, as profile.proto files are stored.
  ok_ = open_ = deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipStream::~GzipStream() {
  if (open_) deflateEnd(&z_);
}

bool GzipStream::pump(int flush) noexcept {
  for (;;) {
    z_.next_out = out_;
    z_.avail_out = sizeof(out_);
    const int r = deflate(&z_, flush);
    if (r == Z_STREAM_ERROR) return ok_ = false;
    const std::size_t produced = sizeof(out_) - z_.avail_out;
    if (produced > 0 && !sink_(ctx_, out_, produced)) return ok_ = false;
    if (flush == Z_FINISH ? r == Z_STREAM_END : z_.avail_out != 0) return true;
  }
}

bool GzipStream::write(const void* data, std::size_t n) noexcept {
  if (!ok_) return false;
  z_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
  z_.avail_in = static_cast<uInt>(n);
  return pump(Z_NO_FLUSH);
}

bool GzipStream::finish() noexcept {
  if (!ok_) return false;
  z_.next_in = Z_NULL;
  z_.avail_in = 0;
  return pump(Z_FINISH);
}

}  // namespace bento
