// A message as the body of a POP3 multi-line response (RFC 1939 3): every
// line ends in CRLF (a missing final one is added), a line that begins with
// "." gets another one, and ".CRLF" ends the response. TOP (RFC 1939 7)
// sends the header, the blank line and the first n lines of the body. No I/O:
// the session writes the pieces as they come.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace copper::pop3 {

class multiline_encoder {
 public:
  // `data` must outlive the encoder. `body_lines` limits the body (TOP).
  explicit multiline_encoder(std::string_view data,
                             std::optional<std::uint32_t> body_lines = std::nullopt)
      : data_(data), body_lines_(body_lines) {}

  // The next piece, about `max` octets (at least one), the terminator last.
  std::string next(std::size_t max);
  bool done() const { return done_; }

 private:
  void start_line(std::string& out);

  std::string_view data_;
  std::optional<std::uint32_t> body_lines_;
  std::size_t pos_ = 0;
  std::size_t line_end_ = 0;   // end of the current line's content (no CR, LF)
  std::size_t next_line_ = 0;  // where the line after it starts
  bool at_line_start_ = true;
  bool in_header_ = true;
  bool done_ = false;
};

// Convenience for tests and small messages: the whole response body.
std::string encode_multiline(std::string_view data,
                             std::optional<std::uint32_t> body_lines = std::nullopt);

}  // namespace copper::pop3
