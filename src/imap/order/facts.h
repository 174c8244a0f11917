// What SORT and THREAD (RFC 5256) know about one message: a few header facts
// (base subject, sent date, first addresses, Message-ID and references),
// read from the header block alone. Pure functions, no I/O, so that the
// facts could later come from a cached ENVELOPE instead of the blob.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace copper::imap {

struct message_facts {
  std::uint32_t number = 0;  // what the reply names: sequence number or UID
  std::int64_t internal_date = 0;
  std::uint64_t size = 0;
  std::int64_t sent_date = 0;     // RFC 5256 2.2, the internal date when Date is unusable
  std::string base_subject;       // RFC 5256 2.1
  bool reply_or_forward = false;  // RFC 5256 3, REFERENCES: what base-subject extraction removed
  std::string from;               // addr-mailbox of the first address, "" when absent
  std::string to;
  std::string cc;
  std::string message_id;               // normalized, "" when absent or invalid
  std::vector<std::string> references;  // normalized; References, else In-Reply-To
};

// RFC 5256 2.1 on an already RFC 2047-decoded subject. reply_or_forward says
// whether a subj-refwd, a "(fwd)" trailer or a "[fwd: ...]" wrapper was removed.
struct base_subject_result {
  std::string text;
  bool reply_or_forward = false;
};
base_subject_result base_subject(std::string_view decoded_subject);

// RFC 5322 3.3 date-time (with the obsolete forms of 4.3) as unix seconds in
// UTC; nullopt when no day, month and year can be read. An unreadable time
// is 00:00:00 and an unknown zone UTC (RFC 5256 2.2).
std::optional<std::int64_t> parse_sent_date(std::string_view value);

// The facts of one message from its header block (the fields up to the
// blank line).
message_facts facts_from_header(std::string_view header, std::uint32_t number,
                                std::int64_t internal_date, std::uint64_t size);

// i;ascii-casemap (RFC 4790 9.2): octets compared after mapping a-z to A-Z.
int casemap_compare(std::string_view a, std::string_view b);

}  // namespace copper::imap
