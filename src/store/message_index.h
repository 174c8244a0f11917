// What the store keeps about a message besides its bytes, computed once when
// the message enters the store (ARCHITECTURE.md "Store"): the IMAP ENVELOPE,
// BODYSTRUCTURE and BODY strings, and the Message-ID and parent ids for
// threads. Built on the caller's thread, never on the store's single writer
// thread, which only inserts it. The search text is store/search_document.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace copper::store {

struct message_index {
  // As mime/imap.h renders them.
  std::string envelope;
  std::string bodystructure;
  std::string body;  // BODY: the non-extended structure
  // Message-ID without its angle brackets, empty when absent.
  std::string message_id;
  // In-Reply-To and References ids (bounded), for THREADID.
  std::vector<std::string> parents;
};

// Never fails: broken mail still gets a structure.
message_index index_message(std::string_view raw);

}  // namespace copper::store
