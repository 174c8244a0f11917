// The store's batch reads (read_blobs, read_summaries, read_headers): the
// answers come in the order asked, a missing id answers empty without
// failing the batch, and a header block is cut where a whole-blob read
// would cut it, however far into the blob the blank line is.
#include <gtest/gtest.h>

#include "mailbox_store_fixture.h"

namespace copper::store::test {
namespace {

class BatchReadTest : public MailboxStoreTest {
 protected:
  std::vector<message_meta> load(const std::vector<std::string>& raws) {
    mailbox_id inbox = id_of(alice_, "INBOX");
    for (const auto& raw : raws) {
      append(alice_, inbox, raw);
    }
    return boxes().messages(inbox);
  }
};

TEST_F(BatchReadTest, BlobsAndSummariesComeInTheOrderAsked) {
  auto msgs = load({"Subject: one\r\n\r\n1\r\n", "Subject: two\r\n\r\n2\r\n"});
  ASSERT_EQ(msgs.size(), 2u);
  std::vector<std::int64_t> blobs{msgs[1].blob_id, 999'999, msgs[0].blob_id};
  auto raws = boxes().read_blobs(blobs);
  ASSERT_EQ(raws.size(), 3u);
  EXPECT_EQ(raws[0], "Subject: two\r\n\r\n2\r\n");
  EXPECT_FALSE(raws[1].has_value());
  EXPECT_EQ(raws[2], "Subject: one\r\n\r\n1\r\n");

  std::vector<std::int64_t> ids{msgs[1].id, 999'999, msgs[0].id};
  auto summaries = boxes().read_summaries(ids);
  ASSERT_EQ(summaries.size(), 3u);
  ASSERT_TRUE(summaries[0].has_value());
  EXPECT_EQ(summaries[0]->envelope, boxes().read_summary(msgs[1].id)->envelope);
  EXPECT_NE(summaries[0]->envelope.find("\"two\""), std::string::npos) << summaries[0]->envelope;
  EXPECT_FALSE(summaries[1].has_value());
  ASSERT_TRUE(summaries[2].has_value());
  EXPECT_NE(summaries[2]->envelope.find("\"one\""), std::string::npos);
  EXPECT_TRUE(boxes().read_summaries({}).empty());
  EXPECT_TRUE(boxes().read_blobs({}).empty());
}

TEST_F(BatchReadTest, HeadersEndAtTheFirstBlankLine) {
  // A header block longer than the first pieces read, with the blank line
  // straddling a piece boundary.
  std::string long_header = "Subject: long\r\nX-Pad: " + std::string(8192 - 24, 'p') + "\r\n\r\n";
  std::string big_header;
  for (int i = 0; big_header.size() < 100'000; ++i) {
    big_header += numbered("X-Field-", i) + ": value\r\n";
  }
  big_header += "\r\n";
  auto msgs = load({"Subject: crlf\r\nFrom: a@b\r\n\r\nbody\r\n\r\nmore\r\n",
                    "Subject: lf\nFrom: a@b\n\nbody\n\nmore\n",
                    "Subject: no body\r\n",  // no blank line: all of it is header
                    long_header + "body\r\n", big_header + "body\r\n"});
  ASSERT_EQ(msgs.size(), 5u);
  std::vector<std::int64_t> ids;
  for (const auto& m : msgs) {
    ids.push_back(m.blob_id);
  }
  ids.push_back(999'999);
  auto headers = boxes().read_headers(ids);
  ASSERT_EQ(headers.size(), 6u);
  EXPECT_EQ(headers[0], "Subject: crlf\r\nFrom: a@b\r\n\r\n");
  EXPECT_EQ(headers[1], "Subject: lf\nFrom: a@b\n\n");
  EXPECT_EQ(headers[2], "Subject: no body\r\n");
  EXPECT_EQ(headers[3], long_header);
  EXPECT_EQ(headers[4], big_header);
  EXPECT_EQ(headers[5], "");
}

TEST_F(BatchReadTest, HeadersAreBounded) {
  std::string huge =
      "Subject: huge\r\nX-Pad: " + std::string(max_header_block, 'p') + "\r\n\r\nb\r\n";
  auto msgs = load({huge});
  ASSERT_EQ(msgs.size(), 1u);
  auto headers = boxes().read_headers({msgs[0].blob_id});
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].size(), max_header_block);
  EXPECT_EQ(headers[0], huge.substr(0, max_header_block));
}

}  // namespace
}  // namespace copper::store::test
