// What the store keeps about a message besides its bytes, computed once when
// the message enters the store (ARCHITECTURE.md "Store"): the IMAP ENVELOPE,
// BODYSTRUCTURE and BODY strings, the Message-ID and parent ids for threads,
// and the case-folded text of the full-text index. Built on the caller's
// thread, never on the store's single writer thread, which only inserts it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace copper::store {

// Bound on the decoded text indexed per message (body parts, and separately
// all header fields): a huge message is searchable in its first MiB only.
// Fixed rather than configured, so every server indexes the same way.
constexpr std::size_t max_indexed_text = std::size_t{1} << 20;

struct message_index {
  // As mime/imap.h renders them.
  std::string envelope;
  std::string bodystructure;
  std::string body;  // BODY: the non-extended structure
  // Message-ID without its angle brackets, empty when absent.
  std::string message_id;
  // In-Reply-To and References ids (bounded), for THREADID.
  std::vector<std::string> parents;
  // Search text, UTF-8, case-folded by i;unicode-casemap (mime/casefold.h).
  std::string from, to, cc, bcc, subject;
  std::string headers;  // every header field, encoded words decoded
  std::string text;     // decoded text parts
};

// Never fails: broken mail still gets a structure and whatever text decodes.
message_index index_message(std::string_view raw);

}  // namespace copper::store
