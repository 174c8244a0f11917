// The server's metrics (ARCHITECTURE.md: /metrics with the copper_ prefix):
// the registry and every metric in it, registered here in one place and
// handed to the modules that update them.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/metrics.h"
#include "http/request_metrics.h"
#include "net/listener.h"
#include "smtp/server.h"
#include "store/store.h"

namespace copper::app {

class server_metrics {
 public:
  // `store` must outlive this object: the queue gauge reads it at scrape time.
  server_metrics(const config::config& cfg, store::store& store);

  // Wraps a listener's handler to count its connections.
  net::listener_set::handler counted(std::string_view protocol, net::listener_set::handler h);

  core::metrics_registry registry;  // first: everything below refers into it
  smtp::counters smtp_counts;
  core::counter& imap_auth_failures;
  core::counter& pop3_auth_failures;
  core::counter& web_auth_failures;  // admin API logins
  http::request_metrics http_requests;

 private:
  struct connection_counts {
    core::counter& accepted;
    core::gauge& open;
  };
  std::map<std::string, connection_counts, std::less<>> connections_;
};

}  // namespace copper::app
