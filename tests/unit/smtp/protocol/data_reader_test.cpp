// data_reader: RFC 5321 4.5.2 transparency, 4.1.1.4 end of data, and the
// SMTP smuggling vectors (only <CRLF>.<CRLF> ends the data).
#include "smtp/protocol/data_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace copper::smtp {
namespace {

constexpr std::size_t big = 1 << 20;

struct read_result {
  std::size_t consumed = 0;
  bool done = false;
  bool too_big = false;
  bool line_too_long = false;
  bool bare_newline = false;
  std::size_t size = 0;
  std::string message;
};

read_result finish(data_reader& r, std::size_t consumed) {
  read_result out;
  out.consumed = consumed;
  out.done = r.done();
  out.too_big = r.too_big();
  out.line_too_long = r.line_too_long();
  out.bare_newline = r.bare_newline();
  out.size = r.size();
  out.message = r.take_message();
  return out;
}

read_result read_all(std::string_view input, std::size_t max_size = big,
                     std::size_t max_line = 1000) {
  data_reader r(max_size, max_line);
  return finish(r, r.feed(input));
}

// Feeds one byte per call, as a client writing one-byte packets would.
read_result read_bytewise(std::string_view input, std::size_t max_size = big,
                          std::size_t max_line = 1000) {
  data_reader r(max_size, max_line);
  std::size_t consumed = 0;
  for (std::size_t i = 0; i < input.size() && !r.done(); ++i) {
    std::size_t n = r.feed(input.substr(i, 1));
    EXPECT_LE(n, 1u);
    consumed += n;
  }
  return finish(r, consumed);
}

// Feeds the input in two parts split at `at`, the way a session would: the
// second feed starts where the first stopped consuming.
read_result read_split(std::string_view input, std::size_t at) {
  data_reader r(big, 1000);
  std::size_t consumed = r.feed(input.substr(0, at));
  if (!r.done()) {
    consumed += r.feed(input.substr(consumed));
  }
  return finish(r, consumed);
}

void expect_same(const read_result& a, const read_result& b, const std::string& how) {
  EXPECT_EQ(a.consumed, b.consumed) << how;
  EXPECT_EQ(a.done, b.done) << how;
  EXPECT_EQ(a.too_big, b.too_big) << how;
  EXPECT_EQ(a.line_too_long, b.line_too_long) << how;
  EXPECT_EQ(a.bare_newline, b.bare_newline) << how;
  EXPECT_EQ(a.size, b.size) << how;
  EXPECT_EQ(a.message, b.message) << how;
}

TEST(DataReader, SimpleMessage) {
  std::string input = "Subject: hi\r\n\r\nHello\r\n.\r\n";
  auto r = read_all(input);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.consumed, input.size());
  // The CRLF before the final dot belongs to the message (4.1.1.4).
  EXPECT_EQ(r.message, "Subject: hi\r\n\r\nHello\r\n");
  EXPECT_EQ(r.size, r.message.size());
  EXPECT_FALSE(r.bare_newline);
  EXPECT_FALSE(r.too_big);
  EXPECT_FALSE(r.line_too_long);
}

// The DATA reply follows a CRLF, so a message with no lines ends at once.
TEST(DataReader, EmptyMessage) {
  auto r = read_all(".\r\n");
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.consumed, 3u);
  EXPECT_EQ(r.message, "");
  EXPECT_EQ(r.size, 0u);
}

TEST(DataReader, IncompleteInputIsNotDone) {
  for (std::string_view input :
       {"", "Hello", "Hello\r", "Hello\r\n", "Hello\r\n.", "Hello\r\n.\r"}) {
    data_reader r(big, 1000);
    EXPECT_EQ(r.feed(input), input.size()) << input;
    EXPECT_FALSE(r.done()) << input;
  }
}

// RFC 5321 4.5.2: "If the first character is a period and there are other
// characters on the line, the first character is deleted."
TEST(DataReader, DotUnstuffing) {
  EXPECT_EQ(read_all("..leading dot\r\n.\r\n").message, ".leading dot\r\n");
  EXPECT_EQ(read_all("..\r\n.\r\n").message, ".\r\n");
  EXPECT_EQ(read_all("...\r\n.\r\n").message, "..\r\n");
  EXPECT_EQ(read_all("a\r\n..b\r\n..\r\nc\r\n.\r\n").message, "a\r\n.b\r\n.\r\nc\r\n");
  // Only the first character of a line is special.
  EXPECT_EQ(read_all("a.b\r\n a.\r\nx..\r\n.\r\n").message, "a.b\r\n a.\r\nx..\r\n");
}

TEST(DataReader, BytesAfterTheEndAreLeftUnconsumed) {
  std::string body = "Hi\r\n.\r\n";
  std::string input = body + "QUIT\r\n";  // PIPELINING (RFC 2920)
  data_reader r(big, 1000);
  EXPECT_EQ(r.feed(input), body.size());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.take_message(), "Hi\r\n");
  // Once done, nothing more is consumed.
  EXPECT_EQ(r.feed("MAIL FROM:<>\r\n"), 0u);
  EXPECT_TRUE(r.done());
}

TEST(DataReader, EndMarkerSplitAtEveryByteBoundary) {
  const std::string input = "From: a@example.org\r\n\r\n..stuffed\r\nbody\r\n.\r\nQUIT\r\n";
  const auto whole = read_all(input);
  ASSERT_TRUE(whole.done);
  EXPECT_EQ(whole.message, "From: a@example.org\r\n\r\n.stuffed\r\nbody\r\n");
  EXPECT_EQ(whole.consumed, input.size() - 6);

  expect_same(read_bytewise(input), whole, "one byte at a time");
  for (std::size_t at = 0; at <= input.size(); ++at) {
    expect_same(read_split(input, at), whole, "split at " + std::to_string(at));
  }
}

