// POP3 command lines (RFC 1939 3, RFC 2449 4): a line reader that splits
// buffered input into CRLF-terminated lines with a bound on their length, and
// the parse of one line into a keyword and arguments. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace copper::pop3 {

class line_reader {
 public:
  enum class event { need_more, line, too_long };
  struct step {
    event what = event::need_more;
    std::size_t consumed = 0;  // octets of the input to discard
    std::string line;          // without the line ending, for event::line
  };

  // `max_line` counts the CRLF (RFC 2449 4 counts it in its 255 octets).
  explicit line_reader(std::size_t max_line) : max_line_(max_line) {}

  // Looks at the unread input. A line longer than the bound is reported once
  // as too_long; the rest of it, up to its LF, is consumed silently.
  step feed(std::string_view input);
  // True when no part of a line has been consumed (between commands).
  bool idle() const { return !skipping_; }
  std::size_t max_line() const { return max_line_; }

 private:
  std::size_t max_line_;
  bool skipping_ = false;
};

struct command {
  std::string name;               // upper case (RFC 1939 3: keywords are case-insensitive)
  std::vector<std::string> args;  // separated by spaces
  std::string rest;               // everything after the keyword and one space (PASS)
};

// nullopt for an empty line or a keyword that is not 3-4 printable characters
// (RFC 1939 3; RFC 2449 4 allows keywords of up to 40, none of ours is longer).
std::optional<command> parse_command(std::string_view line);

// A message number or count: decimal digits only, no sign, fits 32 bits.
std::optional<std::uint32_t> parse_number(std::string_view text);

}  // namespace copper::pop3
