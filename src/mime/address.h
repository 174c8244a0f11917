// RFC 5322 3.4 address lists (From, To, Cc, ...) as IMAP ENVELOPE needs them
// (RFC 3501 7.4.2): display names, groups (empty ones too), comments, the
// obsolete syntax of RFC 5322 4.4 (routes, CFWS around dots, null members).
// Never fails: what cannot be read is skipped or comes back with empty parts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace copper::mime {

struct address {
  enum class kind { mailbox, group_start, group_end };

  kind what = kind::mailbox;
  // Display name (or group name) as written: quotes removed, words joined by
  // one space, comments dropped, RFC 2047 encoded words left encoded. For a
  // bare addr-spec, the text of a comment after it ("user@host (Name)").
  std::string name;
  std::string route;    // obs-route without its colon: "@a.example,@b.example"
  std::string mailbox;  // local part, unquoted; empty when missing
  std::string domain;   // empty when missing; a domain-literal keeps its brackets

  bool operator==(const address&) const = default;
};

// Parses an address-list or mailbox-list field value (still folded is fine).
// Null members (RFC 5322 4.4) yield nothing; at most `max_addresses` entries
// (group markers included) are returned.
std::vector<address> parse_address_list(std::string_view value, std::size_t max_addresses = 1000);

}  // namespace copper::mime
