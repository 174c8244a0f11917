// The POP3 server's entry point: one coroutine per connection on the `pop3`
// (STLS) and `pop3s` (implicit TLS) listeners.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "access/services.h"

namespace copper::pop3 {

enum class listener_kind { pop3, pop3s };

// What a session needs from the rest of the server; owned by app/.
using services = access::services;

boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              listener_kind kind, services& svc);

}  // namespace copper::pop3
