// Copper's configuration: the TOML file of ARCHITECTURE.md, validated at load
// time. Every key is documented in etc/copper.toml.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"

namespace copper::config {

struct listen_config {
  std::vector<std::string> smtp;
  std::vector<std::string> submission;
  std::vector<std::string> submissions;
  std::vector<std::string> imap;
  std::vector<std::string> imaps;
  std::vector<std::string> pop3;
  std::vector<std::string> pop3s;
  std::vector<std::string> http;
  std::vector<std::string> https;
};

struct tls_config {
  std::string cert;  // empty: self-signed certificate in data_dir
  std::string key;
};

struct dns_config {
  std::vector<std::string> servers;
};

struct limits_config {
  unsigned max_connections = 1000;
  unsigned max_connections_per_ip = 50;
};

struct smtp_config {
  std::uint64_t max_message_size = 50ull * 1024 * 1024;
  unsigned max_recipients = 100;
  // RFC 5321 4.5.3.1.6 sets 1000 octets as the minimum a server must accept;
  // real mailers exceed it, so the default is more lenient.
  std::size_t max_line_length = 8192;
  unsigned max_errors = 20;
  std::chrono::seconds idle_timeout{300};  // RFC 5321 4.5.3.2.7
};

struct auth_config {
  unsigned max_failures_per_ip = 10;
  unsigned max_failures_per_account = 5;
  std::chrono::seconds failure_window{900};
  // Allow AUTH without TLS for clients on loopback addresses (tests, webmail
  // on the same host). Never for remote clients.
  bool plaintext_on_loopback = false;
};

// The HTTP(S) listeners (http/): bounds on each connection and request.
struct http_config {
  unsigned max_requests_per_connection = 100;                // keep-alive requests, then close
  std::size_t max_header_size = std::size_t{16} * 1024;      // request line and headers: 431 beyond
  std::uint64_t max_body_size = std::uint64_t{1024} * 1024;  // request body: 413 beyond
  std::chrono::seconds request_timeout{30};                  // to receive a request once started
  std::chrono::seconds idle_timeout{60};                     // between keep-alive requests
  // Admin portal sessions (admin/sessions.h): end after this long without a
  // request, and after session_lifetime whatever the activity.
  std::chrono::seconds session_idle_timeout{30 * 60};
  std::chrono::seconds session_lifetime{12 * 3600};
  // The built web apps (make build: build/web); empty = "web" beside the
  // copper executable.
  std::string web_root;
  // /metrics: with a token, only requests with "Authorization: Bearer TOKEN"
  // (Prometheus `authorization: credentials`); without, loopback clients only.
  std::string metrics_token;
};

struct config {
  std::filesystem::path source;  // the file it came from
  std::string hostname;
  std::filesystem::path data_dir = "var";
  std::string log_level = "info";
  listen_config listen;
  tls_config tls;
  dns_config dns;
  limits_config limits;
  smtp_config smtp;
  auth_config auth;
  http_config http;
};

// Reads and validates a config file. Relative paths (data_dir, tls files)
// are resolved against the directory of the file. Errors name the file, the
// key and the line.
result<config> load(const std::filesystem::path& file);

// Parses "50M", "10KB", "1G" or a plain number of bytes.
result<std::uint64_t> parse_size(std::string_view text);

// The path search of ARCHITECTURE.md: --config, else $COPPER_CONFIG, else ./copper.toml.
std::filesystem::path locate(const std::string& from_command_line);

}  // namespace copper::config
