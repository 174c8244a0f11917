// SASL mechanisms shared by SMTP, IMAP and POP3: PLAIN (RFC 4616) and the
// LOGIN mechanism clients still use. Decoding only; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace copper::auth {

struct credentials {
  std::string authzid;
  std::string authcid;
  std::string password;
  ~credentials();  // wipes the password; copies are wiped too, so no moves
};

// Base64 per RFC 4648 without line breaks; nullopt on bad input.
std::optional<std::string> decode_base64(std::string_view text);
std::string encode_base64(std::string_view data);

// RFC 4616 2: [authzid] NUL authcid NUL passwd, already base64-decoded.
std::optional<credentials> parse_plain(std::string_view message);

}  // namespace copper::auth
