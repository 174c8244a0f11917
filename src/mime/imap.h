// IMAP FETCH ENVELOPE, BODYSTRUCTURE and BODY (RFC 3501 7.4.2, RFC 9051
// 7.5.2) from a parsed message, in the forms Dovecot gives where the RFCs
// leave a choice (string case as written, MISSING_MAILBOX/MISSING_DOMAIN for
// incomplete addresses, an empty text/plain in a multipart without parts).
#pragma once

#include <string>
#include <string_view>

#include "mime/message.h"

namespace copper::mime {

// The ENVELOPE of the message whose header is `header` (RFC 3501 7.4.2):
// date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to,
// message-id. Sender and Reply-To default to From.
std::string imap_envelope(std::string_view raw, span header);
std::string imap_envelope(std::string_view raw, const message& m);

// BODYSTRUCTURE (`extended`: MD5, disposition, language, location and the
// multipart parameters) or BODY of the message or of one part.
std::string imap_bodystructure(std::string_view raw, const message& m, bool extended);
std::string imap_bodystructure(std::string_view raw, const part& p, bool extended);

// Appends an IMAP string (RFC 3501 4.3, 9): quoted when a quoted string can
// carry it (no CR, LF, NUL or 8-bit octet), a literal otherwise. NUL, which
// neither form allows, becomes U+FFFD.
void append_imap_string(std::string& out, std::string_view s);
// The same, or NIL when `s` is empty.
void append_imap_nstring(std::string& out, std::string_view s);

}  // namespace copper::mime
