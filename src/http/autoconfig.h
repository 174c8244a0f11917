// Client autoconfiguration documents: Thunderbird's autoconfig XML
// (config-v1.1.xml) and Microsoft Autodiscover's POX response, built from the
// listeners that are really configured. No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace copper::http {

struct mail_endpoint {
  enum class protocol { imap, pop3, smtp };
  enum class security { implicit_tls, starttls };
  protocol proto;
  security sec;
  std::uint16_t port;
};

struct client_setup {
  std::string hostname;                  // the server name clients connect to
  std::vector<mail_endpoint> endpoints;  // in order of preference
};

// The port of a "host:port" listener entry; 0 if there is none.
std::uint16_t endpoint_port(std::string_view host_port);

// Thunderbird autoconfig (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat).
// `email` (may be empty) names the domain the document is for.
std::string thunderbird_config(const client_setup& setup, std::string_view email);

// Autodiscover POX response (MS-OXDSCLI 2.2.4, the "outlook" response schema)
// for `email`.
std::string autodiscover_response(const client_setup& setup, std::string_view email);

}  // namespace copper::http
