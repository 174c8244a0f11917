#include "auth/failure_limiter.h"

#include <algorithm>

namespace copper::auth {

unsigned failure_limiter::count(history& h, const std::string& key, clock::time_point now) {
  auto it = h.find(key);
  if (it == h.end()) {
    return 0;
  }
  auto& q = it->second;
  while (!q.empty() && q.front() + window_ <= now) {
    q.pop_front();
  }
  if (q.empty()) {
    h.erase(it);
    return 0;
  }
  return static_cast<unsigned>(q.size());
}

// Keys with only expired failures are dropped once the map grows, so that a
// scan from many addresses cannot grow it without bound. The next prune waits
// until the map has doubled: with many live keys, scanning on every failure
// would cost O(keys) each time, under the mutex.
void failure_limiter::prune(history& h, std::size_t& prune_above, clock::time_point now) {
  if (h.size() < prune_above) {
    return;
  }
  for (auto it = h.begin(); it != h.end();) {
    it = !it->second.empty() && it->second.back() + window_ > now ? std::next(it) : h.erase(it);
  }
  prune_above = std::max<std::size_t>(10'000, 2 * h.size());
}

bool failure_limiter::allowed(const std::string& ip, const std::string& account,
                              clock::time_point now) {
  std::lock_guard lock(mu_);
  return count(by_ip_, ip, now) < max_per_ip_ &&
         (account.empty() || count(by_account_, account, now) < max_per_account_);
}

void failure_limiter::record_failure(const std::string& ip, const std::string& account,
                                     clock::time_point now) {
  std::lock_guard lock(mu_);
  // Bounded memory: each deque holds at most the limit's worth of entries.
  auto push = [&](history& h, const std::string& key, unsigned max) {
    auto& q = h[key];
    q.push_back(now);
    while (q.size() > max) {
      q.pop_front();
    }
  };
  prune(by_ip_, prune_ip_above_, now);
  prune(by_account_, prune_account_above_, now);
  push(by_ip_, ip, max_per_ip_);
  if (!account.empty()) {
    push(by_account_, account, max_per_account_);
  }
}

}  // namespace copper::auth
