// The SMTP server's entry point: one coroutine per accepted connection on the
// MX (smtp), submission (STARTTLS) and submissions (implicit TLS) listeners.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include "auth/failure_limiter.h"
#include "config/config.h"
#include "delivery/pipeline.h"
#include "directory/directory.h"
#include "net/connection_limiter.h"
#include "net/drain.h"
#include "net/tls.h"

namespace copper::smtp {

enum class listener_kind { mx, submission, submissions };

// What a session needs from the rest of the server; owned by app/.
struct services {
  const config::config& cfg;
  directory::directory& directory;
  delivery::pipeline& pipeline;
  net::tls_provider& tls;
  net::connection_limiter& connections;
  net::drain_registry& drain;
  auth::failure_limiter& auth_failures;
  boost::asio::thread_pool& workers;
};

boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              listener_kind kind, services& svc);

}  // namespace copper::smtp
