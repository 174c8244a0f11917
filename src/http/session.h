// One HTTP/1.1 connection (RFC 9112): requests read with Boost.Beast's
// parser under the [http] limits, answered in order, kept alive up to a
// bound. Routing and the handlers live in handlers.cpp.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/parse.h"
#include "http/router.h"
#include "http/server.h"
#include "net/connection.h"
#include "net/worker.h"

namespace copper::http {

namespace asio = boost::asio;
using request = boost::beast::http::request<boost::beast::http::string_body>;

struct response {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string cache_control = "no-store";
  std::vector<std::pair<std::string, std::string>> headers;
};

// A short error answer: {"error": "..."} as JSON.
response error_response(unsigned status, std::string_view message);

class session {
 public:
  session(std::shared_ptr<net::connection> conn, listener_kind kind, services& svc);
  asio::awaitable<void> run();

 private:
  struct incoming {
    enum class outcome { request, error, closed } what;
    unsigned status = 0;  // with error: the 4xx to answer
    request msg;
  };
  asio::awaitable<incoming> read_request();
  // The route's name for metrics, and the answer.
  asio::awaitable<std::pair<std::string_view, response>> dispatch(const request& req);
  void write(const response& res, bool head, bool keep_alive);
  // Closes after an error without losing the answer (see session.cpp).
  asio::awaitable<void> linger();

  // Handlers (handlers.cpp).
  asio::awaitable<response> healthz();
  asio::awaitable<response> metrics(const request& req);
  response placeholder(std::string_view path, std::string_view title);
  response admin_app(const request& req, std::string_view path);
  response autoconfig(std::string_view query);
  response autodiscover(const request& req);
  response redirect_to_https(const request& req);
  asio::awaitable<response> admin_api(const request& req, const target& t);

  template <class F>
  auto blocking(F f) {
    return net::run_blocking(svc_.workers, std::move(f));
  }

  listener_kind kind_;
  services& svc_;
  std::shared_ptr<net::connection> conn_;
  std::string id_;
};

}  // namespace copper::http
