// Unit tests for prof/proto_writer: GzipStream's output is gzip that zlib (an independent
// reader) inflates back to the input, CRC and length checked, over several blocks.
#define BOOST_TEST_MODULE proto_writer
#include <boost/test/unit_test.hpp>
#include <zlib.h>

#include <string>

#include "prof/proto_writer.h"

using namespace bento;

namespace {
bool append(void* ctx, const void* data, std::size_t n) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), n);
  return true;
}

// zlib's gzip decoder (windowBits 15 + 16); false if the stream is not valid gzip or its
// CRC-32 or length does not match.
bool gunzip(const std::string& in, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[4096];
  int r;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    r = inflate(&z, Z_NO_FLUSH);
    out->append(buf, sizeof(buf) - z.avail_out);
  } while (r == Z_OK);
  const bool whole = r == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  return whole;
}

std::string round_trip(const std::string& data, std::size_t piece) {
  std::string gz;
  GzipStream s(append, &gz);
  for (std::size_t i = 0; i < data.size(); i += piece) BOOST_TEST(s.write(data.data() + i, std::min(piece, data.size() - i)));
  BOOST_TEST(s.finish());
  std::string back;
  BOOST_TEST(gunzip(gz, &back));
  return back;
}
}  // namespace

BOOST_AUTO_TEST_CASE(empty_input_is_a_valid_gzip) { BOOST_TEST(round_trip("", 1).empty()); }

BOOST_AUTO_TEST_CASE(many_blocks_inflate_back_byte_for_byte) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>((i * 2654435761u) >> 24);
  BOOST_TEST(round_trip(data, 7) == data);       // small writes
  BOOST_TEST(round_trip(data, 40000) == data);   // writes longer than a block
}

BOOST_AUTO_TEST_CASE(a_corrupted_byte_fails_the_crc) {
  std::string gz;
  GzipStream s(append, &gz);
  BOOST_TEST(s.write("hello, profile", 14));
  BOOST_TEST(s.finish());
  gz[gz.size() - 9] ^= 1;  // the last data byte (before the 8-byte trailer)
  std::string back;
  BOOST_TEST(!gunzip(gz, &back));
}

BOOST_AUTO_TEST_CASE(nothing_is_written_after_finish) {
  std::string gz;
  GzipStream s(append, &gz);
  BOOST_TEST(s.finish());
  const std::size_t size = gz.size();
  BOOST_TEST(!s.write("x", 1));
  BOOST_TEST(!s.finish());
  BOOST_TEST(gz.size() == size);
}
