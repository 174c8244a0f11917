// Bounds on concurrent connections, in total and per client address
// (ARCHITECTURE.md "Concurrency"). Shared by every listener.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <map>
#include <mutex>
#include <optional>

namespace copper::net {

class connection_limiter {
 public:
  connection_limiter(unsigned max_total, unsigned max_per_ip)
      : max_total_(max_total), max_per_ip_(max_per_ip) {}

  // Holds one connection slot until destroyed.
  class ticket {
   public:
    ticket(connection_limiter* owner, boost::asio::ip::address addr)
        : owner_(owner), addr_(std::move(addr)) {}
    ticket(ticket&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)), addr_(std::move(other.addr_)) {}
    ticket(const ticket&) = delete;
    ticket& operator=(const ticket&) = delete;
    ticket& operator=(ticket&&) = delete;
    ~ticket();

   private:
    connection_limiter* owner_;
    boost::asio::ip::address addr_;
  };

  std::optional<ticket> try_acquire(const boost::asio::ip::address& addr);
  unsigned active() const;

 private:
  void release(const boost::asio::ip::address& addr);

  unsigned max_total_;
  unsigned max_per_ip_;
  mutable std::mutex mu_;
  unsigned total_ = 0;
  std::map<boost::asio::ip::address, unsigned> per_ip_;
};

}  // namespace copper::net
