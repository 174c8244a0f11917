// Admin portal sessions: a random 256-bit token in the copper_session
// cookie, of which the store keeps only the SHA-256, with a CSRF token,
// an idle timeout and an absolute lifetime. Blocking (store): call it off
// the I/O threads.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/store.h"

namespace copper::admin {

struct session_limits {
  std::chrono::seconds idle{30 * 60};
  std::chrono::seconds lifetime{12 * 3600};
};

struct new_session {
  std::string token;  // goes to the client only, never stored
  std::string token_sha256;
  std::string csrf_token;
};

struct active_session {
  store::web_session row;
  store::account_record account;
};

class sessions {
 public:
  sessions(store::store& store, session_limits limits) : store_(store), limits_(limits) {}

  result<new_session> create(store::account_id account);
  // The live session a token names: nullopt if unknown, expired (and then
  // removed) or its account is gone or disabled.
  std::optional<active_session> find(std::string_view token);
  void end(std::string_view token_sha256);

 private:
  store::store& store_;
  session_limits limits_;
};

// Lower-case hex of SHA-256(data).
std::string sha256_hex(std::string_view data);
// Constant-time equality (CSRF tokens).
bool same_secret(std::string_view a, std::string_view b);

}  // namespace copper::admin