// The SMTP smuggling vectors (CVE-2023-51764/51765/51766): sequences that
// other servers take as the end of data. RFC 5321 2.3.8: CR and LF appear
// only together as CRLF; a bare one never starts a line, so none of these ends
// the data, and each is flagged so that the session refuses the message.
TEST(DataReader, SmugglingVectorsDoNotEndTheData) {
  const std::vector<std::string> vectors = {
      "\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r.\r\n", "\n.\r", "\r.\n",
  };
  const std::string smuggled = "MAIL FROM:<evil@example.net>\r\nRCPT TO:<v@example.org>\r\n";
  for (const auto& v : vectors) {
    SCOPED_TRACE(testing::PrintToString(v));
    std::string before_end = "Subject: x\r\n\r\nbody" + v + smuggled;
    std::string input = before_end + ".\r\n" + "QUIT\r\n";

    data_reader partial(big, 1000);
    EXPECT_EQ(partial.feed(before_end), before_end.size());
    EXPECT_FALSE(partial.done());
    EXPECT_TRUE(partial.bare_newline());

    auto whole = read_all(input);
    EXPECT_TRUE(whole.done);
    EXPECT_EQ(whole.consumed, before_end.size() + 3);  // the real <CRLF>.<CRLF>
    EXPECT_TRUE(whole.bare_newline);
    EXPECT_NE(whole.message.find("MAIL FROM:<evil@example.net>"), std::string::npos);
    expect_same(read_bytewise(input), whole, "one byte at a time");
  }
}

// ".<CR>" at the start of a line followed by anything but LF: the dot is
// stuffing, the CR is bare.
TEST(DataReader, DotCrAtLineStartFollowedByNonLf) {
  for (std::string input : {std::string(".\rX\r\n.\r\n"), std::string("a\r\n.\rX\r\n.\r\n")}) {
    SCOPED_TRACE(testing::PrintToString(input));
    auto r = read_all(input);
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.consumed, input.size());
    EXPECT_TRUE(r.bare_newline);
    EXPECT_NE(r.message.find("\rX\r\n"), std::string::npos);
    expect_same(read_bytewise(input), r, "one byte at a time");
  }
  // ".<CR><CR><LF>": still not an end marker.
  auto r = read_all(".\r\r\n.\r\n");
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.consumed, 7u);
  EXPECT_TRUE(r.bare_newline);
}

TEST(DataReader, BareNewlineContentIsKept) {
  auto lf = read_all("a\nb\r\n.\r\n");
  EXPECT_TRUE(lf.bare_newline);
  EXPECT_EQ(lf.message, "a\nb\r\n");

  auto cr = read_all("a\rb\r\n.\r\n");
  EXPECT_TRUE(cr.bare_newline);
  EXPECT_EQ(cr.message, "a\rb\r\n");

  EXPECT_FALSE(read_all("a\r\nb\r\n.\r\n").bare_newline);
}

TEST(DataReader, MaxSizeDropsTheMessageButFindsTheEnd) {
  std::string body = "0123456789ABCDEF\r\n";  // 18 octets
  std::string input = body + ".\r\nQUIT\r\n";
  auto r = read_all(input, 10);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.consumed, body.size() + 3);
  EXPECT_TRUE(r.too_big);
  EXPECT_EQ(r.message, "");  // not kept: memory stays bounded
  EXPECT_EQ(r.size, body.size());
  expect_same(read_bytewise(input, 10), r, "one byte at a time");
}

TEST(DataReader, MaxSizeBoundary) {
  auto exact = read_all("12345678\r\n.\r\n", 10);  // 10 octets
  EXPECT_FALSE(exact.too_big);
  EXPECT_EQ(exact.message, "12345678\r\n");

  auto over = read_all("123456789\r\n.\r\n", 10);  // 11 octets
  EXPECT_TRUE(over.too_big);
  EXPECT_EQ(over.message, "");
  EXPECT_TRUE(over.done);
}

// Stuffing dots are not part of the message, so they do not count.
TEST(DataReader, MaxSizeCountsTheUnstuffedMessage) {
  auto r = read_all("..234567\r\n.\r\n", 9);
  EXPECT_FALSE(r.too_big);
  EXPECT_EQ(r.message, ".234567\r\n");
}

TEST(DataReader, MaxLine) {
  auto ok = read_all("0123456789\r\n0123456789\r\n.\r\n", big, 10);
  EXPECT_FALSE(ok.line_too_long);
  EXPECT_TRUE(ok.done);

  std::string input = "short\r\n0123456789A\r\nafter\r\n.\r\nQUIT\r\n";
  auto r = read_all(input, big, 10);
  EXPECT_TRUE(r.line_too_long);
  EXPECT_TRUE(r.done);  // the reader still finds the end, so the session can reply
  EXPECT_EQ(r.consumed, input.size() - 6);
  expect_same(read_bytewise(input, big, 10), r, "one byte at a time");
}

// RFC 5321 4.5.3.1.6: the line length limit does not count "the leading dot
// duplicated for transparency".
TEST(DataReader, MaxLineDoesNotCountTheStuffingDot) {
  auto r = read_all(".0123456789\r\n.\r\n", big, 10);
  EXPECT_FALSE(r.line_too_long);
  EXPECT_EQ(r.message, "0123456789\r\n");
}

// A bare LF is not a line end: it cannot be used to dodge the line limit.
TEST(DataReader, BareLfDoesNotResetTheLineLength) {
  auto r = read_all("012345\n6789AB\r\n.\r\n", big, 10);
  EXPECT_TRUE(r.line_too_long);
  EXPECT_TRUE(r.bare_newline);
}

}  // namespace
}  // namespace copper::smtp
