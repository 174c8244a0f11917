// Feeds the hourly statistics of the admin dashboard (store/stats.h): every
// minute it reads the metrics registry's counters and the queue length and
// adds what changed to the current hour in the store.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <mutex>
#include <vector>

#include "core/metrics.h"
#include "store/stats.h"
#include "store/store.h"

namespace copper::app {

// The counters whose sums make each statistic.
struct stats_sources {
  std::vector<const core::counter*> received;
  // Messages handed to remote MX hosts: empty until outbound delivery counts them.
  std::vector<const core::counter*> delivered;
  std::vector<const core::counter*> rejected;
  std::vector<const core::counter*> failed_logins;
};

class stats_sampler {
 public:
  static constexpr std::chrono::seconds interval{60};

  stats_sampler(store::store& store, store::stats_store& stats, stats_sources sources);

  // Samples every `interval` until the io_context stops; the store work runs
  // on `workers`.
  boost::asio::awaitable<void> run(boost::asio::thread_pool& workers);

  // One sample now (blocking: reads the store). Also called at shutdown so
  // that the last minute is kept.
  void sample_now();

 private:
  store::store& store_;  // the queue's length
  store::stats_store& stats_;
  stats_sources sources_;
  std::mutex mutex_;  // the loop's sample and the shutdown's never overlap
  store::stats_delta_tracker tracker_;
};

}  // namespace copper::app
