// The MIME structure of a message (RFC 2045, RFC 2046): a tree of parts with
// byte offsets into the raw message, parsed once at delivery and the base of
// IMAP ENVELOPE, BODYSTRUCTURE, BODY[section] and full-text search. The parser
// does no I/O, never fails (broken mail still gets a structure, as Dovecot
// gives it one) and bounds nesting, part count and field sizes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mime/decode.h"
#include "mime/header.h"

namespace copper::mime {

struct limits {
  // Multipart and message/rfc822 nesting. A container at this depth is kept
  // as a leaf: its content stays in its body, unparsed.
  std::size_t max_depth = 100;
  // All parts, the top-level one included. When reached, boundaries are no
  // longer looked for and the rest of the message belongs to the current part.
  std::size_t max_parts = 10000;
  // The part of a Content-* field value that is parsed; the rest is ignored.
  std::size_t max_field_size = std::size_t{64} * 1024;
  std::size_t max_params = 100;     // per Content-Type / Content-Disposition
  std::size_t max_languages = 100;  // Content-Language tags
  // RFC 2046 5.1.1 allows 70 characters. Longer boundaries are cut to this
  // length (as Dovecot does), which keeps matching a prefix test.
  std::size_t max_boundary = 80;
};

struct part {
  span header;  // the fields and the blank line that ends them, if any
  span body;    // for a multipart: preamble, body parts and epilogue

  // RFC 2045 5.1, lower-cased. Defaults (RFC 2045 5.2, RFC 2046 5.1.5):
  // text/plain, or message/rfc822 directly inside multipart/digest; also used
  // when the Content-Type field is malformed.
  std::string type = "text";
  std::string subtype = "plain";
  // The same as written, for IMAP BODYSTRUCTURE (which reports them so).
  std::string written_type = "text";
  std::string written_subtype = "plain";
  std::vector<param> type_params;

  // Content-Transfer-Encoding as written; "7bit" when absent or malformed
  // (RFC 2045 6.1).
  std::string transfer_encoding_name = "7bit";
  transfer_encoding encoding = transfer_encoding::seven_bit;

  // Unfolded values; empty when the field is absent.
  std::string id;                      // Content-ID (RFC 2045 7)
  std::string description;             // Content-Description (RFC 2045 8), encoded words kept
  std::string md5;                     // Content-MD5 (RFC 1864)
  std::string location;                // Content-Location (RFC 2557 4)
  std::vector<std::string> languages;  // Content-Language (RFC 3282)

  bool has_disposition = false;  // Content-Disposition (RFC 2183)
  std::string disposition;       // as written
  std::vector<param> disposition_params;

  // LF count of the body, and how many of those LFs lack their CR. IMAP
  // serves every line end as CRLF (RFC 3501 2.2, 4.3), so the size a client
  // sees is body.size() + body_bare_lf.
  std::size_t body_lines = 0;
  std::size_t body_bare_lf = 0;

  // A multipart's body parts, or the one message a message/rfc822 or
  // message/global (RFC 6532 3.7) part contains.
  std::vector<part> children;
  // A multipart or message/rfc822 that the depth or part limit left unparsed.
  bool truncated = false;

  bool is_multipart() const { return type == "multipart"; }
  // message/rfc822, or message/global (RFC 6532 3.7, RFC 9051 7.5.2).
  bool is_message() const {
    return type == "message" && (subtype == "rfc822" || subtype == "global");
  }
  bool is_text() const { return type == "text"; }
  // The body size in octets as IMAP reports it (line ends as CRLF).
  std::size_t imap_size() const { return body.size() + body_bare_lf; }
  // The charset parameter; "us-ascii" for a text part without one (RFC 2046 4.1.2).
  std::string_view charset() const;
};

struct message {
  part root;
  std::size_t part_count = 1;
  bool limit_reached = false;  // depth or part count: some structure was not parsed
};

// Parses the MIME structure of `raw` (CRLF or LF line ends). The parts refer
// to `raw` by offset; `raw` must outlive every use of those offsets.
message parse(std::string_view raw, const limits& lim = {});

// The header block that starts at `begin` and ends within `within`: up to and
// including the first blank line, or all of `within`.
span header_at(std::string_view raw, std::size_t begin, span within);

}  // namespace copper::mime
