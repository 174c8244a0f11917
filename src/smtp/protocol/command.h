// The SMTP command parser (RFC 5321 4.1): one command line in, a command or a
// reply out. No I/O, no state: the session decides what a command means now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/protocol/reply.h"

namespace copper::smtp {

enum class verb {
  helo,
  ehlo,
  mail,
  rcpt,
  data,
  bdat,
  rset,
  noop,
  quit,
  vrfy,
  expn,
  help,
  starttls,
  auth
};

struct esmtp_param {
  std::string keyword;  // upper case
  std::string value;    // as given; empty when the parameter has no value
  bool has_value = false;
};

struct command {
  verb name = verb::noop;
  std::string argument;  // everything after the verb and its separating space

  // MAIL and RCPT (RFC 5321 4.1.2 Reverse-path / Forward-path).
  std::string path;           // the mailbox inside <>, source route removed
  bool null_path = false;     // "<>"
  bool source_route = false;  // "<@a,@b:user@c>" (RFC 5321 appendix C)
  bool postmaster = false;    // "RCPT TO:<Postmaster>" with no domain (4.1.1.3)
  std::vector<esmtp_param> params;

  // BDAT (RFC 3030 2).
  std::uint64_t chunk_size = 0;
  bool last_chunk = false;
};

struct parse_outcome {
  std::optional<command> cmd;
  reply error;  // set when cmd is empty
};

// `line` excludes the CRLF.
parse_outcome parse_command(std::string_view line);

// Finds a parameter by keyword (upper case), or nullptr.
const esmtp_param* find_param(const command& cmd, std::string_view keyword);

// RFC 3461 4: xtext decoding of ORCPT/ENVID values; empty optional on bad encoding.
std::optional<std::string> decode_xtext(std::string_view text);

}  // namespace copper::smtp
