// Rate limits on failed logins, per client address and per account, shared by
// every protocol that authenticates (SMTP, IMAP, POP3 and the admin API). A
// sliding window of failures; success does not reset an address's count, so
// a guesser cannot interleave one good login to keep going.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace copper::auth {

class failure_limiter {
 public:
  using clock = std::chrono::steady_clock;

  failure_limiter(unsigned max_per_ip, unsigned max_per_account, std::chrono::seconds window)
      : max_per_ip_(max_per_ip), max_per_account_(max_per_account), window_(window) {}

  // True if another attempt from `ip` for `account` may be checked now.
  bool allowed(const std::string& ip, const std::string& account,
               clock::time_point now = clock::now());
  void record_failure(const std::string& ip, const std::string& account,
                      clock::time_point now = clock::now());

 private:
  using history = std::map<std::string, std::deque<clock::time_point>>;
  unsigned count(history& h, const std::string& key, clock::time_point now);
  void prune(history& h, std::size_t& prune_above, clock::time_point now);

  unsigned max_per_ip_;
  unsigned max_per_account_;
  std::chrono::seconds window_;
  std::mutex mu_;
  history by_ip_;
  history by_account_;
  // Map sizes at which the next prune runs (see prune()).
  std::size_t prune_ip_above_ = 10'000;
  std::size_t prune_account_above_ = 10'000;
};

}  // namespace copper::auth
