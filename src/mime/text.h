// The searchable text of a message for the full-text index: header fields
// with encoded words decoded, and the text/* parts with their transfer
// encoding removed, converted to UTF-8, HTML tags stripped. Bounded in size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mime/message.h"

namespace copper::mime {

// UTF-8 text of the message's header fields ("Name: value" lines) and text
// parts, those of enclosed messages included, at most `max_size` bytes (cut
// at a character boundary). Non-text parts contribute nothing.
std::string decoded_text(std::string_view raw, const message& m, std::size_t max_size = 1 << 20);

// The same without the message's own header fields: the decoded text parts
// (and the headers of enclosed messages), for IMAP SEARCH BODY.
std::string decoded_body_text(std::string_view raw, const message& m,
                              std::size_t max_size = 1 << 20);

// Text of an HTML document: tags, comments, scripts and styles removed,
// character references decoded. Crude on purpose: good enough to index.
std::string html_to_text(std::string_view html);

}  // namespace copper::mime
