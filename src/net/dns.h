// Asynchronous DNS lookups (TXT, MX, A, AAAA, PTR, CNAME) for the DNS check
// of the admin portal and, later, outbound delivery's MX lookups.
//
// Built on c-ares rather than libunbound: c-ares is a small stub resolver made
// to be driven by someone else's event loop (it reports the sockets it wants
// watched, and we watch them with Asio), takes "host:port" servers as the
// [dns] config gives them, and keeps NXDOMAIN, NODATA, SERVFAIL and timeouts
// apart. libunbound would add a validating recursive resolver with its own
// threads; DNSSEC for DANE can bring it in when outbound TLS policy needs it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/dns_parse.h"

namespace copper::net {

struct resolver_options {
  std::vector<std::string> servers;         // "host:port" ([v6]:port); empty: /etc/resolv.conf
  std::chrono::milliseconds timeout{2000};  // per try and server
  unsigned tries = 2;
};

namespace detail {
// A lookup waiting for c-ares' callback; completes its awaiting coroutine.
struct dns_pending {
  virtual ~dns_pending() = default;
  virtual void complete(dns_answer answer) = 0;
};
}  // namespace detail

// One c-ares channel driven on a strand of `executor`. Lookups may be started
// from any thread. Destroy it before its io_context; pending lookups then end
// with dns_status::error.
class resolver {
 public:
  static result<std::unique_ptr<resolver>> create(const boost::asio::any_io_executor& executor,
                                                  const resolver_options& options);
  ~resolver();
  resolver(const resolver&) = delete;
  resolver& operator=(const resolver&) = delete;

  // `name` is read before the lookup starts; TXT records come back with their
  // character-strings joined (RFC 7208 3.3).
  boost::asio::awaitable<dns_result<std::string>> txt(std::string_view name);
  boost::asio::awaitable<dns_result<mx_record>> mx(std::string_view name);
  boost::asio::awaitable<dns_result<boost::asio::ip::address>> a(std::string_view name);
  boost::asio::awaitable<dns_result<boost::asio::ip::address>> aaaa(std::string_view name);
  boost::asio::awaitable<dns_result<std::string>> ptr(const boost::asio::ip::address& address);
  boost::asio::awaitable<dns_result<std::string>> cname(std::string_view name);

  // One query of RR type `type` (ns_t_*), class IN.
  boost::asio::awaitable<dns_answer> query(std::string_view name, int type);

 private:
  struct channel_state;
  struct watch;

  explicit resolver(const boost::asio::any_io_executor& executor);
  void start(std::string name, int type, std::unique_ptr<detail::dns_pending> pending);
  void on_socket_state(int fd, bool readable, bool writable);
  void arm(const std::shared_ptr<watch>& w);
  void reschedule();
  static void on_socket_state_cb(void* self, int fd, int readable, int writable);
  static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  std::map<int, std::shared_ptr<watch>> watches_;
  std::unique_ptr<channel_state> channel_;  // last: destroying it reports to the members above
};

}  // namespace copper::net
