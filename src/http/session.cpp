#include "http/session.h"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <ctime>

#include "core/log.h"
#include "http/parse.h"

namespace copper::http {
namespace {

namespace bhttp = boost::beast::http;
using clock = std::chrono::steady_clock;

constexpr std::string_view content_security_policy =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'";

std::string_view reason(unsigned status) {
  return bhttp::obsolete_reason(bhttp::int_to_status(status));
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The 4xx for a request the parser refused (RFC 9110 15.5, RFC 6585 5).
unsigned status_for(const boost::system::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return 431;
  }
  if (ec == bhttp::error::body_limit) {
    return 413;
  }
  return 400;
}

std::string random_id() {
  unsigned char bytes[5] = {};
  RAND_bytes(bytes, sizeof bytes);
  return fmt::format("{:02x}", fmt::join(bytes, ""));
}

// RFC 9110 5.6.7: IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[40];
  auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return {buf, n};
}

// The path only: a query string may carry what does not belong in logs.
std::string log_safe_target(std::string_view target) {
  return log::quote(target.substr(0, std::min<std::size_t>(target.find('?'), 200)));
}

}  // namespace

response error_response(unsigned status, std::string_view message) {
  response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = fmt::format("{{\"error\":{}}}\n", json_string(message));
  return r;
}

session::session(std::shared_ptr<net::connection> conn, listener_kind kind, services& svc)
    : kind_(kind), svc_(svc), conn_(std::move(conn)), id_(random_id()) {}

asio::awaitable<session::incoming> session::read_request() {
  const auto& limits = svc_.cfg.http;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_size));
  parser.body_limit(limits.max_body_size);
  parser.eager(true);
  auto& in = conn_->input();
  bool started = !in.empty();
  bool continued = false;
  auto begun = clock::now();
  for (;;) {
    while (!in.empty() && !parser.is_done()) {
      boost::system::error_code ec;
      auto used = parser.put(asio::buffer(in), ec);
      in.erase(0, used);
      if (ec == bhttp::error::need_more) {
        break;
      }
      if (ec) {
        spdlog::info("session={} event=bad_request error=\"{}\"", id_, ec.message());
        co_return incoming{incoming::outcome::error, status_for(ec), {}};
      }
      if (used == 0) {
        break;
      }
    }
    // RFC 9110 10.1.1: a client that sent "Expect: 100-continue" waits for
    // the interim answer before its body (curl, for large uploads).
    if (!continued && parser.is_header_done() && !parser.is_done() &&
        boost::beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      conn_->write("HTTP/1.1 100 Continue\r\n\r\n");
      continued = true;
    }
    if (parser.is_done()) {
      co_return incoming{incoming::outcome::request, 0, parser.release()};
    }
    bool more = false;
    if (!started) {
      // Idle between requests: the keep-alive timeout, and a drain may end it.
      conn_->set_idle_timeout(limits.idle_timeout);
      more = co_await conn_->fill_between_commands();
      started = true;
      begun = clock::now();
    } else {
      // A request under way must arrive whole within request_timeout.
      auto left = std::chrono::duration_cast<std::chrono::seconds>(limits.request_timeout -
                                                                   (clock::now() - begun));
      conn_->set_idle_timeout(std::max(left, std::chrono::seconds(1)));
      more = co_await conn_->fill();
    }
    if (!more) {
      bool partial = !in.empty() || parser.got_some();
      if (conn_->timed_out() && partial) {
        co_return incoming{incoming::outcome::error, 408, {}};
      }
      co_return incoming{incoming::outcome::closed, 0, {}};
    }
  }
}

