// The MIME structure: part offsets, multipart boundaries (RFC 2046 5.1.1),
// default types (RFC 2045 5.2, RFC 2046 5.1.5), enclosed messages, LF-only
// input, and the limits on depth and part count.
#include "mime/message.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace copper::mime {
namespace {

std::string body_of(std::string_view raw, const part& p) { return std::string(p.body.of(raw)); }
std::string header_of(std::string_view raw, const part& p) { return std::string(p.header.of(raw)); }

// Every span lies within the input, headers precede bodies, and children
// lie in order inside their parent's body.
void check_offsets(std::string_view raw, const part& p) {
  ASSERT_LE(p.header.begin, p.header.end);
  ASSERT_LE(p.header.end, p.body.begin);
  ASSERT_LE(p.body.begin, p.body.end);
  ASSERT_LE(p.body.end, raw.size());
  std::size_t pos = p.body.begin;
  for (const part& c : p.children) {
    ASSERT_GE(c.header.begin, pos);
    ASSERT_LE(c.body.end, p.body.end);
    check_offsets(raw, c);
    pos = c.body.end;
  }
}

TEST(Structure, SinglePartMessage) {
  std::string raw = "Subject: hi\r\n\r\nline 1\r\nline 2\r\n";
  message m = parse(raw);
  EXPECT_EQ(header_of(raw, m.root), "Subject: hi\r\n\r\n");
  EXPECT_EQ(body_of(raw, m.root), "line 1\r\nline 2\r\n");
  EXPECT_EQ(m.root.type, "text");
  EXPECT_EQ(m.root.subtype, "plain");
  EXPECT_EQ(m.root.charset(), "us-ascii");
  EXPECT_EQ(m.root.body_lines, 2u);
  EXPECT_EQ(m.root.body_bare_lf, 0u);
  EXPECT_EQ(m.part_count, 1u);
  EXPECT_FALSE(m.limit_reached);
}

TEST(Structure, EmptyInputAndHeaderWithoutBody) {
  message m = parse("");
  EXPECT_EQ(m.root.header, (span{0, 0}));
  EXPECT_EQ(m.root.body, (span{0, 0}));

  std::string raw = "From: a@b\nSubject: no body";
  m = parse(raw);
  EXPECT_EQ(m.root.header, (span{0, raw.size()}));
  EXPECT_EQ(m.root.body, (span{raw.size(), raw.size()}));
}

TEST(Structure, BlankFirstLineMeansEmptyHeader) {
  std::string raw = "\r\nbody\r\n";
  message m = parse(raw);
  EXPECT_EQ(header_of(raw, m.root), "\r\n");
  EXPECT_EQ(body_of(raw, m.root), "body\r\n");
}

// RFC 2046 5.1.1: preamble and epilogue belong to no body part, and the CRLF
// before each delimiter belongs to the delimiter.
TEST(Boundaries, PreambleEpilogueAndDelimiterCrlf) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=\"simple boundary\"\r\n\r\n"
      "preamble\r\n"
      "--simple boundary\r\n"
      "\r\n"
      "implicitly typed\r\n"
      "--simple boundary\r\n"
      "Content-type: text/plain; charset=us-ascii\r\n"
      "\r\n"
      "explicit\r\n"
      "\r\n"
      "--simple boundary--\r\n"
      "epilogue\r\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 2u);
  const part& a = m.root.children[0];
  const part& b = m.root.children[1];
  EXPECT_EQ(header_of(raw, a), "\r\n");
  EXPECT_EQ(body_of(raw, a), "implicitly typed");
  EXPECT_EQ(a.body_lines, 0u);
  EXPECT_EQ(header_of(raw, b), "Content-type: text/plain; charset=us-ascii\r\n\r\n");
  EXPECT_EQ(body_of(raw, b), "explicit\r\n");
  EXPECT_EQ(b.body_lines, 1u);
  EXPECT_EQ(m.root.body.end, raw.size());  // the epilogue is in the multipart's body
  EXPECT_EQ(m.part_count, 3u);
  check_offsets(raw, m.root);
}

// RFC 2046 5.1.1: transport padding after a delimiter; only a prefix of the
// line has to match.
TEST(Boundaries, TransportPaddingAndTrailingText) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=b\n\n--b  \t\n\nA\n--b junk\n\nB\n--b--  \nafter\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 2u);
  EXPECT_EQ(body_of(raw, m.root.children[0]), "A");
  EXPECT_EQ(body_of(raw, m.root.children[1]), "B");
}

