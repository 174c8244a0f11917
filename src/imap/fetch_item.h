// FETCH data items (RFC 9051 6.4.5): parsing the requested items and
// rendering one message's response, with ENVELOPE, BODYSTRUCTURE and body
// sections by MIME part number taken from the MIME parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "imap/protocol/parser.h"
#include "mime/message.h"
#include "store/mailbox_store.h"

namespace copper::imap {

struct body_section {
  enum class kind { full, header, text, header_fields, header_fields_not };
  kind what = kind::full;
  std::vector<std::string> fields;  // for header_fields(_not), upper case
  std::vector<std::uint32_t> path;  // MIME part numbers: BODY[1.2.TEXT] -> {1, 2}
  bool mime_header = false;         // BODY[1.2.MIME]
  std::string spec;                 // the section text as the client wrote it
  std::optional<std::uint64_t> partial_start;
  std::uint64_t partial_length = 0;
  bool peek = false;
  // RFC 3516: BINARY[...] is the part with its transfer encoding removed,
  // BINARY.SIZE[...] the size of that.
  enum class binary_kind { none, content, size };
  binary_kind binary = binary_kind::none;
};

struct fetch_request {
  bool uid = false;
  bool flags = false;
  bool internal_date = false;
  bool size = false;
  bool rfc822 = false;         // RFC822 (sets \Seen), same as BODY[]
  bool rfc822_header = false;  // RFC822.HEADER
  bool rfc822_text = false;    // RFC822.TEXT (sets \Seen)
  bool envelope = false;
  bool bodystructure = false;
  bool body = false;      // BODY without a section: the non-extended structure
  bool emailid = false;   // RFC 8474 5.3
  bool threadid = false;  // RFC 8474 5.3
  bool modseq = false;    // MODSEQ (RFC 7162 3.1.4)
  std::vector<body_section> sections;

  // The message's bytes; ENVELOPE, BODYSTRUCTURE and BODY come from the
  // store's cached structure instead (needs_structure).
  bool needs_body() const { return rfc822 || rfc822_header || rfc822_text || !sections.empty(); }
  bool needs_structure() const { return envelope || bodystructure || body; }
  // The MIME parse of the bytes: body sections by part number, and the
  // structure items of a message the store has no summary for.
  bool needs_mime() const;
  bool sets_seen() const;
  // A BINARY item names a part, whose transfer encoding may be unknown.
  bool decodes_parts() const;
};

result<fetch_request> parse_fetch_items(const value& items);

// RFC 3516 4.2: whether a BINARY item names a part whose transfer encoding
// we cannot decode (the command then fails with [UNKNOWN-CTE]).
bool has_unknown_cte(const fetch_request& req, const mime::message* parsed);

// "FLAGS (...) UID 4 BODY[] {123}\r\n..." for one message (without "* n FETCH (").
// `parsed` is the MIME structure of `raw` when needs_mime(), else null.
// `structure`, when not null, supplies ENVELOPE, BODYSTRUCTURE and BODY;
// otherwise they are rendered from `parsed`.
std::string render_fetch(const fetch_request& req, const store::message_meta& meta,
                         const std::string* raw, const mime::message* parsed,
                         const store::message_structure* structure = nullptr);

// RFC 9051 9 date-time: "17-Jul-1996 02:44:25 -0700", the time as seen in
// the zone `zone_minutes` east of UTC.
std::string imap_date_time(std::int64_t unix_seconds, std::int32_t zone_minutes = 0);

}  // namespace copper::imap
