#include "delivery/pipeline.h"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <ctime>

namespace copper::delivery {
namespace {

namespace asio = boost::asio;

// Awaits store::submit_delivery. It is called on the worker pool, since it
// parses the message (up to the size limit: too long to hold an I/O thread
// and every session on it); the store calls back on its writer thread, and
// the result is posted back to the awaiting coroutine's executor. The work
// guard keeps the io_context running while the commit is in flight.
template <class Token>
auto async_submit(store::store& s, asio::thread_pool& workers, store::delivery_request req,
                  Token&& token) {
  return asio::async_initiate<Token, void(result<void>)>(
      [&s, &workers](auto handler, store::delivery_request req) {
        auto ex = asio::prefer(asio::get_associated_executor(handler),
                               asio::execution::outstanding_work.tracked);
        // shared_ptr: std::function must be copyable, the handler is move-only.
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        asio::post(workers, [&s, h, ex, req = std::move(req)]() mutable {
          s.submit_delivery(std::move(req), [h, ex](result<void> r) {
            asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
          });
        });
      },
      token, std::move(req));
}

}  // namespace

std::string rfc5322_date(std::int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string make_id() {
  static constexpr char alphabet[] = "0123456789BCDFGHJKLMNPQRSTVWXYZ";
  unsigned char raw[12];
  RAND_bytes(raw, sizeof raw);
  std::string out;
  for (unsigned char b : raw) {
    out.push_back(alphabet[b % (sizeof alphabet - 1)]);
  }
  return out;
}

std::string pipeline::trace_headers(const envelope& env) const {
  // RFC 5321 4.4: Return-Path at final delivery, and a Received time stamp.
  std::string out = fmt::format("Return-Path: <{}>\r\n", env.mail_from);
  out += fmt::format("Received: from {} ([{}])\r\n\tby {} (Copper) with {} id {}", env.helo,
                     env.client_ip, hostname_, env.protocol, env.id);
  if (!env.tls.empty()) {
    out += fmt::format("\r\n\t(using {})", env.tls);
  }
  if (env.recipients.size() == 1) {
    // Only for one recipient: more would disclose Bcc recipients to each other.
    out += fmt::format("\r\n\tfor <{}>", env.recipients.front().address.wire());
  }
  out += fmt::format("; {}\r\n", rfc5322_date(std::time(nullptr)));
  return out;
}

result<void> pipeline::check_quota(const directory::resolution& target, std::uint64_t size) {
  for (auto account : target.accounts) {
    // A full mailbox refuses even a message of unknown size: adding 1 byte.
    if (auto r = store_.check_quota(account, std::max<std::uint64_t>(size, 1), 1); !r) {
      return r;
    }
  }
  return {};
}

asio::awaitable<outcome> pipeline::deliver(envelope env, std::string message) {
  message.insert(0, trace_headers(env));
  for (auto& s : stages_) {
    verdict v = co_await s->process(env, message);
    if (v.what == verdict::action::reject) {
      co_return outcome{outcome::kind::rejected, v.reason};
    }
    if (v.what == verdict::action::defer) {
      co_return outcome{outcome::kind::deferred, v.reason};
    }
  }

  store::delivery_request req;
  req.received_at = std::time(nullptr);
  req.sender = env.mail_from;
  req.envid = env.envid;
  req.ret = env.ret;
  for (const auto& r : env.recipients) {
    if (r.remote) {
      req.remote.push_back({r.address.wire(), r.notify, r.orcpt});
      continue;
    }
    for (auto id : r.target.accounts) {
      if (std::find(req.local_accounts.begin(), req.local_accounts.end(), id) ==
          req.local_accounts.end()) {
        req.local_accounts.push_back(id);
      }
    }
    for (const auto& fwd : r.target.forward) {
      req.remote.push_back({fwd, r.notify, "rfc822;" + r.address.wire()});
    }
  }
  req.data = std::move(message);
  std::size_t size = req.data.size();
  std::size_t local = req.local_accounts.size();
  std::size_t remote = req.remote.size();

  result<void> stored =
      co_await async_submit(store_, workers_, std::move(req), asio::use_awaitable);
  if (!stored) {
    spdlog::error("session={} id={} event=store_failed error={}", env.session_id, env.id,
                  stored.err().message);
    co_return outcome{outcome::kind::deferred, stored.err().message};
  }
  spdlog::info("session={} id={} event=stored size={} local={} queued={} from=<{}>", env.session_id,
               env.id, size, local, remote, env.mail_from);
  co_return outcome{outcome::kind::stored, {}, local};
}

}  // namespace copper::delivery
