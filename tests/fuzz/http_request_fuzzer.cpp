// libFuzzer target for the HTTP request parsing we own (http/parse.h,
// http/router.h, http/autoconfig.h, http/static_files.h): the input is split
// at the first two newlines into a request target, a header value (read as
// Cookie, Range, If-None-Match, Accept-Encoding) and a body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/autoconfig.h"
#include "http/parse.h"
#include "http/router.h"
#include "http/static_files.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace copper::http;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view target_text = in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  auto nl2 = rest.find('\n');
  std::string_view cookie = rest.substr(0, nl2);
  std::string_view body = nl2 == std::string_view::npos ? std::string_view() : rest.substr(nl2 + 1);

  if (auto t = parse_target(target_text)) {
    auto m = find_route(t->path, method::get);
    if (m.found != nullptr) {
      (void)allow_header(*m.found);
    }
    (void)served_over_plain_http(t->path);
    auto q = parse_query(t->query);
    auto email = find_field(q, "emailaddress");
    client_setup setup{
        "mail.example.org",
        {{mail_endpoint::protocol::imap, mail_endpoint::security::implicit_tls, 993}}};
    (void)thunderbird_config(setup, email.value_or(""));
  }
  (void)find_route(target_text, method::post);
  static const copper::http::static_site site = [] {
    copper::http::static_site s;
    s.add("index.html", "<!doctype html>");
    s.add("assets/a-1.js", std::string(300, 'x'));
    return s;
  }();
  (void)serve_static(site, "/admin/", {target_text, cookie, cookie, cookie, cookie});
  (void)parse_range(cookie, body.size());
  (void)accepts_gzip(cookie);
  (void)parse_cookies(cookie);
  (void)parse_form(body);
  (void)percent_decode(body, true);
  (void)xml_escape(cookie);
  (void)endpoint_port(cookie);
  if (auto email = autodiscover_email(body)) {
    client_setup setup{"h",
                       {{mail_endpoint::protocol::smtp, mail_endpoint::security::starttls, 587}}};
    (void)autodiscover_response(setup, *email);
  }
  return 0;
}
