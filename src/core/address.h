// Mail addresses as RFC 5321 4.1.2 defines a Mailbox: local-part "@" domain,
// with quoted local parts, address literals, and UTF-8 (RFC 6531) for SMTPUTF8.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/text.h"  // is_ascii and to_lower_ascii, for the users of this header

namespace copper {

struct mail_address {
  std::string local;   // as received, unquoted form (quotes and escapes removed)
  std::string domain;  // lower case; IDNs converted to their A-label form

  bool quoted_local = false;  // the local part arrived as a Quoted-string

  // The form used for directory lookups: lower-case local part @ A-label domain.
  std::string key() const;
  // The form to write back on the wire (re-quotes the local part when needed).
  std::string wire() const;
  bool operator==(const mail_address&) const = default;
};

// Parses `local@domain` (no angle brackets). `allow_utf8` admits RFC 6531
// UTF-8 in the local part and domain.
result<mail_address> parse_mailbox(std::string_view text, bool allow_utf8 = true);

// Normalises a domain name: lower case, IDN to A-label, syntax checked
// (RFC 5321 4.1.2 Domain, RFC 5890 for IDNs). Address literals are refused.
result<std::string> normalize_domain(std::string_view domain);

}  // namespace copper
