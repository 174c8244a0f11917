// store/message_index.h: what is computed once per message, over hand-made
// messages and the broken real-world corpus in /work/shared/corpus/mime.
#include "store/message_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>

#include "mime/casefold.h"
#include "mime/charset.h"
#include "mime/imap.h"
#include "mime/message.h"
#include "store/search_document.h"

namespace copper::store {
namespace {

bool has(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(MessageIndex, StructureIsWhatFetchRendered) {
  std::string raw =
      "From: =?utf-8?q?=C3=89mile?= <emile@example.org>\r\nTo: a@example.org\r\n"
      "Subject: =?iso-8859-1?q?Gr=FC=DFe?=\r\nMessage-ID: <m1@example.org>\r\n"
      "In-Reply-To: <p2@x>\r\nReferences: <p0@x> <p1@x>\r\n\r\nHello\r\n";
  message_index idx = index_message(raw);
  mime::message m = mime::parse(raw);
  EXPECT_EQ(idx.envelope, mime::imap_envelope(raw, m));
  EXPECT_EQ(idx.bodystructure, mime::imap_bodystructure(raw, m, true));
  EXPECT_EQ(idx.body, mime::imap_bodystructure(raw, m, false));
  EXPECT_EQ(idx.message_id, "m1@example.org");
  EXPECT_EQ(idx.parents, (std::vector<std::string>{"p2@x", "p0@x", "p1@x"}));
}

TEST(SearchDocument, TextIsDecodedAndFolded) {
  std::string raw =
      "From: =?utf-8?q?=C3=89mile?= <emile@example.org>\r\nTo: a@example.org\r\n"
      "Subject: =?iso-8859-1?q?Gr=FC=DFe?=\r\nMessage-ID: <m1@example.org>\r\n\r\nHello\r\n";
  search_document idx = extract_search_document(raw);
  EXPECT_TRUE(has(idx.from, mime::casefold("\xC3\x89mile"))) << idx.from;
  EXPECT_TRUE(has(idx.subject, mime::casefold("GR\xC3\x9C"
                                              "SSE")))
      << idx.subject;
  EXPECT_TRUE(has(idx.headers, "message-id: <m1@example.org>")) << idx.headers;
  EXPECT_TRUE(has(idx.text, "hello")) << idx.text;
  EXPECT_FALSE(has(idx.text, "subject")) << "the header is not body text";
}

TEST(SearchDocument, MatchesLikeTheIndex) {
  search_document d = extract_search_document(
      "From: Ann <ann@example.org>\r\nSubject: Quarterly report\r\n\r\nThe numbers\r\n");
  EXPECT_TRUE(document_contains(d, text_field::from, "ann@exa"));
  EXPECT_TRUE(document_contains(d, text_field::subject, "quarterly"));
  EXPECT_FALSE(document_contains(d, text_field::body, "quarterly"));
  EXPECT_TRUE(document_contains(d, text_field::text, "quarterly")) << "TEXT covers the header";
  EXPECT_TRUE(document_contains(d, text_field::text, "numbers"));
  EXPECT_FALSE(document_contains(d, text_field::to, "ann"));
}

TEST(SearchDocument, IndexedTextIsBounded) {
  std::string raw = "Subject: big\r\n\r\n" + std::string(3 * max_indexed_text, 'x');
  search_document idx = extract_search_document(raw);
  EXPECT_LE(idx.text.size(), max_indexed_text);
  EXPECT_GT(idx.text.size(), max_indexed_text / 2);
}

TEST(MessageIndex, EmptyAndHeaderOnlyMessages) {
  for (const char* raw : {"", "\r\n", "Subject: x", "garbage without colon\r\n\r\n"}) {
    message_index idx = index_message(raw);
    EXPECT_FALSE(idx.envelope.empty()) << raw;
    EXPECT_FALSE(idx.bodystructure.empty()) << raw;
  }
}

// Every message of the corpus gets a structure and valid UTF-8 search text,
// and the structure is what the MIME renderer gives for it.
TEST(MessageIndex, BrokenCorpus) {
  const std::filesystem::path root = "/work/shared/corpus/mime";
  if (!std::filesystem::exists(root)) {
    GTEST_SKIP() << "no corpus at " << root;
  }
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".eml") {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string raw = buf.str();
    message_index idx = index_message(raw);
    mime::message m = mime::parse(raw);
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(idx.envelope, mime::imap_envelope(raw, m));
    EXPECT_EQ(idx.bodystructure, mime::imap_bodystructure(raw, m, true));
    search_document doc = extract_search_document(raw);
    for (const std::string* s :
         {&doc.from, &doc.to, &doc.cc, &doc.bcc, &doc.subject, &doc.headers, &doc.text}) {
      EXPECT_TRUE(mime::is_valid_utf8(*s));
      EXPECT_EQ(mime::casefold(*s), *s) << "indexed text is already folded";
    }
    // SEARCH's header-only read of a message not yet indexed agrees.
    search_document fields = extract_search_fields(raw);
    EXPECT_EQ(std::tie(fields.from, fields.to, fields.cc, fields.bcc, fields.subject),
              std::tie(doc.from, doc.to, doc.cc, doc.bcc, doc.subject));
    EXPECT_TRUE(fields.headers.empty() && fields.text.empty());
    ++count;
  }
  EXPECT_GE(count, 40);
}

}  // namespace
}  // namespace copper::store
