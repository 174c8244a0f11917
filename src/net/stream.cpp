#include "net/stream.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace copper::net {
namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
}

stream::stream(asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}

asio::ip::tcp::socket& stream::socket() { return tls_ ? tls_->next_layer() : plain_; }

asio::awaitable<std::pair<boost::system::error_code, std::size_t>> stream::read_some(
    asio::mutable_buffer buffer) {
  if (!deflate_) {
    co_return co_await read_some_below(buffer);
  }
  for (;;) {
    auto r = deflate_->inflate(static_cast<char*>(buffer.data()), buffer.size());
    if (r.error) {
      co_return std::pair{boost::system::error_code(asio::error::invalid_argument), std::size_t{0}};
    }
    if (r.size > 0) {
      co_return std::pair{boost::system::error_code(), r.size};
    }
    auto [ec, n] = co_await read_some_below(asio::buffer(compressed_in_));
    if (ec) {
      co_return std::pair{ec, std::size_t{0}};
    }
    deflate_->feed(std::string_view(compressed_in_.data(), n));
  }
}

asio::awaitable<boost::system::error_code> stream::write_all(asio::const_buffer buffer) {
  if (!deflate_) {
    co_return co_await write_all_below(buffer);
  }
  std::string packed =
      deflate_->compress(std::string_view(static_cast<const char*>(buffer.data()), buffer.size()));
  co_return co_await write_all_below(asio::buffer(packed));
}

bool stream::start_compression(std::string_view received) {
  deflate_ = deflate_layer::create();
  if (!deflate_) {
    return false;
  }
  compressed_in_.resize(4096);
  deflate_->feed(received);
  return true;
}

asio::awaitable<std::pair<boost::system::error_code, std::size_t>> stream::read_some_below(
    asio::mutable_buffer buffer) {
  if (tls_) {
    auto [ec, n] = co_await tls_->async_read_some(buffer, tuple_awaitable);
    co_return std::pair{ec, n};
  }
  auto [ec, n] = co_await plain_.async_read_some(buffer, tuple_awaitable);
  co_return std::pair{ec, n};
}

asio::awaitable<boost::system::error_code> stream::write_all_below(asio::const_buffer buffer) {
  if (tls_) {
    auto [ec, n] = co_await asio::async_write(*tls_, buffer, tuple_awaitable);
    co_return ec;
  }
  auto [ec, n] = co_await asio::async_write(plain_, buffer, tuple_awaitable);
  co_return ec;
}

asio::awaitable<boost::system::error_code> stream::start_tls(
    std::shared_ptr<asio::ssl::context> ctx) {
  ctx_ = std::move(ctx);
  tls_.emplace(std::move(plain_), *ctx_);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, tuple_awaitable);
  co_return ec;
}

std::string stream::tls_description() const {
  if (!tls_) {
    return {};
  }
  SSL* ssl = const_cast<asio::ssl::stream<asio::ip::tcp::socket>&>(*tls_).native_handle();
  return std::string(SSL_get_version(ssl)) + " with cipher " +
         SSL_CIPHER_get_name(SSL_get_current_cipher(ssl));
}

void stream::cancel() {
  boost::system::error_code ignored;
  socket().cancel(ignored);
}

void stream::close() {
  boost::system::error_code ignored;
  socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

}  // namespace copper::net
