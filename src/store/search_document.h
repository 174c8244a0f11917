// The text of a message as the full-text index holds it: decoded header
// fields and text parts, charset-converted to UTF-8 and case-folded by
// i;unicode-casemap (RFC 5051, mime/casefold.h), so that IMAP SEARCH
// (RFC 9051 6.4.4) compares substrings exactly. Built off the store's writer
// thread: by the search indexer, and by SEARCH for a message not yet indexed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "store/mailbox_store.h"

namespace copper::store {

// Bound on the decoded text indexed per message (body parts, and separately
// all header fields): a huge message is searchable in its first MiB only.
// Fixed rather than configured, so every server indexes the same way.
constexpr std::size_t max_indexed_text = std::size_t{1} << 20;

struct search_document {
  std::string from, to, cc, bcc, subject;
  std::string headers;  // every header field, encoded words decoded
  std::string text;     // decoded text parts
};

// Never fails: broken mail still gives whatever text decodes.
search_document extract_search_document(std::string_view raw);

// Only the five fields SEARCH names (from .. subject), from the message's
// own header: enough for those criteria, without decoding the body.
search_document extract_search_fields(std::string_view raw);

// Whether `field` of the document contains `needle` (already case-folded),
// with the same meaning as the index's match (TEXT = headers or body).
bool document_contains(const search_document& doc, text_field field, std::string_view needle);

}  // namespace copper::store
