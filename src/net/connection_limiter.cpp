#include "net/connection_limiter.h"

namespace copper::net {

connection_limiter::ticket::~ticket() {
  if (owner_ != nullptr) {
    owner_->release(addr_);
  }
}

std::optional<connection_limiter::ticket> connection_limiter::try_acquire(
    const boost::asio::ip::address& addr) {
  std::lock_guard lock(mu_);
  unsigned& n = per_ip_[addr];
  if (total_ >= max_total_ || n >= max_per_ip_) {
    if (n == 0) {
      per_ip_.erase(addr);
    }
    return std::nullopt;
  }
  ++n;
  ++total_;
  return std::optional<ticket>(std::in_place, this, addr);
}

unsigned connection_limiter::active() const {
  std::lock_guard lock(mu_);
  return total_;
}

void connection_limiter::release(const boost::asio::ip::address& addr) {
  std::lock_guard lock(mu_);
  --total_;
  auto it = per_ip_.find(addr);
  if (it != per_ip_.end() && --it->second == 0) {
    per_ip_.erase(it);
  }
}

}  // namespace copper::net
