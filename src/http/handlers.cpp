// Routing and the handlers of the paths in router.h.
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <optional>

#include "http/autoconfig.h"
#include "http/parse.h"
#include "http/session.h"

namespace copper::http {
namespace {

namespace bhttp = boost::beast::http;

// A Host header we may echo into Location: a DNS name, IPv4 or bracketed
// IPv6 literal, with the port removed. Empty if anything else.
std::string redirect_host(std::string_view host) {
  if (host.empty() || host.size() > 255) {
    return {};
  }
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) {
      return {};
    }
  }
  if (host.front() == '[') {
    auto close = host.find(']');
    return close == std::string_view::npos ? std::string() : std::string(host.substr(0, close + 1));
  }
  return std::string(host.substr(0, host.find(':')));
}

client_setup setup_from(const config::config& cfg) {
  using p = mail_endpoint::protocol;
  using s = mail_endpoint::security;
  client_setup out{cfg.hostname, {}};
  // Implicit TLS first (RFC 8314 3: preferred over STARTTLS).
  const std::tuple<const std::vector<std::string>&, p, s> order[] = {
      {cfg.listen.imaps, p::imap, s::implicit_tls},
      {cfg.listen.imap, p::imap, s::starttls},
      {cfg.listen.pop3s, p::pop3, s::implicit_tls},
      {cfg.listen.pop3, p::pop3, s::starttls},
      {cfg.listen.submissions, p::smtp, s::implicit_tls},
      {cfg.listen.submission, p::smtp, s::starttls},
  };
  for (const auto& [list, proto, sec] : order) {
    if (list.empty()) {
      continue;
    }
    if (auto port = endpoint_port(list.front()); port != 0) {
      out.endpoints.push_back({proto, sec, port});
    }
  }
  return out;
}

constexpr std::string_view placeholder_html =
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>{0} - Copper</title>\n</head>\n<body>\n<main>\n<h1>{0}</h1>\n"
    "<p>This part of Copper is not available yet. Mail clients can connect over IMAP, POP3 "
    "and SMTP submission.</p>\n</main>\n</body>\n</html>\n";

// Who may read /metrics (config.h `metrics_token`): counts of mail and
// logins are not for the whole Internet when https listens publicly.
std::optional<response> metrics_refusal(const request& req, const std::string& token,
                                        bool client_on_loopback) {
  if (token.empty()) {
    if (client_on_loopback) {
      return std::nullopt;
    }
    return error_response(403,
                          "/metrics is open to loopback clients only; set [http] "
                          "metrics_token to scrape it from elsewhere");
  }
  auto given = req[boost::beast::http::field::authorization];
  std::string expected = "Bearer " + token;
  if (given.size() == expected.size() &&
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0) {
    return std::nullopt;
  }
  auto res = error_response(401, "/metrics needs the bearer token of [http] metrics_token");
  res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"copper metrics\"");
  return res;
}

}  // namespace

asio::awaitable<std::pair<std::string_view, response>> session::dispatch(const request& req) {
  auto target = parse_target(std::string_view(req.target()));
  if (!target) {
    co_return std::pair{"none", error_response(400, "Bad request target")};
  }
  // Without an https listener there is nowhere to redirect to: plain http
  // then serves everything itself.
  bool plain = kind_ == listener_kind::http;
  if (plain && !svc_.cfg.listen.https.empty() && !served_over_plain_http(target->path)) {
    co_return std::pair{"redirect", redirect_to_https(req)};
  }
  auto m = find_route(target->path, parse_method(std::string_view(req.method_string())));
  if (m.found == nullptr) {
    co_return std::pair{"none", error_response(404, "Not found")};
  }
  std::string_view name = m.found->name;
  if (!m.method_allowed) {
    auto res = error_response(405, "Method not allowed");
    res.headers.emplace_back("Allow", allow_header(*m.found));
    co_return std::pair{name, std::move(res)};
  }
  switch (m.found->id) {
    case route_id::root: {
      response res;
      res.status = 302;
      res.body = "See /mail/\n";
      res.headers.emplace_back("Location", "/mail/");
      co_return std::pair{name, std::move(res)};
    }
    case route_id::healthz: {
      // Awaited alone: g++ 12 mishandles temporaries in a co_await expression.
      auto res = co_await healthz();
      co_return std::pair{name, std::move(res)};
    }
    case route_id::metrics: {
      auto res = co_await metrics(req);
      co_return std::pair{name, std::move(res)};
    }
    case route_id::mail:
      co_return std::pair{name, placeholder(target->path, "Webmail")};
    case route_id::admin:
      co_return std::pair{name, admin_app(req, target->path)};
    case route_id::autoconfig:
      co_return std::pair{name, autoconfig(target->query)};
    case route_id::autodiscover:
      co_return std::pair{name, autodiscover(req)};
    case route_id::add_slash: {
      response res;
      res.status = 308;
      res.body = "Moved\n";
      res.headers.emplace_back("Location", target->path + "/");
      co_return std::pair{name, std::move(res)};
    }
    case route_id::admin_api: {
      auto res = co_await admin_api(req, *target);
      co_return std::pair{name, std::move(res)};
    }
    case route_id::well_known:
      break;
  }
  co_return std::pair{name, error_response(404, "Not found")};
}

