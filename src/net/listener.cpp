#include "net/listener.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>

namespace copper::net {

result<asio::ip::tcp::endpoint> parse_endpoint(std::string_view host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos) {
    return make_error(fmt::format("'{}' is not host:port", host_port));
  }
  std::string_view host = host_port.substr(0, colon);
  std::string_view port_text = host_port.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return make_error(fmt::format("bad port in '{}'", host_port));
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") {
    host = "127.0.0.1";
  }
  if (host.empty() || host == "*") {
    host = "::";
  }
  boost::system::error_code addr_ec;
  auto addr = asio::ip::make_address(host, addr_ec);
  if (addr_ec) {
    return make_error(fmt::format("'{}' is not an IP address", host));
  }
  return asio::ip::tcp::endpoint(addr, static_cast<unsigned short>(port));
}

void log_coroutine_exception(const std::exception_ptr& e, std::string_view what) {
  if (!e) {
    return;
  }
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("event=coroutine_exception where={} error={}", what, ex.what());
  }
}

result<asio::ip::tcp::endpoint> listener_set::add(std::string_view host_port, std::string protocol,
                                                  handler on_connection) {
  auto ep = parse_endpoint(host_port);
  if (!ep) {
    return ep.err();
  }
  asio::ip::tcp::acceptor acceptor(io_);
  boost::system::error_code ec;
  acceptor.open(ep->protocol(), ec);
  if (!ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec && ep->address().is_v6()) {
    acceptor.set_option(asio::ip::v6_only(ep->address() != asio::ip::address_v6::any()), ec);
  }
  if (!ec) {
    acceptor.bind(*ep, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return make_error("cannot listen on " + std::string(host_port) + " for " + protocol + ": " +
                      ec.message());
  }
  auto bound = acceptor.local_endpoint();
  entries_.push_back(std::make_unique<entry>(
      entry{std::move(acceptor), std::move(protocol), std::move(on_connection)}));
  return bound;
}

void listener_set::start() {
  for (auto& e : entries_) {
    asio::co_spawn(io_, accept_loop(*e), [](const std::exception_ptr& ex) {
      log_coroutine_exception(ex, "accept_loop");
    });
  }
}

void listener_set::close() {
  for (auto& e : entries_) {
    boost::system::error_code ignored;
    e->acceptor.close(ignored);
  }
}

asio::awaitable<void> listener_set::accept_loop(entry& e) {
  for (;;) {
    auto [ec, socket] = co_await e.acceptor.async_accept(asio::make_strand(io_),
                                                         asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !e.acceptor.is_open()) {
      co_return;
    }
    if (ec) {
      // EMFILE and friends: log, pause so as not to spin, and keep accepting;
      // the kernel's backlog holds the waiting clients meanwhile.
      spdlog::warn("event=accept_failed protocol={} error={}", e.protocol, ec.message());
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(
        executor, e.on_connection(std::move(socket)),
        [proto = e.protocol](const std::exception_ptr& ex) { log_coroutine_exception(ex, proto); });
  }
}

}  // namespace copper::net