void session::write(const response& res, bool head, bool keep_alive) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", res.status, reason(res.status));
  out += fmt::format("Date: {}\r\nServer: Copper\r\n", http_date());
  if (res.status != 204 && res.status != 304) {
    out += fmt::format("Content-Type: {}\r\nContent-Length: {}\r\n", res.content_type,
                       res.body.size());
  }
  out += fmt::format("Cache-Control: {}\r\n", res.cache_control);
  out += fmt::format("Content-Security-Policy: {}\r\n", content_security_policy);
  out += "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n";
  out += "X-Frame-Options: DENY\r\n";
  if (kind_ == listener_kind::https) {
    // RFC 6797 7.2: HSTS only over a secure transport.
    out += "Strict-Transport-Security: max-age=31536000\r\n";
  }
  for (const auto& [name, value] : res.headers) {
    out += fmt::format("{}: {}\r\n", name, value);
  }
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head) {
    out += res.body;
  }
  conn_->write(out);
}

asio::awaitable<void> session::run() {
  spdlog::info("session={} event=connect protocol={} client={}", id_,
               kind_ == listener_kind::https ? "https" : "http", conn_->client_ip());
  if (kind_ == listener_kind::https) {
    auto ctx = svc_.tls.current();
    if (!ctx || co_await conn_->stream().start_tls(ctx)) {
      spdlog::info("session={} event=tls_failed", id_);
      co_await conn_->finish();
      co_return;
    }
  }
  const unsigned max_requests = svc_.cfg.http.max_requests_per_connection;
  for (unsigned served = 0; served < max_requests && !conn_->closed(); ++served) {
    auto in = co_await read_request();
    if (in.what == incoming::outcome::closed) {
      break;
    }
    auto started = clock::now();
    if (in.what == incoming::outcome::error) {
      // The rest of the stream cannot be trusted to be in step: answer, close.
      auto res = error_response(in.status, reason(in.status));
      write(res, false, false);
      svc_.requests.observe("none", res.status, 0);
      co_await linger();
      break;
    }
    auto [route_name, res] = co_await dispatch(in.msg);
    // After a 400 the client and we may disagree about the stream: close.
    // The API's 400s are about the JSON, not the framing: those keep it.
    bool framing_ok = res.status != 400 || route_name == "admin_api";
    bool keep =
        in.msg.keep_alive() && served + 1 < max_requests && !conn_->draining() && framing_ok;
    write(res, in.msg.method() == bhttp::verb::head, keep);
    std::chrono::duration<double> took = clock::now() - started;
    svc_.requests.observe(route_name, res.status, took.count());
    spdlog::debug("session={} event=request method={} target={} status={}", id_,
                  std::string_view(in.msg.method_string()),
                  log_safe_target(std::string_view(in.msg.target())), res.status);
    if (!keep) {
      break;
    }
  }
  co_await conn_->finish();
}

// RFC 9112 9.6: closing at once while the client is still sending (a body
// we refused) makes the kernel reset the connection, and the client may lose
// the error response. So: send it, shut down our side, and read (and drop)
// what still comes for a short, bounded while.
asio::awaitable<void> session::linger() {
  if (!co_await conn_->flush()) {
    co_return;
  }
  boost::system::error_code ec;
  conn_->stream().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  constexpr std::size_t max_discard = std::size_t{1024} * 1024;
  auto give_up = clock::now() + std::chrono::seconds(2);
  conn_->set_idle_timeout(std::chrono::seconds(2));
  std::size_t discarded = 0;
  while (discarded < max_discard && clock::now() < give_up && co_await conn_->fill()) {
    discarded += conn_->input().size();
    conn_->input().clear();
  }
}

asio::awaitable<void> serve_connection(asio::ip::tcp::socket socket, listener_kind kind,
                                       services& svc) {
  auto admitted = net::admit(
      std::move(socket), svc.connections, svc.drain, svc.cfg.http.idle_timeout,
      kind == listener_kind::https ? "https" : "http",
      kind == listener_kind::http
          ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          : "");
  if (!admitted.conn) {
    co_return;
  }
  session s(admitted.conn, kind, svc);
  co_await s.run();
}

}  // namespace copper::http