response session::redirect_to_https(const request& req) {
  std::string host = redirect_host(std::string_view(req[bhttp::field::host]));
  if (host.empty()) {
    host = svc_.cfg.hostname;
  }
  auto port = endpoint_port(svc_.cfg.listen.https.front());
  std::string authority = port == 443 || port == 0 ? host : fmt::format("{}:{}", host, port);
  response res;
  // 308 (RFC 9110 15.4.9): unlike 301, the method and body are kept.
  res.status = 308;
  res.body = "Use https\n";
  // The target passed parse_target(): origin-form, no CR/LF or spaces.
  res.headers.emplace_back("Location",
                           fmt::format("https://{}{}", authority, std::string_view(req.target())));
  return res;
}

asio::awaitable<response> session::admin_api(const request& req, const target& t) {
  constexpr std::string_view prefix = "/admin/api/";
  auto segments = path_segments(std::string_view(t.path).substr(prefix.size()), 16);
  if (!segments) {
    auto bad =
        admin::error_reply(make_error("malformed percent-encoding in the path", "invalid_path"));
    response res;
    res.status = bad.status;
    res.content_type = "application/json";
    res.body = std::move(bad.body);
    co_return res;
  }
  admin::api_request in;
  in.method = std::string(req.method_string());
  in.path = std::move(*segments);
  in.query = parse_query(t.query);
  in.session_token =
      find_field(parse_cookies(std::string_view(req[bhttp::field::cookie])), admin::session_cookie)
          .value_or("");
  in.csrf_token = std::string(req["X-CSRF-Token"]);
  if (auto origin = req.find(bhttp::field::origin); origin != req.end()) {
    in.origin = std::string(origin->value());
  }
  in.host = std::string(req[bhttp::field::host]);
  in.content_type = std::string(req[bhttp::field::content_type]);
  in.body = req.body();
  in.client_ip = conn_->client_ip();
  // The whole call blocks (store, password hashing): it runs on the workers.
  auto out = *co_await blocking([&] { return svc_.admin.handle(in); });
  response res;
  res.status = out.status;
  res.content_type = "application/json";
  res.body = std::move(out.body);
  res.headers = std::move(out.headers);
  // A download (the .mobileconfig profile) names its own type.
  for (auto it = res.headers.begin(); it != res.headers.end(); ++it) {
    if (it->first == "Content-Type") {
      res.content_type = std::move(it->second);
      res.headers.erase(it);
      break;
    }
  }
  co_return res;
}

asio::awaitable<response> session::healthz() {
  auto ok = *co_await blocking([&] {
    try {
      // A trivial read that goes to the database.
      (void)svc_.store.has_domain("healthz.invalid");
      return true;
    } catch (const std::exception& e) {
      spdlog::warn("event=healthz_failed error=\"{}\"", e.what());
      return false;
    }
  });
  response res;
  res.content_type = "application/json";
  res.status = ok ? 200 : 503;
  res.body = ok ? "{\"status\":\"ok\"}\n" : "{\"status\":\"unavailable\"}\n";
  co_return res;
}

asio::awaitable<response> session::metrics(const request& req) {
  if (auto refusal =
          metrics_refusal(req, svc_.cfg.http.metrics_token, conn_->client_on_loopback())) {
    co_return std::move(*refusal);
  }
  // Rendering reads the store (queue length), so it runs on the worker pool.
  auto text = *co_await blocking([&] {
    try {
      return svc_.metrics.render();
    } catch (const std::exception& e) {
      spdlog::warn("event=metrics_failed error=\"{}\"", e.what());
      return std::string();
    }
  });
  if (text.empty()) {
    co_return error_response(503, "Metrics unavailable");
  }
  response res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = std::move(text);
  co_return res;
}

response session::placeholder(std::string_view path, std::string_view title) {
  // Only the portal's front page exists yet; nothing below it.
  if (path != "/mail/" && path != "/admin/") {
    return error_response(404, "Not found");
  }
  response res;
  res.content_type = "text/html; charset=utf-8";
  res.cache_control = "no-cache";
  res.body = fmt::format(fmt::runtime(placeholder_html), title);
  return res;
}

response session::admin_app(const request& req, std::string_view path) {
  if (svc_.admin_site.empty()) {
    return placeholder(path, "Administration");
  }
  static_request in{path, std::string_view(req[bhttp::field::if_none_match]),
                    std::string_view(req[bhttp::field::accept_encoding]),
                    std::string_view(req[bhttp::field::range]),
                    std::string_view(req[bhttp::field::if_range])};
  auto out = serve_static(svc_.admin_site, "/admin/", in);
  response res;
  res.status = out.status;
  res.content_type = std::string(out.content_type);
  res.body = std::move(out.body);
  res.cache_control = std::string(out.cache_control);
  res.headers = std::move(out.headers);
  return res;
}

response session::autoconfig(std::string_view query) {
  auto email = find_field(parse_query(query), "emailaddress").value_or("");
  response res;
  res.content_type = "application/xml; charset=utf-8";
  // Listeners change only with a restart; clients ask rarely.
  res.cache_control = "no-cache";
  res.body = thunderbird_config(setup_from(svc_.cfg), email);
  return res;
}

response session::autodiscover(const request& req) {
  auto email = autodiscover_email(req.body());
  if (!email) {
    return error_response(400, "No EMailAddress in the Autodiscover request");
  }
  response res;
  res.content_type = "application/xml; charset=utf-8";
  res.body = autodiscover_response(setup_from(svc_.cfg), *email);
  return res;
}

}  // namespace copper::http
