// Splits the client's byte stream into whole IMAP commands (RFC 9051 2.2.1,
// 4.3): a command is one line, unless a line ends in a literal "{n}",
// "{n+}" (RFC 7888) or "~{n}" (RFC 3516), whose n octets and the rest of the
// line belong to the same command. No I/O: fed bytes, it says how many it
// consumed, when a synchronizing literal needs a "+" continuation, and when a
// bound is crossed. Literals split across packets are handled byte-exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace copper::imap {

struct reader_limits {
  std::size_t max_line = std::size_t{64} * 1024;  // one line of a command, without literals
  std::uint64_t max_literal =
      std::uint64_t{50} * 1024 * 1024;                      // APPEND's message, the largest literal
  std::size_t max_command = std::size_t{60} * 1024 * 1024;  // everything of one command together
  std::size_t max_literals = 1000;                          // MULTIAPPEND and friends
};

class command_reader {
 public:
  enum class event {
    need_more,        // feed more bytes
    command,          // a whole command is ready: take_command()
    continuation,     // a synchronizing literal follows: send "+ ..." then feed more
    line_too_long,    // the current line was discarded up to its CRLF
    literal_too_big,  // the command was abandoned; see literal_was_synchronizing()
  };
  struct step {
    event what;
    std::size_t consumed;
  };

  explicit command_reader(reader_limits limits) : limits_(limits) {}

  step feed(std::string_view input);
  std::string take_command();

  // For literal_too_big: a synchronizing literal is simply refused (the
  // client waits for "+" and never sends it); a non-synchronizing one means
  // the client is already sending its bytes and the connection must close.
  bool literal_was_synchronizing() const { return refused_sync_; }
  // The tag of the refused command, for its tagged error reply ("*" if unreadable).
  const std::string& refused_tag() const { return refused_tag_; }
  // True while reading the octets of a literal.
  bool in_literal() const { return literal_left_ > 0; }
  // True between commands: nothing of the next one has arrived yet.
  bool idle() const { return command_.empty() && literal_left_ == 0 && !discarding_line_; }

 private:
  enum class literal_kind { none, synchronizing, non_synchronizing };
  struct literal_spec {
    literal_kind kind = literal_kind::none;
    std::uint64_t size = 0;
  };
  static literal_spec literal_at_end(std::string_view line);
  std::string current_tag() const;
  void reset();

  reader_limits limits_;
  std::string command_;         // the command so far (lines with CRLF, literal octets)
  std::size_t line_start_ = 0;  // where the current line begins in command_
  std::uint64_t literal_left_ = 0;
  std::size_t literals_ = 0;
  bool discarding_line_ = false;
  bool refused_sync_ = false;
  std::string refused_tag_;
};

}  // namespace copper::imap
