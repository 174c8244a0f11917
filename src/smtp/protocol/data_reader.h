// The DATA reader (RFC 5321 4.1.1.4, 4.5.2): removes dot-stuffing and finds
// the end of data. Only <CRLF>.<CRLF> ends the data: a bare LF or bare CR
// never starts a line, so "<LF>.<LF>", "<CR>.<CR>", "<LF>.<CR><LF>" and
// friends are content, and the message is refused (no SMTP smuggling). No I/O:
// fed bytes, it says how many it consumed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace copper::smtp {

class data_reader {
 public:
  data_reader(std::size_t max_size, std::size_t max_line);

  // Consumes bytes up to and including the end-of-data marker; returns the
  // number consumed. Bytes after the marker (pipelined commands) are left.
  std::size_t feed(std::string_view input);

  bool done() const { return state_ == state::done; }
  bool too_big() const { return too_big_; }
  bool line_too_long() const { return line_too_long_; }
  bool bare_newline() const { return bare_newline_; }
  std::size_t size() const { return size_; }

  // The message with CRLF line ends and dots unstuffed; empty if too big.
  std::string take_message() { return std::move(message_); }

 private:
  enum class state { line_start, dot, dot_cr, in_line, cr, done };

  void emit(char c);
  void in_line(char c);

  std::size_t max_size_;
  std::size_t max_line_;
  std::string message_;
  std::size_t size_ = 0;
  std::size_t line_length_ = 0;
  state state_ = state::line_start;
  bool too_big_ = false;
  bool line_too_long_ = false;
  bool bare_newline_ = false;
};

}  // namespace copper::smtp
