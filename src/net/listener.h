// TCP listeners: bind every configured "host:port" at startup (so a busy port
// is a startup error), then accept connections and hand each one, on its own
// strand, to the protocol's session coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace copper::net {

namespace asio = boost::asio;

result<asio::ip::tcp::endpoint> parse_endpoint(std::string_view host_port);

class listener_set {
 public:
  using handler = std::function<asio::awaitable<void>(asio::ip::tcp::socket)>;

  explicit listener_set(asio::io_context& io) : io_(io) {}

  result<asio::ip::tcp::endpoint> add(std::string_view host_port, std::string protocol,
                                      handler on_connection);
  void start();
  void close();

 private:
  struct entry {
    asio::ip::tcp::acceptor acceptor;
    std::string protocol;
    handler on_connection;
  };
  asio::awaitable<void> accept_loop(entry& e);

  asio::io_context& io_;
  std::vector<std::unique_ptr<entry>> entries_;
};

// Logs an exception that escaped a coroutine instead of ending the process.
void log_coroutine_exception(const std::exception_ptr& e, std::string_view what);

}  // namespace copper::net
