#include "net/compress.h"

namespace copper::net {
namespace {

// RFC 4978 4 leaves the compression rate to the sender. A 4 KiB window and
// memLevel 5 keep the deflater near 32 KiB per connection
// ((1 << (12 + 2)) + (1 << (5 + 9)), zlib's zconf.h formula) while still
// compressing IMAP responses well. The inflater must accept any window the
// client uses, so it gets the full 32 KiB (RFC 1951).
constexpr int deflate_window_bits = 12;
constexpr int deflate_mem_level = 5;
constexpr int inflate_window_bits = 15;
constexpr std::size_t output_chunk = std::size_t{16} * 1024;

}  // namespace

std::unique_ptr<deflate_layer> deflate_layer::create() {
  std::unique_ptr<deflate_layer> z(new deflate_layer());
  // Negative window bits: raw DEFLATE, no zlib header (RFC 4978 3).
  if (deflateInit2(&z->deflater_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -deflate_window_bits,
                   deflate_mem_level, Z_DEFAULT_STRATEGY) != Z_OK) {
    return nullptr;
  }
  z->deflater_ready_ = true;
  if (inflateInit2(&z->inflater_, -inflate_window_bits) != Z_OK) {
    return nullptr;
  }
  z->inflater_ready_ = true;
  return z;
}

deflate_layer::~deflate_layer() {
  if (deflater_ready_) {
    deflateEnd(&deflater_);
  }
  if (inflater_ready_) {
    inflateEnd(&inflater_);
  }
}

std::string deflate_layer::compress(std::string_view plain) {
  std::string out;
  deflater_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  deflater_.avail_in = static_cast<uInt>(plain.size());
  do {
    std::size_t old = out.size();
    out.resize(old + output_chunk);
    deflater_.next_out = reinterpret_cast<Bytef*>(out.data() + old);
    deflater_.avail_out = static_cast<uInt>(output_chunk);
    deflate(&deflater_, Z_SYNC_FLUSH);  // cannot fail with a valid stream and room to write
    out.resize(old + output_chunk - deflater_.avail_out);
  } while (deflater_.avail_out == 0 || deflater_.avail_in > 0);
  return out;
}

void deflate_layer::feed(std::string_view compressed) {
  if (input_pos_ == input_.size()) {
    input_.clear();
    input_pos_ = 0;
  }
  input_.append(compressed);
}

deflate_layer::inflated deflate_layer::inflate(char* out, std::size_t capacity) {
  if (input_pos_ == input_.size() || capacity == 0) {
    return {};
  }
  inflater_.next_in = reinterpret_cast<Bytef*>(input_.data() + input_pos_);
  inflater_.avail_in = static_cast<uInt>(input_.size() - input_pos_);
  inflater_.next_out = reinterpret_cast<Bytef*>(out);
  inflater_.avail_out = static_cast<uInt>(capacity);
  int rc = ::inflate(&inflater_, Z_SYNC_FLUSH);
  input_pos_ = input_.size() - inflater_.avail_in;
  if (input_pos_ == input_.size()) {
    input_.clear();
    input_pos_ = 0;
  }
  std::size_t produced = capacity - inflater_.avail_out;
  if (rc == Z_OK || (rc == Z_BUF_ERROR && produced == 0 && input_pos_ == 0)) {
    return {produced, false};
  }
  // Z_STREAM_END: the client ended its DEFLATE stream, after which nothing
  // can follow on this connection; anything else is corrupt input.
  return {produced, true};
}

}  // namespace copper::net