TEST(Boundaries, NestedMultiparts) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=outer\n\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=inner\n\n"
      "--inner\n\nplain\n"
      "--inner\nContent-Type: text/html\n\n<p>html</p>\n"
      "--inner--\n"
      "inner epilogue\n"
      "--outer\n\nlast\n"
      "--outer--\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 2u);
  const part& alt = m.root.children[0];
  EXPECT_EQ(alt.subtype, "alternative");
  ASSERT_EQ(alt.children.size(), 2u);
  EXPECT_EQ(body_of(raw, alt.children[0]), "plain");
  EXPECT_EQ(body_of(raw, alt.children[1]), "<p>html</p>");
  EXPECT_EQ(alt.children[1].subtype, "html");
  EXPECT_EQ(body_of(raw, m.root.children[1]), "last");
  EXPECT_EQ(m.part_count, 5u);
  check_offsets(raw, m.root);
}

// An inner boundary that is a prefix of the outer one: the longest match
// wins, so "--ab" ends the inner multipart instead of being its delimiter.
TEST(Boundaries, InnerBoundaryIsPrefixOfOuter) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=\"ab\"\n\n"
      "--ab\n"
      "Content-Type: multipart/mixed; boundary=\"a\"\n\n"
      "--a\n\nbody\n"
      "--ab\n"
      "Content-Type: text/html\n\nbody2\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 2u);
  ASSERT_EQ(m.root.children[0].children.size(), 1u);
  EXPECT_EQ(body_of(raw, m.root.children[0].children[0]), "body");
  EXPECT_EQ(body_of(raw, m.root.children[1]), "body2\n");
}

// The same boundary nested: the innermost multipart owns it.
TEST(Boundaries, SameBoundaryNested) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=\"a\"\n\n--a\n"
      "Content-Type: multipart/mixed; boundary=\"a\"\n\n--a\n\nbody\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 1u);
  ASSERT_EQ(m.root.children[0].children.size(), 1u);
  EXPECT_EQ(body_of(raw, m.root.children[0].children[0]), "body\n");
}

// "--a--" could close boundary "a" or open boundary "a--": the exact match
// counts, ignoring a trailing "--".
TEST(Boundaries, BoundariesEndingInDashes) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=\"a--\"\n\n--a--\n"
      "Content-Type: multipart/mixed; boundary=\"a----\"\n\n--a----\n"
      "Content-Type: text/plain\n\nbody\n--a------\nContent-Type: text/html\n\nbody2\n--a----";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 1u);
  ASSERT_EQ(m.root.children[0].children.size(), 1u);
  EXPECT_EQ(body_of(raw, m.root.children[0].children[0]), "body");
}

// Broken mail never fails: a missing final delimiter ends everything at the
// end of the input; a boundary that never appears leaves no body parts.
TEST(Boundaries, MissingDelimiters) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=xyz\n\npre\n--xyz\n\nfirst\n--xyz\n"
      "Content-Type: multipart/related; boundary=xy\n\n--xy\nContent-Type: text/html\n\n<p>\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 2u);
  ASSERT_EQ(m.root.children[1].children.size(), 1u);
  EXPECT_EQ(body_of(raw, m.root.children[1].children[0]), "<p>\n");
  EXPECT_EQ(m.root.children[1].body.end, raw.size());

  std::string never = "Content-Type: multipart/mixed; boundary=\"zz\"\n\nbody\n";
  m = parse(never);
  EXPECT_TRUE(m.root.is_multipart());
  EXPECT_TRUE(m.root.children.empty());
  EXPECT_EQ(body_of(never, m.root), "body\n");
}

TEST(Boundaries, MultipartWithoutBoundaryParameter) {
  std::string raw = "Content-Type: multipart/mixed\n\n--x\n\nhi\n";
  message m = parse(raw);
  EXPECT_TRUE(m.root.is_multipart());
  EXPECT_TRUE(m.root.children.empty());
}

