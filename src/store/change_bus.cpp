// The in-process change bus declared in store/mailbox_store.h.
#include <spdlog/spdlog.h>

#include <exception>
#include <utility>
#include <vector>

#include "store/mailbox_store.h"

namespace copper::store {
namespace {

// What the bus keeps in place of a subscriber's callback. publish() calls
// callbacks outside the bus lock (a callback may unsubscribe, or subscribe),
// so a call can still be under way when a subscription is destroyed on
// another thread; `gate` makes destruction wait for it, and `active` stops
// calls that were already copied out of the list. The mutex is recursive so
// that a callback may destroy its own subscription. (Two threads publishing
// at once, each in a callback that destroys the other's subscription, would
// wait for each other; the store publishes from its one writer thread only.)
struct gate {
  std::recursive_mutex mu;
  bool active = true;
};

struct gated_callback {
  std::shared_ptr<gate> g;
  change_bus::callback cb;

  void operator()(mailbox_id mailbox) const {
    std::lock_guard lock(g->mu);
    if (g->active) {
      cb(mailbox);
    }
  }
};

}  // namespace

change_bus::subscription::~subscription() {
  std::shared_ptr<gate> g;
  {
    std::lock_guard lock(bus_->mu_);
    auto it = bus_->subscribers_.find(id_);
    if (it == bus_->subscribers_.end()) {
      return;
    }
    if (const auto* gated = it->second.cb.target<gated_callback>()) {
      g = gated->g;
    }
    bus_->subscribers_.erase(it);
  }
  if (g) {
    // After this, the callback is neither running (on another thread) nor
    // going to run: its owner may go away.
    std::lock_guard lock(g->mu);
    g->active = false;
  }
}

std::unique_ptr<change_bus::subscription> change_bus::subscribe(account_id account, callback cb) {
  std::lock_guard lock(mu_);
  std::uint64_t id = ++next_;
  subscribers_.emplace(id, entry{account, gated_callback{std::make_shared<gate>(), std::move(cb)}});
  return std::make_unique<subscription>(this, id);
}

void change_bus::publish(account_id account, mailbox_id mailbox) {
  std::vector<callback> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, e] : subscribers_) {
      if (e.account == account) {
        targets.push_back(e.cb);
      }
    }
  }
  for (const auto& cb : targets) {
    try {
      cb(mailbox);
    } catch (const std::exception& e) {
      // The publisher is the store's writer thread, with completions (an
      // SMTP 250, an APPEND OK) still to run after this: contain the fault.
      spdlog::error("event=change_callback_failed account={} mailbox={} error={}", account, mailbox,
                    e.what());
    }
  }
}

}  // namespace copper::store
