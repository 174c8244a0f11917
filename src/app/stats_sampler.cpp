#include "app/stats_sampler.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/worker.h"

namespace copper::app {
namespace {

namespace asio = boost::asio;

std::uint64_t sum(const std::vector<const core::counter*>& counters) {
  std::uint64_t total = 0;
  for (const auto* c : counters) {
    total += c->value();
  }
  return total;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

stats_sampler::stats_sampler(store::store& store, store::stats_store& stats, stats_sources sources)
    : store_(store), stats_(stats), sources_(std::move(sources)) {}

void stats_sampler::sample_now() {
  std::lock_guard lock(mutex_);
  store::stats_totals totals{sum(sources_.received), sum(sources_.delivered),
                             sum(sources_.rejected), sum(sources_.failed_logins)};
  auto queue = store_.list_queue().size();
  auto sample = tracker_.advance(totals, unix_now(), queue);
  if (auto r = stats_.add_stats_sample(sample); !r) {
    spdlog::warn("event=stats_sample_failed error={}", r.err().message);
  }
}

asio::awaitable<void> stats_sampler::run(asio::thread_pool& workers) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return;
    }
    co_await net::run_blocking(workers, [&] {
      sample_now();
      return true;
    });
  }
}

}  // namespace copper::app
