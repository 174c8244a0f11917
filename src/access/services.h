// What a mail access session (IMAP, POP3) needs from the rest of the server,
// and the rules both engines share. One struct for both protocols, owned by
// app/, so that wiring a new service in cannot reach one and miss the other.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "auth/failure_limiter.h"
#include "config/config.h"
#include "core/metrics.h"
#include "directory/directory.h"
#include "net/connection.h"
#include "net/connection_limiter.h"
#include "net/drain.h"
#include "net/tls.h"
#include "store/mailbox_store.h"

namespace copper::access {

struct services {
  const config::config& cfg;
  directory::directory& directory;
  store::mailbox_store& mailboxes;
  net::tls_provider& tls;
  net::connection_limiter& connections;
  net::drain_registry& drain;
  auth::failure_limiter& auth_failures;
  boost::asio::thread_pool& workers;
  core::counter& auth_failure_count;  // for /metrics, one per protocol
};

// A password may cross this connection: it is TLS, or a loopback client
// when the config allows plain text there (RFC 9051 6.2.3, RFC 2595 2.1).
inline bool login_allowed(const services& svc, net::connection& conn) {
  return conn.stream().is_tls() ||
         (svc.cfg.auth.plaintext_on_loopback && conn.client_on_loopback());
}

}  // namespace copper::access
