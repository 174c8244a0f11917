// A raw DEFLATE layer (RFC 1951) for one connection, as IMAP COMPRESS=DEFLATE
// (RFC 4978) needs: output compressed and flushed per batch, input inflated
// into the caller's buffer so the protocol's own limits apply to the inflated
// bytes. Allocated only when a client asks for compression.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace copper::net {

class deflate_layer {
 public:
  // Null when zlib cannot allocate its state.
  static std::unique_ptr<deflate_layer> create();
  ~deflate_layer();
  deflate_layer(const deflate_layer&) = delete;
  deflate_layer& operator=(const deflate_layer&) = delete;

  // `plain` compressed and ended with a sync flush, so the peer can act on
  // everything sent so far (RFC 4978 4).
  std::string compress(std::string_view plain);

  // Compressed bytes from the peer, to be inflated by inflate().
  void feed(std::string_view compressed);

  struct inflated {
    std::size_t size = 0;  // bytes written to the output; 0 = feed more input
    bool error = false;    // corrupt data or the end of the peer's stream
  };
  // Inflates buffered input into [out, out + capacity). Output never exceeds
  // capacity, so a small compressed input cannot expand unseen.
  inflated inflate(char* out, std::size_t capacity);

 private:
  deflate_layer() = default;

  z_stream deflater_{};
  z_stream inflater_{};
  bool deflater_ready_ = false;
  bool inflater_ready_ = false;
  std::string input_;  // compressed bytes not yet inflated
  std::size_t input_pos_ = 0;
};

}  // namespace copper::net
