// The one table of every HTTP path Copper serves (ARCHITECTURE.md "HTTP
// paths that clients rely on"): exact and prefix routes with the methods each
// allows. Matching has no I/O; the server maps a route to its handler.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace copper::http {

enum class method : unsigned {
  get = 1,
  head = 2,
  post = 4,
  other = 8,
  put = 16,
  patch = 32,
  delete_ = 64,
};
constexpr unsigned operator|(method a, method b) {
  return static_cast<unsigned>(a) | static_cast<unsigned>(b);
}
method parse_method(std::string_view name);

enum class route_id {
  root,
  healthz,
  metrics,
  mail,
  admin,
  autoconfig,    // Thunderbird, under /.well-known/ and /mail/
  autodiscover,  // Microsoft Autodiscover POX
  well_known,    // anything else under /.well-known/: 404, but never redirected
  add_slash,     // "/mail" -> "/mail/"
  admin_api,     // the JSON API (admin/api.h), which routes below itself
};

struct route {
  std::string_view path;
  bool prefix;       // matches path and everything below it
  unsigned methods;  // bits of `method`
  route_id id;
  std::string_view name;  // the metrics label
};

// The API answers 405 per endpoint itself (admin/api.h).
inline constexpr unsigned admin_api_methods =
    (method::get | method::head) | (method::post | method::put) | (method::patch | method::delete_);

// Exact routes win over prefixes; the longest prefix wins among prefixes.
inline constexpr std::array<route, 13> routes = {{
    {"/", false, method::get | method::head, route_id::root, "root"},
    {"/healthz", false, method::get | method::head, route_id::healthz, "healthz"},
    {"/metrics", false, method::get | method::head, route_id::metrics, "metrics"},
    {"/mail/", true, method::get | method::head, route_id::mail, "mail"},
    {"/admin/", true, method::get | method::head, route_id::admin, "admin"},
    {"/mail", false, method::get | method::head, route_id::add_slash, "mail"},
    {"/admin", false, method::get | method::head, route_id::add_slash, "admin"},
    {"/.well-known/autoconfig/mail/config-v1.1.xml", false, method::get | method::head,
     route_id::autoconfig, "autoconfig"},
    {"/mail/config-v1.1.xml", false, method::get | method::head, route_id::autoconfig,
     "autoconfig"},
    // Outlook asks with either capitalisation.
    {"/autodiscover/autodiscover.xml", false, static_cast<unsigned>(method::post),
     route_id::autodiscover, "autodiscover"},
    {"/Autodiscover/Autodiscover.xml", false, static_cast<unsigned>(method::post),
     route_id::autodiscover, "autodiscover"},
    {"/.well-known/", true, method::get | method::head, route_id::well_known, "well_known"},
    {"/admin/api/", true, admin_api_methods, route_id::admin_api, "admin_api"},
}};

struct match {
  const route* found = nullptr;  // null: 404
  bool method_allowed = false;   // false with `found`: 405
};

match find_route(std::string_view path, method m);

// The Allow header value for a route (RFC 9110 15.5.6: required with 405).
std::string allow_header(const route& r);

// True for paths plain http serves itself instead of redirecting to https.
bool served_over_plain_http(std::string_view path);

}  // namespace copper::http
