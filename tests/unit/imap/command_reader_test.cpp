// command_reader: commands split at line ends and literals (RFC 9051 4.3,
// RFC 7888), byte-exact across any packet split, with its bounds.
#include "imap/protocol/command_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace copper::imap {
namespace {

using ev = command_reader::event;

struct transcript {
  std::vector<std::string> commands;
  int continuations = 0;
  int errors = 0;
};

transcript feed_in_pieces(command_reader& r, std::string_view input, std::size_t step) {
  transcript t;
  for (std::size_t pos = 0; pos < input.size(); pos += step) {
    std::string_view piece = input.substr(pos, step);
    while (!piece.empty()) {
      auto s = r.feed(piece);
      piece.remove_prefix(s.consumed);
      if (s.what == ev::command) {
        t.commands.push_back(r.take_command());
      } else if (s.what == ev::continuation) {
        ++t.continuations;
      } else if (s.what == ev::line_too_long || s.what == ev::literal_too_big) {
        ++t.errors;
      }
    }
  }
  return t;
}

TEST(CommandReader, SimpleLinesWithoutTheirLineEnds) {
  command_reader r({});
  auto t = feed_in_pieces(r, "a1 NOOP\r\na2 CAPABILITY\r\n", 100);
  ASSERT_EQ(t.commands.size(), 2u);
  EXPECT_EQ(t.commands[0], "a1 NOOP");
  EXPECT_EQ(t.commands[1], "a2 CAPABILITY");
}

TEST(CommandReader, SynchronizingLiteralAsksForContinuation) {
  command_reader r({});
  std::string_view input = "a1 LOGIN {4}\r\nuser {6}\r\nsecret\r\n";
  auto t = feed_in_pieces(r, input, input.size());
  EXPECT_EQ(t.continuations, 2);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0], "a1 LOGIN {4}\r\nuser {6}\r\nsecret");
}

TEST(CommandReader, NonSynchronizingLiteralNeedsNoContinuation) {
  command_reader r({});
  auto t = feed_in_pieces(r, "a1 LOGIN {4+}\r\nuser pass\r\n", 1000);
  EXPECT_EQ(t.continuations, 0);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0], "a1 LOGIN {4+}\r\nuser pass");
}

TEST(CommandReader, LiteralHoldingCrLfAndBracesIsOpaque) {
  command_reader r({});
  // The literal's own "{9}\r\n" look-alike must not start another literal.
  std::string_view input = "a1 APPEND INBOX {12+}\r\nab\r\n{9}\r\ncd \r\na2 NOOP\r\n";
  for (std::size_t step = 1; step <= input.size(); ++step) {
    command_reader fresh({});
    auto t = feed_in_pieces(fresh, input, step);
    ASSERT_EQ(t.commands.size(), 2u) << "step " << step;
    EXPECT_EQ(t.commands[0], "a1 APPEND INBOX {12+}\r\nab\r\n{9}\r\ncd ") << "step " << step;
    EXPECT_EQ(t.commands[1], "a2 NOOP");
  }
}

TEST(CommandReader, ZeroLengthLiterals) {
  command_reader r({});
  auto t = feed_in_pieces(r, "a1 LOGIN {0+}\r\n {0}\r\n\r\n", 1000);
  EXPECT_EQ(t.continuations, 1);  // even an empty synchronizing literal waits for "+"
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0], "a1 LOGIN {0+}\r\n {0}\r\n");
}

TEST(CommandReader, Literal8) {
  command_reader r({});
  auto t = feed_in_pieces(r, std::string("a1 APPEND INBOX ~{3+}\r\na\0b\r\n", 28), 1000);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0], std::string("a1 APPEND INBOX ~{3+}\r\na\0b", 26));
}

TEST(CommandReader, SynchronizingLiteral8ByteByByte) {
  // RFC 3516 4.4: literal8 "~{n}" waits for "+" like "{n}"; its octets may
  // hold NUL, CR and LF.
  command_reader r({});
  std::string in("a1 APPEND INBOX ~{6}\r\n\0\r\n\0\n\0 EXTRA\r\n", 36);
  auto t = feed_in_pieces(r, in, 1);
  EXPECT_EQ(t.continuations, 1);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0], in.substr(0, in.size() - 2));
}

TEST(CommandReader, Literal8HasTheBoundsOfALiteral) {
  reader_limits limits;
  limits.max_literal = 100;
  command_reader r(limits);
  auto s = r.feed("x7 APPEND INBOX ~{101}\r\n");
  EXPECT_EQ(s.what, ev::literal_too_big);
  EXPECT_TRUE(r.literal_was_synchronizing());
  s = r.feed("x8 APPEND INBOX ~{101+}\r\n");
  EXPECT_EQ(s.what, ev::literal_too_big);
  EXPECT_FALSE(r.literal_was_synchronizing());
  EXPECT_EQ(r.refused_tag(), "x8");
  s = r.feed("x9 APPEND INBOX ~{99999999999999999999}\r\n");  // more than 19 digits: no literal
  EXPECT_EQ(s.what, ev::command);
}

TEST(CommandReader, LineTooLongIsDiscardedUpToItsEnd) {
  reader_limits limits;
  limits.max_line = 10;
  command_reader r(limits);
  auto t = feed_in_pieces(r, "a1 " + std::string(100, 'x') + "\r\na2 NOOP\r\n", 7);
  EXPECT_EQ(t.errors, 1);
  ASSERT_EQ(t.commands.size(), 1u);
  EXPECT_EQ(t.commands[0], "a2 NOOP");
}

TEST(CommandReader, LiteralTooBigKeepsTheTag) {
  reader_limits limits;
  limits.max_literal = 100;
  command_reader r(limits);
  auto s = r.feed("x7 APPEND INBOX {101}\r\n");
  EXPECT_EQ(s.what, ev::literal_too_big);
  EXPECT_TRUE(r.literal_was_synchronizing());
  EXPECT_EQ(r.refused_tag(), "x7");
  // The client never sent the octets: the next command reads normally.
  s = r.feed("x8 NOOP\r\n");
  EXPECT_EQ(s.what, ev::command);
  EXPECT_EQ(r.take_command(), "x8 NOOP");
}

TEST(CommandReader, NonSynchronizingLiteralTooBigIsReported) {
  reader_limits limits;
  limits.max_literal = 100;
  command_reader r(limits);
  auto s = r.feed("x7 APPEND INBOX {101+}\r\n");
  EXPECT_EQ(s.what, ev::literal_too_big);
  EXPECT_FALSE(r.literal_was_synchronizing());
}

TEST(CommandReader, TooManyLiterals) {
  reader_limits limits;
  limits.max_literals = 2;
  command_reader r(limits);
  auto t = feed_in_pieces(r, "a1 X {1+}\r\na {1+}\r\nb {1+}\r\nc\r\n", 1000);
  EXPECT_EQ(t.errors, 1);
}

}  // namespace
}  // namespace copper::imap
