// TLS server contexts (OpenSSL via Asio): TLS 1.2+ with modern ciphers, a
// self-signed certificate generated in data_dir when none is configured, and
// reload on SIGHUP without dropping connections.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"

namespace copper::net {

struct certificate_paths {
  std::filesystem::path cert;
  std::filesystem::path key;
};

// Creates data_dir/tls/{cert,key}.pem for `hostname` unless they exist.
result<certificate_paths> ensure_self_signed(const std::filesystem::path& data_dir,
                                             const std::string& hostname);

class tls_provider {
 public:
  explicit tls_provider(certificate_paths paths) : paths_(std::move(paths)) {}

  // Loads (or reloads) the certificate; on failure the old context stays.
  result<void> load();

  // The context for a new connection. Shared: connections keep the context
  // they started with alive while a reload installs a new one.
  std::shared_ptr<boost::asio::ssl::context> current() const;

 private:
  certificate_paths paths_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> ctx_;
};

}  // namespace copper::net
