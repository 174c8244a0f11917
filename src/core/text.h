// Small ASCII text helpers shared by the protocol parsers (HTTP fields, DNS
// TXT records): header syntax is ASCII whatever the payload is.
#pragma once

#include <string_view>

namespace copper {

// Without leading and trailing spaces and tabs (RFC 9110 5.6.3 OWS; the
// blanks of SPF and DMARC records).
inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace copper
