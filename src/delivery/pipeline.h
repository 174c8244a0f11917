// The one delivery pipeline of ARCHITECTURE.md: every incoming message, from
// whatever protocol, goes receive -> stages (mail authentication, spam,
// Sieve, encryption: later issues) -> store. The SMTP engine hands a message
// here and never knows which stages run.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/address.h"
#include "directory/directory.h"
#include "store/store.h"

namespace copper::delivery {

struct recipient {
  mail_address address;
  std::string notify;            // RFC 3461
  std::string orcpt;             // RFC 3461
  directory::resolution target;  // local accounts and/or remote forward targets
  bool remote = false;           // not a local domain: relay (authenticated only)
};

struct envelope {
  std::string id;  // queue id, shown in the 250 reply and in logs
  std::string session_id;
  std::string helo;
  std::string client_ip;
  std::string protocol;  // RFC 3848 / RFC 6531 "with" keyword: ESMTP, ESMTPSA, UTF8SMTPS...
  std::string tls;       // cipher description, empty without TLS
  std::string auth_user;
  std::string mail_from;  // wire form; empty for the null reverse-path
  std::vector<recipient> recipients;
  std::string envid;  // RFC 3461
  std::string ret;    // RFC 3461
};

struct verdict {
  enum class action { accept, reject, defer };
  action what = action::accept;
  std::string reason;
};

// A pipeline stage may rewrite the message (add headers) or refuse it.
class stage {
 public:
  virtual ~stage() = default;
  virtual boost::asio::awaitable<verdict> process(envelope& env, std::string& message) = 0;
};

struct outcome {
  enum class kind { stored, rejected, deferred };
  kind result = kind::stored;
  std::string reason;
  std::size_t mailboxes = 0;  // stored: the local mailboxes it went into
};

class pipeline {
 public:
  // `workers` runs the store's submission, which parses the message.
  pipeline(store::store& store, std::string hostname, boost::asio::thread_pool& workers)
      : store_(store), hostname_(std::move(hostname)), workers_(workers) {}

  void add_stage(std::unique_ptr<stage> s) { stages_.push_back(std::move(s)); }

  // Whether the local mailboxes of a recipient can take `size` more bytes
  // (0 when the size is not known yet: then only a full mailbox is refused).
  // Blocking (a store read): call it on the worker pool.
  result<void> check_quota(const directory::resolution& target, std::uint64_t size);

  // Resolves once the message is durable (or refused): only then may the
  // protocol say 250.
  boost::asio::awaitable<outcome> deliver(envelope env, std::string message);

 private:
  std::string trace_headers(const envelope& env) const;

  store::store& store_;
  std::string hostname_;
  boost::asio::thread_pool& workers_;
  std::vector<std::unique_ptr<stage>> stages_;
};

// RFC 5322 3.3 date-time of `unix_seconds` in UTC.
std::string rfc5322_date(std::int64_t unix_seconds);

// A random identifier for queue entries and sessions (base32, 12 characters).
std::string make_id();

}  // namespace copper::delivery
