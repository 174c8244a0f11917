// Small ASCII text helpers shared by the protocol parsers (SMTP and IMAP
// keywords, MIME and HTTP fields, DNS TXT records): their syntax is ASCII
// whatever the payload is, and compares the same in every locale.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace copper {

// True if the text has no byte above 0x7f.
inline bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

inline char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// Case-insensitive in ASCII letters only (RFC 5321 2.4, RFC 9051 9 atoms).
inline bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

inline bool istarts_with_ascii(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals_ascii(s.substr(0, prefix.size()), prefix);
}

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
