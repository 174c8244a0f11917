#include "net/drain.h"

namespace copper::net {

drain_registry::membership::~membership() {
  std::lock_guard lock(owner_->mu_);
  owner_->members_.erase(id_);
}

std::unique_ptr<drain_registry::membership> drain_registry::join(
    std::function<void()> on_shutdown) {
  std::lock_guard lock(mu_);
  std::uint64_t id = next_id_++;
  members_.emplace(id, std::move(on_shutdown));
  if (shutting_down_) {
    members_[id]();
  }
  return std::make_unique<membership>(this, id);
}

void drain_registry::begin_shutdown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  for (auto& [id, fn] : members_) {
    fn();
  }
}

std::size_t drain_registry::active() const {
  std::lock_guard lock(mu_);
  return members_.size();
}

}  // namespace copper::net
