// The SMTP server's entry point: one coroutine per accepted connection on the
// MX (smtp), submission (STARTTLS) and submissions (implicit TLS) listeners.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

#include "auth/failure_limiter.h"
#include "config/config.h"
#include "core/metrics.h"
#include "delivery/pipeline.h"
#include "directory/directory.h"
#include "net/connection_limiter.h"
#include "net/drain.h"
#include "net/tls.h"

namespace copper::smtp {

enum class listener_kind { mx, submission, submissions };

// What the SMTP server counts for /metrics; registered by app/ (the names and
// their meaning are documented where app/metrics.cpp registers them).
struct counters {
  core::counter& received;           // 250 after DATA/BDAT: stored or queued
  core::counter& delivered;          // local mailboxes those messages went into
  core::counter& unknown_recipient;  // RCPT refused: 550 5.1.1
  core::counter& relay_denied;       // RCPT refused: 554 5.7.1 relay
  core::counter& quota;              // refused at DATA/BDAT: mailbox full
  core::counter& policy;             // refused by the delivery pipeline
  core::counter& temporary_failure;  // 451 at DATA/BDAT: could not store
  core::counter& auth_failures;      // failed AUTH
};

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
  counters& counts;
};

boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              listener_kind kind, services& svc);

}  // namespace copper::smtp
