// The HTTP(S) server's entry point: one coroutine per connection on the
// `http` (plain; redirects to https) and `https` (implicit TLS) listeners.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include "admin/api.h"
#include "config/config.h"
#include "core/metrics.h"
#include "http/request_metrics.h"
#include "http/static_files.h"
#include "net/connection_limiter.h"
#include "net/drain.h"
#include "net/tls.h"
#include "store/store.h"

namespace copper::http {

enum class listener_kind { http, https };

// What a connection needs from the rest of the server; owned by app/.
struct services {
  const config::config& cfg;
  store::store& store;
  net::tls_provider& tls;
  net::connection_limiter& connections;
  net::drain_registry& drain;
  boost::asio::thread_pool& workers;
  const core::metrics_registry& metrics;  // rendered at /metrics
  request_metrics& requests;
  admin::api& admin;              // /admin/api/
  const static_site& admin_site;  // web/'s build; empty: a placeholder page
};

boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              listener_kind kind, services& svc);

}  // namespace copper::http
