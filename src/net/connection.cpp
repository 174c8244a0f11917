#include "net/connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace copper::net {
namespace {
constexpr std::size_t read_chunk = 4096;
// After a timeout, how long the final error reply may take to go out.
constexpr auto goodbye_grace = std::chrono::seconds(10);
}  // namespace

connection::connection(asio::ip::tcp::socket socket, std::chrono::seconds idle_timeout)
    : stream_(std::move(socket)),
      timer_(stream_.socket().get_executor()),
      idle_timeout_(idle_timeout) {
  boost::system::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  client_ip_ = ec ? "unknown" : ep.address().to_string();
  // Output is buffered here and goes out in one write per flush, so Nagle's
  // algorithm only adds delay: a response written in two flushes (FETCH
  // flushes per message, the tagged OK follows) would otherwise wait for the
  // client's delayed ACK, ~40 ms on Linux, before its last part is sent.
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  arm_deadline();
}

connection::~connection() = default;

void connection::start(drain_registry& drain) {
  std::weak_ptr<connection> weak = weak_from_this();
  membership_ = drain.join([weak, ex = stream_.socket().get_executor()] {
    asio::post(ex, [weak] {
      if (auto c = weak.lock()) {
        c->on_shutdown();
      }
    });
  });
  asio::co_spawn(stream_.socket().get_executor(), watchdog(), asio::detached);
}

bool connection::client_on_loopback() const {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(client_ip_, ec);
  if (ec) {
    return false;
  }
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  return addr.is_loopback();
}

void connection::arm_deadline() { deadline_ = std::chrono::steady_clock::now() + idle_timeout_; }

asio::awaitable<bool> connection::flush() {
  if (closed_) {
    co_return false;
  }
  if (outbuf_.empty()) {
    co_return true;
  }
  arm_deadline();
  std::string out = std::move(outbuf_);
  outbuf_.clear();
  if (auto ec = co_await stream_.write_all(asio::buffer(out)); ec) {
    closed_ = true;
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> connection::start_compression() {
  if (!co_await flush()) {
    co_return false;
  }
  // Whatever the client sent after its COMPRESS line is compressed already.
  bool ok = stream_.start_compression(inbuf_);
  inbuf_.clear();
  co_return ok;
}

asio::awaitable<bool> connection::fill() {
  // Replies may wait while input is buffered (pipelining), never while we block.
  if (!co_await flush()) {
    co_return false;
  }
  if (interrupted_) {
    co_return false;  // interrupted while flushing (see interrupt())
  }
  std::size_t old = inbuf_.size();
  inbuf_.resize(old + read_chunk);
  arm_deadline();
  reading_ = true;
  auto [ec, n] = co_await stream_.read_some(asio::buffer(inbuf_.data() + old, read_chunk));
  reading_ = false;
  inbuf_.resize(old + n);
  if (ec) {
    // A cancel for timeout, drain or interrupt still lets the session go on
    // long enough to act or say goodbye.
    bool cancelled =
        ec == asio::error::operation_aborted && (timed_out_ || draining_ || interrupted_);
    closed_ = closed_ || !cancelled;
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> connection::fill_between_commands() {
  if (draining_) {
    co_return false;
  }
  between_commands_ = true;
  bool ok = co_await fill();
  between_commands_ = false;
  co_return ok;
}

asio::awaitable<bool> connection::read_exact(std::uint64_t n, std::string* out) {
  while (n > 0) {
    if (inbuf_.empty() && !co_await fill()) {
      co_return false;
    }
    auto take = static_cast<std::size_t>(std::min<std::uint64_t>(n, inbuf_.size()));
    if (out != nullptr) {
      out->append(inbuf_, 0, take);
    }
    inbuf_.erase(0, take);
    n -= take;
  }
  co_return true;
}

asio::awaitable<void> connection::finish() {
  co_await flush();
  closed_ = true;
  timer_.cancel();
  stream_.close();
  membership_.reset();
}

asio::awaitable<void> connection::watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    timer_.expires_at(deadline_);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));  // re-armed or cancelled
    if (closed_) {
      co_return;
    }
    if (std::chrono::steady_clock::now() < deadline_) {
      continue;
    }
    if (timed_out_) {
      stream_.close();  // the goodbye could not be written either
      co_return;
    }
    timed_out_ = true;
    idle_timeout_ = std::chrono::duration_cast<std::chrono::seconds>(goodbye_grace);
    deadline_ = std::chrono::steady_clock::now() + goodbye_grace;
    stream_.cancel();
  }
}

void connection::interrupt() {
  // Sticky: an interrupt that comes while fill() still flushes replies, before
  // its read starts, must end that read too, or the wake-up is lost.
  interrupted_ = true;
  if (reading_) {
    stream_.cancel();
  }
}

bool connection::take_interrupt() { return std::exchange(interrupted_, false); }

admission admit(asio::ip::tcp::socket socket, connection_limiter& limiter, drain_registry& drain,
                std::chrono::seconds idle_timeout, std::string_view protocol,
                std::string_view refusal) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) {
    return {};
  }
  auto ticket = limiter.try_acquire(remote.address());
  if (!ticket) {
    spdlog::info("event=connection_refused protocol={} client={} reason=limit", protocol,
                 remote.address().to_string());
    if (!refusal.empty()) {
      socket.non_blocking(true, ec);
      socket.write_some(asio::buffer(refusal), ec);
    }
    return {};
  }
  auto conn = std::make_shared<connection>(std::move(socket), idle_timeout);
  conn->start(drain);
  return admission{std::move(ticket), std::move(conn)};
}

void connection::on_shutdown() {
  draining_ = true;
  if (between_commands_) {
    stream_.cancel();
  }
}

}  // namespace copper::net
