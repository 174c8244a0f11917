// multiline_encoder: RETR and TOP bodies (RFC 1939 3, 7): byte-stuffing, a
// final CRLF, the terminator, TOP's line count, and pieces that join up to
// the same octets whatever their size.
#include "pop3/protocol/multiline.h"

#include <gtest/gtest.h>

#include <string>

namespace copper::pop3 {
namespace {

const std::string message =
    "Subject: hi\r\n.Header: odd\r\n\r\nline 1\r\n.line 2\r\n..line 3\r\n.\r\nline 5\r\n";

TEST(Pop3Multiline, StuffsLinesStartingWithADot) {
  EXPECT_EQ(encode_multiline(message),
            "Subject: hi\r\n..Header: odd\r\n\r\nline 1\r\n..line 2\r\n...line 3\r\n..\r\n"
            "line 5\r\n.\r\n");
}

TEST(Pop3Multiline, AddsTheMissingFinalCrlf) {
  EXPECT_EQ(encode_multiline("A: b\r\n\r\nno end"), "A: b\r\n\r\nno end\r\n.\r\n");
  EXPECT_EQ(encode_multiline("A: b\r\n\r\n."), "A: b\r\n\r\n..\r\n.\r\n");
  EXPECT_EQ(encode_multiline(""), ".\r\n");
}

TEST(Pop3Multiline, BareLineFeedsBecomeCrlf) {
  EXPECT_EQ(encode_multiline("A: b\n\nx\n.y\n"), "A: b\r\n\r\nx\r\n..y\r\n.\r\n");
}

TEST(Pop3Multiline, TopSendsHeaderBlankLineAndNBodyLines) {
  EXPECT_EQ(encode_multiline(message, 0), "Subject: hi\r\n..Header: odd\r\n\r\n.\r\n");
  EXPECT_EQ(encode_multiline(message, 2),
            "Subject: hi\r\n..Header: odd\r\n\r\nline 1\r\n..line 2\r\n.\r\n");
  EXPECT_EQ(encode_multiline(message, 1000), encode_multiline(message));
  // No body at all: the whole message is header.
  EXPECT_EQ(encode_multiline("A: b\r\nC: d\r\n", 0), "A: b\r\nC: d\r\n.\r\n");
}

TEST(Pop3Multiline, PiecesJoinToTheSameOctets) {
  std::string big = "Subject: big\r\n\r\n";
  for (int i = 0; i < 200; ++i) {
    big += (i % 3 == 0 ? "." : "") + std::string(static_cast<std::size_t>(i * 7), 'z') + "\r\n";
  }
  std::string whole = encode_multiline(big);
  for (std::size_t max : {1, 2, 5, 64, 1000, 100000}) {
    multiline_encoder enc(big);
    std::string joined;
    while (!enc.done()) {
      auto piece = enc.next(max);
      EXPECT_FALSE(piece.empty());
      EXPECT_LE(piece.size(), max + 3);  // a CRLF or terminator may round it up
      joined += piece;
    }
    EXPECT_EQ(joined, whole) << "max " << max;
  }
}

}  // namespace
}  // namespace copper::pop3
