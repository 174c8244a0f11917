// line_reader and parse_command: POP3 command lines (RFC 1939 3, RFC 2449 4),
// the same across any packet split, with the line bound.
#include "pop3/protocol/command.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace copper::pop3 {
namespace {

using ev = line_reader::event;

// Feeds `input` in pieces of `step` octets into a buffer, as the session
// does; "!" stands for a too-long line.
std::vector<std::string> lines_of(std::string_view input, std::size_t step, std::size_t max) {
  line_reader r(max);
  std::string buffer;
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < input.size(); pos += step) {
    buffer += input.substr(pos, step);
    for (;;) {
      auto s = r.feed(buffer);
      buffer.erase(0, s.consumed);
      if (s.what == ev::need_more) {
        break;
      }
      out.push_back(s.what == ev::line ? s.line : "!");
    }
  }
  return out;
}

TEST(Pop3LineReader, SplitsLinesAcrossAnyPacketBoundary) {
  std::string input = "USER a\r\nPASS b c\r\nSTAT\nQUIT\r\n";
  for (std::size_t step = 1; step <= input.size(); ++step) {
    EXPECT_EQ(lines_of(input, step, 255),
              (std::vector<std::string>{"USER a", "PASS b c", "STAT", "QUIT"}))
        << "step " << step;
  }
}

TEST(Pop3LineReader, BoundCountsTheCrlf) {
  std::string ok(253, 'x');
  EXPECT_EQ(lines_of(ok + "\r\n", 7, 255), std::vector<std::string>{ok});
  std::string long_line(254, 'x');
  EXPECT_EQ(lines_of(long_line + "\r\nNOOP\r\n", 300, 255),
            (std::vector<std::string>{"!", "NOOP"}));
}

TEST(Pop3LineReader, TooLongLineIsReportedOnceAndSkipped) {
  std::string input = std::string(5000, 'y') + "\r\nSTAT\r\n";
  for (std::size_t step : {1, 13, 1000, 6000}) {
    EXPECT_EQ(lines_of(input, step, 100), (std::vector<std::string>{"!", "STAT"}))
        << "step " << step;
  }
}

TEST(Pop3LineReader, IdleOnlyBetweenLines) {
  line_reader r(10);
  EXPECT_TRUE(r.idle());
  auto s = r.feed("0123456789abc");
  EXPECT_EQ(s.what, ev::too_long);
  EXPECT_FALSE(r.idle());
  s = r.feed("def\r\n");
  EXPECT_EQ(s.what, ev::need_more);
  EXPECT_EQ(s.consumed, 5u);
  EXPECT_TRUE(r.idle());
}

TEST(Pop3Command, KeywordIsCaseInsensitive) {
  auto c = parse_command("rEtR 12");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "RETR");
  EXPECT_EQ(c->args, std::vector<std::string>{"12"});
  EXPECT_EQ(c->rest, "12");
}

TEST(Pop3Command, PassKeepsSpacesInRest) {
  auto c = parse_command("PASS  two words ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rest, " two words ");
  EXPECT_EQ(c->args, (std::vector<std::string>{"two", "words"}));
}

TEST(Pop3Command, RejectsBadKeywords) {
  for (std::string_view line : {"", " STAT", "ST", "STATS1", "ST4T", "LONGER x", "\x01\x02\x03"}) {
    EXPECT_FALSE(parse_command(line)) << line;
  }
  EXPECT_TRUE(parse_command("TOP 1 0"));
}

TEST(Pop3Command, Numbers) {
  EXPECT_EQ(parse_number("0"), 0u);
  EXPECT_EQ(parse_number("4294967295"), 4294967295u);
  EXPECT_FALSE(parse_number("4294967296"));
  EXPECT_FALSE(parse_number("99999999999"));
  EXPECT_FALSE(parse_number(""));
  EXPECT_FALSE(parse_number("-1"));
  EXPECT_FALSE(parse_number("+1"));
  EXPECT_FALSE(parse_number("1a"));
}

}  // namespace
}  // namespace copper::pop3
