// The POP3 server's entry point: one coroutine per connection on the `pop3`
// (STLS) and `pop3s` (implicit TLS) listeners.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include "auth/failure_limiter.h"
#include "config/config.h"
#include "core/metrics.h"
#include "directory/directory.h"
#include "net/connection_limiter.h"
#include "net/drain.h"
#include "net/tls.h"
#include "store/mailbox_store.h"

namespace copper::pop3 {

enum class listener_kind { pop3, pop3s };

// What a session needs from the rest of the server; owned by app/.
struct services {
  const config::config& cfg;
  directory::directory& directory;
  store::mailbox_store& mailboxes;
  net::tls_provider& tls;
  net::connection_limiter& connections;
  net::drain_registry& drain;
  auth::failure_limiter& auth_failures;
  boost::asio::thread_pool& workers;
  core::counter& auth_failure_count;  // for /metrics
};

boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              listener_kind kind, services& svc);

}  // namespace copper::pop3