// A delimiter inside a body part's header ends that part (its header has no
// blank line); the line break before the delimiter is not in the header.
TEST(Boundaries, DelimiterInsideHeader) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=\":foo\"\n\n--:foo\n--:foo\n"
      "Content-Type: text/html\r\n--:foo--\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 2u);
  const part& empty = m.root.children[0];
  EXPECT_EQ(empty.header.size(), 0u);
  EXPECT_EQ(empty.body.size(), 0u);
  const part& cut = m.root.children[1];
  EXPECT_EQ(header_of(raw, cut), "Content-Type: text/html");
  EXPECT_EQ(cut.subtype, "html");
  EXPECT_EQ(cut.body.size(), 0u);
}

TEST(Boundaries, OverlongBoundaryIsCutTo80) {
  std::string b82(82, 'x');
  std::string raw = "Content-Type: multipart/mixed; boundary=\"" + b82 + "\"\n\n--" +
                    std::string(80, 'x') + "yy\n\none\n--" + std::string(80, 'x') + "--\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(find_param(m.root.type_params, "boundary")->value, b82);
}

// A candidate delimiter line at the end of the input, exactly as long as the
// longest boundary line looked at (found by the fuzzer: read past the end).
TEST(Boundaries, DelimiterCandidateAtEndOfInput) {
  for (std::size_t n = 80; n < 90; ++n) {
    std::string raw =
        "Content-Type: multipart/mixed; boundary=a\n\n--a\n\nx\n--" + std::string(n, 'b');
    message m = parse(raw);
    ASSERT_EQ(m.root.children.size(), 1u);
    EXPECT_EQ(m.root.children[0].body.end, raw.size());
  }
}

TEST(Types, DefaultsAndCase) {
  std::string raw =
      "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: in digest\n\nx\n"
      "--d\nContent-Type: TEXT/HTML; CHARSET=\"ISO-8859-1\"\nContent-Transfer-Encoding: "
      "BASE64\n\neA==\n"
      "--d\nContent-Type: text\n\nbad type\n--d--\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 3u);
  // RFC 2046 5.1.5: message/rfc822 is the default in a digest.
  const part& implicit = m.root.children[0];
  EXPECT_TRUE(implicit.is_message());
  EXPECT_EQ(implicit.written_type, "message");
  ASSERT_EQ(implicit.children.size(), 1u);
  EXPECT_EQ(header_of(raw, implicit.children[0]), "Subject: in digest\n\n");
  const part& html = m.root.children[1];
  EXPECT_EQ(html.type, "text");
  EXPECT_EQ(html.subtype, "html");
  EXPECT_EQ(html.written_type, "TEXT");
  EXPECT_EQ(html.charset(), "ISO-8859-1");
  EXPECT_EQ(html.transfer_encoding_name, "BASE64");
  EXPECT_EQ(html.encoding, transfer_encoding::base64);
  // RFC 2045 5.2: an invalid Content-Type means the default of the context.
  EXPECT_TRUE(m.root.children[2].is_message());
}

TEST(Types, ContentFields) {
  std::string raw =
      "Content-Type: image/png; name=x.png\n"
      "Content-ID:  <id@example.org>\n"
      "Content-Description: a\n  picture\n"
      "Content-Disposition: INLINE; filename*=utf-8''%E2%82%AC.png\n"
      "Content-Language: en, de\n"
      "Content-Location: http://example.org/x.png\n"
      "Content-MD5: Q2hlY2s=\n"
      "Content-Transfer-Encoding: 8 bit\n"
      "Content-Type: text/plain\n\nPNG";
  message m = parse(raw);
  const part& p = m.root;
  EXPECT_EQ(p.type, "image");  // the first Content-Type counts
  EXPECT_EQ(p.charset(), "");
  EXPECT_EQ(p.id, "<id@example.org>");
  EXPECT_EQ(p.description, "a  picture");
  EXPECT_TRUE(p.has_disposition);
  EXPECT_EQ(p.disposition, "INLINE");
  ASSERT_EQ(p.disposition_params.size(), 1u);
  EXPECT_EQ(p.disposition_params[0].value, "\xE2\x82\xAC.png");
  EXPECT_EQ(p.languages, (std::vector<std::string>{"en", "de"}));
  EXPECT_EQ(p.location, "http://example.org/x.png");
  EXPECT_EQ(p.md5, "Q2hlY2s=");
  EXPECT_EQ(p.transfer_encoding_name, "7bit");  // "8 bit" is not a mechanism
}

