// Text in a MIME charset (RFC 2045 5.1, RFC 2046 4.1.2) to UTF-8, via glibc
// iconv for everything but UTF-8 and US-ASCII. Bytes that do not convert are
// replaced by U+FFFD: broken mail never makes a conversion fail.
#pragma once

#include <string>
#include <string_view>

namespace copper::mime {

// `text` in `charset` as UTF-8. An unknown charset, US-ASCII (often mislabelled
// UTF-8) and an empty one are read as UTF-8; invalid sequences become U+FFFD.
std::string to_utf8(std::string_view text, std::string_view charset);

// Appends `text` as UTF-8, each invalid sequence replaced by U+FFFD.
void append_valid_utf8(std::string& out, std::string_view text);

bool is_valid_utf8(std::string_view text);

// Appends the UTF-8 encoding of a code point (U+FFFD for invalid ones).
void append_code_point(std::string& out, unsigned long cp);

}  // namespace copper::mime
