// A connection that starts in plain text and may switch to TLS (STARTTLS), or
// starts in TLS (implicit-TLS listeners). Reads and writes report network
// outcomes as error codes, never exceptions.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "net/compress.h"

namespace copper::net {

namespace asio = boost::asio;

class stream {
 public:
  explicit stream(asio::ip::tcp::socket socket);

  asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
      asio::mutable_buffer buffer);
  asio::awaitable<boost::system::error_code> write_all(asio::const_buffer buffer);

  // Server-side TLS handshake on the current connection.
  asio::awaitable<boost::system::error_code> start_tls(std::shared_ptr<asio::ssl::context> ctx);

  bool is_tls() const { return tls_.has_value(); }

  // Turns on DEFLATE in both directions (IMAP COMPRESS, RFC 4978), above TLS
  // if that is on. `received` are bytes already read past the command that
  // asked for it, which are compressed already. False if zlib has no memory.
  bool start_compression(std::string_view received);
  bool is_compressed() const { return deflate_ != nullptr; }
  // "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384" for Received headers.
  std::string tls_description() const;

  asio::ip::tcp::socket& socket();
  void cancel();  // aborts pending reads and writes
  void close();

 private:
  asio::ip::tcp::socket plain_;
  // The context must outlive the TLS stream that refers to it.
  std::shared_ptr<asio::ssl::context> ctx_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
  // Null until COMPRESS: idle connections do not pay for zlib state.
  std::unique_ptr<deflate_layer> deflate_;
  std::string compressed_in_;  // read buffer for compressed input, sized when compressing

  asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some_below(
      asio::mutable_buffer buffer);
  asio::awaitable<boost::system::error_code> write_all_below(asio::const_buffer buffer);
};

}  // namespace copper::net