TEST(Messages, EnclosedMessagesNest) {
  std::string raw =
      "Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\n"
      "Content-Type: text/plain\n\n1\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 1u);
  const part& inner = m.root.children[0];
  EXPECT_EQ(inner.header.begin, m.root.body.begin);
  ASSERT_EQ(inner.children.size(), 1u);
  EXPECT_EQ(body_of(raw, inner.children[0]), "1\n");
  EXPECT_EQ(m.root.body_lines, 5u);
  EXPECT_EQ(m.part_count, 3u);
}

TEST(Messages, GlobalIsParsedToo) {
  std::string raw = "Content-Type: message/global\n\nSubject: \xC3\xA4\n\nbody\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 1u);
  EXPECT_EQ(body_of(raw, m.root.children[0]), "body\n");
}

// LF-only mail: offsets stay exact, and every LF counts as a bare one.
TEST(LineEnds, LfOnlyAndMixed) {
  std::string raw = "Content-Type: multipart/mixed; boundary=m\n\n--m\n\na\nb\r\nc\n--m--\n";
  message m = parse(raw);
  ASSERT_EQ(m.root.children.size(), 1u);
  const part& p = m.root.children[0];
  EXPECT_EQ(body_of(raw, p), "a\nb\r\nc");
  EXPECT_EQ(p.body_lines, 2u);
  EXPECT_EQ(p.body_bare_lf, 1u);
  EXPECT_EQ(p.imap_size(), 7u);  // as served with CRLF line ends
}

TEST(Limits, DeepNestingStopsAtTheLimit) {
  std::string raw;
  for (int i = 0; i < 5000; ++i) {
    raw += "Content-Type: message/rfc822\n\n";
  }
  raw += "body\n";
  limits lim;
  lim.max_depth = 100;
  message m = parse(raw, lim);
  EXPECT_TRUE(m.limit_reached);
  EXPECT_EQ(m.part_count, 101u);
  const part* p = &m.root;
  int depth = 0;
  while (!p->children.empty()) {
    p = &p->children.front();
    ++depth;
  }
  EXPECT_EQ(depth, 100);
  EXPECT_TRUE(p->truncated);
  EXPECT_EQ(p->body.end, raw.size());
}

TEST(Limits, DeepMultipartNesting) {
  std::string raw;
  for (int i = 0; i < 300; ++i) {
    raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
           std::to_string(i) + "\n";
  }
  raw += "\nleaf\n";
  message m = parse(raw);
  EXPECT_TRUE(m.limit_reached);
  check_offsets(raw, m.root);
}

TEST(Limits, ManyParts) {
  std::string raw = "Content-Type: multipart/mixed; boundary=p\n\n";
  for (int i = 0; i < 20000; ++i) {
    raw += "--p\n\n" + std::to_string(i) + "\n";
  }
  raw += "--p--\n";
  limits lim;
  lim.max_parts = 10000;
  message m = parse(raw, lim);
  EXPECT_TRUE(m.limit_reached);
  EXPECT_EQ(m.part_count, 10000u);
  EXPECT_EQ(m.root.children.size(), 9999u);
  // The rest of the message belongs to the last part.
  EXPECT_EQ(m.root.children.back().body.end, raw.size());
  check_offsets(raw, m.root);
}

TEST(Limits, ContentFieldSizeIsBounded) {
  std::string raw = "Content-Description: " + std::string(100000, 'x') + "\n\nb";
  limits lim;
  lim.max_field_size = 1000;
  message m = parse(raw, lim);
  EXPECT_EQ(m.root.description.size(), 999u);  // the leading space is dropped
}

// Offsets on every test message are consistent.
TEST(Structure, OffsetsOnTheCorpus) {
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(COPPER_SOURCE_DIR) / "tests/unit/mime/messages")) {
    if (entry.path().extension() != ".eml") {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string raw = ss.str();
    SCOPED_TRACE(entry.path().string());
    check_offsets(raw, parse(raw).root);
    ++count;
  }
  EXPECT_GE(count, 60);
}

TEST(HeaderAt, FindsTheBlankLine) {
  std::string raw = "xxA: 1\r\n\r\nbody";
  EXPECT_EQ(header_at(raw, 2, span{2, raw.size()}), (span{2, 10}));
  EXPECT_EQ(header_at(raw, 2, span{2, 6}), (span{2, 6}));
}

}  // namespace
}  // namespace copper::mime
