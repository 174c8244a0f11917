// One client connection as every protocol session sees it: buffered input
// and output over a stream that may switch to TLS, a deadline on every read
// and write enforced by a watchdog, and graceful shutdown: a session waiting
// for its next command is woken when the server drains (ARCHITECTURE.md
// "Concurrency"). The protocol engines (smtp/, imap/, pop3/) build on it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/connection_limiter.h"
#include "net/drain.h"
#include "net/stream.h"

namespace copper::net {

// Shared: the session, the watchdog coroutine and (weakly) the drain
// registry all refer to it; it lives until the last of them is done.
class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(asio::ip::tcp::socket socket, std::chrono::seconds idle_timeout);
  ~connection();

  // Joins the drain registry and starts the watchdog.
  void start(drain_registry& drain);
  // Flushes, closes the socket and stops the watchdog.
  asio::awaitable<void> finish();

  net::stream& stream() { return stream_; }
  const std::string& client_ip() const { return client_ip_; }
  bool client_on_loopback() const;

  // Unread input. Protocol code consumes from the front.
  std::string& input() { return inbuf_; }
  void write(std::string_view bytes) { outbuf_ += bytes; }

  asio::awaitable<bool> flush();
  // Flushes what is pending uncompressed, then compresses both directions
  // (RFC 4978: from right after the reply that accepted COMPRESS).
  asio::awaitable<bool> start_compression();
  // Flushes, then reads more input. False on EOF, error, timeout or drain.
  asio::awaitable<bool> fill();
  // fill() while idle between commands: a drain may interrupt it.
  asio::awaitable<bool> fill_between_commands();
  // Reads exactly n octets, appending them to *out (discarding if null).
  asio::awaitable<bool> read_exact(std::uint64_t n, std::string* out);

  // Makes the pending or the next fill() return false without closing, so
  // that a session waiting for input (IMAP IDLE) can act on an event. Call on
  // its executor. Sticky until take_interrupt().
  void interrupt();
  // True once after interrupt(); clears it.
  bool take_interrupt();

  void set_idle_timeout(std::chrono::seconds t) { idle_timeout_ = t; }
  bool timed_out() const { return timed_out_; }
  bool draining() const { return draining_; }
  bool closed() const { return closed_; }

 private:
  void arm_deadline();
  asio::awaitable<void> watchdog();
  void on_shutdown();

  copper::net::stream stream_;
  asio::steady_timer timer_;
  std::chrono::seconds idle_timeout_;
  std::chrono::steady_clock::time_point deadline_;
  std::string client_ip_;
  std::string inbuf_;
  std::string outbuf_;
  std::unique_ptr<drain_registry::membership> membership_;
  bool closed_ = false;
  bool timed_out_ = false;
  bool draining_ = false;
  bool between_commands_ = false;
  bool reading_ = false;
  bool interrupted_ = false;
};

// A new client let in under the connection limits. The ticket holds its slot
// for as long as the admission lives.
struct admission {
  std::optional<connection_limiter::ticket> ticket;
  std::shared_ptr<connection> conn;  // null when refused
};

// Admits a client, or refuses it when a limit is reached: `refusal` (the
// protocol's "too busy" line; empty on implicit-TLS listeners, where plain
// text would be garbage) is written best effort, then the socket closes.
admission admit(asio::ip::tcp::socket socket, connection_limiter& limiter, drain_registry& drain,
                std::chrono::seconds idle_timeout, std::string_view protocol,
                std::string_view refusal);

}  // namespace copper::net
