// Content decoding: the transfer encodings of RFC 2045 6.7 (quoted-printable)
// and 6.8 (base64), and RFC 2047 encoded words in header text. All lenient:
// damaged input decodes as far as it makes sense and never fails.
#pragma once

#include <string>
#include <string_view>

namespace copper::mime {

enum class transfer_encoding { seven_bit, eight_bit, binary, quoted_printable, base64, other };

// The mechanism of a Content-Transfer-Encoding value (case-insensitive);
// `other` for x-tokens and nonsense, which the body is then left as.
transfer_encoding encoding_of(std::string_view mechanism);

// RFC 2045 6.8. Characters outside the alphabet are ignored (6.8 says so for
// line breaks and allows it for the rest); decoding stops at the padding.
std::string decode_base64(std::string_view text);

// RFC 2045 6.7: "=XX" and soft line breaks. A '=' not followed by two hex
// digits or a line break is kept as is (6.7 note 1: robust decoding).
std::string decode_quoted_printable(std::string_view text);

// `body` with its transfer encoding removed.
std::string decode_transfer(std::string_view body, transfer_encoding encoding);

// RFC 2047 encoded words in unstructured text (or a phrase) decoded to UTF-8:
// B and Q encodings, the whitespace between adjacent encoded words dropped
// (6.2) and their bytes joined before charset conversion, so that a character
// split across words survives. A malformed word stays as written. Other text
// is taken as UTF-8 (RFC 6532 3.2), invalid bytes replaced by U+FFFD.
std::string decode_words(std::string_view text);

// A raw header field value ready for display or indexing: unfolded and
// trimmed, encoded words decoded.
std::string decode_header_value(std::string_view raw_value);

}  // namespace copper::mime
