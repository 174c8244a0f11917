// Graceful shutdown (ARCHITECTURE.md "Concurrency"): sessions register here;
// on SIGTERM each is told to finish its current command and close.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace copper::net {

class drain_registry {
 public:
  class membership {
   public:
    membership(drain_registry* owner, std::uint64_t id) : owner_(owner), id_(id) {}
    membership(const membership&) = delete;
    membership& operator=(const membership&) = delete;
    ~membership();

   private:
    drain_registry* owner_;
    std::uint64_t id_;
  };

  // `on_shutdown` may be called from any thread; it must post to its session.
  std::unique_ptr<membership> join(std::function<void()> on_shutdown);
  void begin_shutdown();
  bool shutting_down() const { return shutting_down_.load(); }
  std::size_t active() const;

 private:
  mutable std::mutex mu_;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, std::function<void()>> members_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace copper::net
