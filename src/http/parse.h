// Parsing helpers for what HTTP clients send us: the request target, query
// strings, application/x-www-form-urlencoded bodies, cookies and
// percent-encoding. No I/O and no Asio, so the fuzzer and the unit tests use
// them alone; every input size is bounded by the caller (the request parser's
// limits) and every output by the number of fields accepted here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace copper::http {

using fields = std::vector<std::pair<std::string, std::string>>;

// Fields beyond this many are ignored (a bound on work per request).
constexpr std::size_t max_fields = 100;

// RFC 3986 2.1 percent-decoding; `plus_is_space` for form encoding
// (WHATWG URL "application/x-www-form-urlencoded"). nullopt on a malformed
// escape ("%4", "%zz").
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

// "a=1&b=x%20y" (form encoding, as browsers send both query strings and
// form bodies). Malformed pairs are skipped rather than failing the request.
fields parse_query(std::string_view query);
inline fields parse_form(std::string_view body) { return parse_query(body); }

// RFC 6265 5.4 Cookie header: "a=1; b=2". Values are not decoded (the
// server sets only token-safe values); surrounding quotes are removed.
fields parse_cookies(std::string_view header);

// The first value named `name`, if any.
std::optional<std::string> find_field(const fields& f, std::string_view name);

// An origin-form request target (RFC 9112 3.2.1): the path (still encoded)
// and the query without the '?'. nullopt for anything else or invalid syntax.
struct target {
  std::string path;
  std::string query;
};
std::optional<target> parse_target(std::string_view request_target);

// The percent-decoded segments of a path (still encoded, as in `target`),
// split at '/': "users/a%40b" -> {"users", "a@b"}. Decoding after splitting
// keeps "%2F" inside its segment. nullopt on a bad escape or more than
// `max_segments` segments.
std::optional<std::vector<std::string>> path_segments(std::string_view path,
                                                      std::size_t max_segments);

// Escapes text for XML character data and attribute values.
std::string xml_escape(std::string_view text);

// The EMailAddress of a Microsoft Autodiscover request
// (<Request><EMailAddress>user@example.org</EMailAddress>...). A bounded
// scan, not an XML parser: the element's text, trimmed, if it looks like an
// address of sane length. nullopt otherwise.
std::optional<std::string> autodiscover_email(std::string_view body);

// A syntactically plausible mail address for the autoconfig documents:
// local@domain, printable ASCII without spaces or markup, at most 254 octets.
bool plausible_address(std::string_view address);

}  // namespace copper::http
