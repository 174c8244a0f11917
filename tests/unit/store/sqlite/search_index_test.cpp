// The cached structure, full-text index and EMAILID/THREADID of the SQLite
// store (migrations 3 and 8): the structure is written in the same
// transaction as the message, its text is searchable at once (indexed or
// listed as pending), both go with it, are kept by COPY and MOVE, and are
// rebuilt for messages stored before.
#include <chrono>
#include <iostream>

#include "mime/casefold.h"
#include "store/mailbox_store_fixture.h"
#include "store/message_index.h"

namespace copper::store::test {
namespace {

using F = text_field;

class SearchIndexTest : public MailboxStoreTest {
 protected:
  std::vector<std::uint32_t> search(mailbox_id mb, F field, std::string_view needle) {
    return boxes().search_text(mb, field, mime::casefold(needle));
  }
  using uids_t = std::vector<std::uint32_t>;
};

const std::string latin1_message =
    "From: =?iso-8859-1?q?=C9mile_Zola?= <emile@example.org>\r\n"
    "To: Bob <bob@example.org>\r\nCc: carol@example.org\r\n"
    "Subject: =?utf-8?b?U3RyYcOfZW5iYWhu?= timetable\r\n"
    "Message-ID: <root@example.org>\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    "Le caf=E9 est cr=E8me.\r\n";

TEST_F(SearchIndexTest, CommittedMessageIsSearchableByEveryField) {
  auto inbox = id_of(alice_, "INBOX");
  auto a = append(alice_, inbox, latin1_message);
  append(alice_, inbox, "Subject: other\r\n\r\nnothing here\r\n");
  EXPECT_EQ(search(inbox, F::from, "\xC3\xA9MILE"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::to, "bob@"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::cc, "CAROL"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::bcc, "carol"), uids_t{});
  EXPECT_EQ(search(inbox, F::subject, "STRASSENBAHN"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::body, "CAF\xC3\x89"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::body, "timetable"), uids_t{}) << "BODY is not the header";
  EXPECT_EQ(search(inbox, F::text, "timetable"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::text, "cr\xC3\xA8me"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::text, "\"quoted\""), uids_t{});
  EXPECT_EQ(search(inbox, F::body, "nothing"), uids_t{a.uid + 1});
}

// The indexer runs beside the appends: each message is found right after its
// append, whether still pending or already indexed, and exactly once.
TEST_F(SearchIndexTest, FoundAtOnceWhileTheIndexerCatchesUp) {
  auto inbox = id_of(alice_, "INBOX");
  constexpr int n = 200;
  for (int i = 0; i < n; ++i) {
    std::string token = "tok" + std::to_string(100000 + i);
    auto a = append(alice_, inbox, "Subject: s\r\n\r\nbody " + token + "\r\n");
    ASSERT_EQ(search(inbox, F::body, token), uids_t{a.uid}) << token;
    ASSERT_EQ(search(inbox, F::body, "tok1").size(), static_cast<std::size_t>(i + 1));
  }
  EXPECT_EQ(indexed_rows(), n);
  EXPECT_EQ(query_int("SELECT count(*) FROM search_pending"), 0);
  EXPECT_EQ(search(inbox, F::body, "tok100150"), uids_t{151});
  EXPECT_EQ(search(inbox, F::body, "tok1").size(), static_cast<std::size_t>(n));
}

TEST_F(SearchIndexTest, ShortNeedlesScanTheStoredText) {
  auto inbox = id_of(alice_, "INBOX");
  auto a = append(alice_, inbox, "Subject: xy\r\n\r\nab\r\n");
  auto b = append(alice_, inbox, "Subject: q\r\n\r\n\xC3\xA9t\xC3\xA9\r\n");
  EXPECT_EQ(search(inbox, F::body, "AB"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::subject, "Y"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::body, "\xC3\x89T"), uids_t{b.uid});
  EXPECT_EQ(search(inbox, F::body, ""), (uids_t{a.uid, b.uid})) << "every string contains \"\"";
  EXPECT_EQ(search(inbox, F::body, "zz"), uids_t{});
}

TEST_F(SearchIndexTest, OnlyTheMailboxAskedFor) {
  auto inbox = id_of(alice_, "INBOX");
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Other", "").ok());
  auto other = id_of(alice_, "Other");
  append(alice_, other, "Subject: s\r\n\r\nneedle\r\n");
  EXPECT_EQ(search(inbox, F::body, "needle"), uids_t{});
  EXPECT_EQ(search(other, F::body, "needle"), uids_t{1});
}

TEST_F(SearchIndexTest, ExpungedMessageIsNotFoundAndItsRowsGo) {
  auto inbox = id_of(alice_, "INBOX");
  auto a = append(alice_, inbox, latin1_message);
  ASSERT_TRUE(boxes().expunge(inbox, {a.uid}).ok());
  EXPECT_EQ(search(inbox, F::body, "caf\xC3\xA9"), uids_t{});
  EXPECT_EQ(search(inbox, F::body, "ca"), uids_t{});
  EXPECT_EQ(indexed_rows(), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM message_summaries"), 0);
}

TEST_F(SearchIndexTest, SharedBlobKeepsItsIndexUntilTheLastCopyGoes) {
  auto inbox = id_of(alice_, "INBOX");
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Keep", "").ok());
  auto archive = id_of(alice_, "Keep");
  auto a = append(alice_, inbox, latin1_message);
  auto c = boxes().copy(inbox, {a.uid}, archive);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(boxes().expunge(inbox, {a.uid}).ok());
  EXPECT_EQ(search(archive, F::body, "cr\xC3\xA8me"), c->dest_uids);
  EXPECT_EQ(indexed_rows(), 1);
}

TEST_F(SearchIndexTest, FailedAppendLeavesNoIndexRow) {
  auto small = add_account("small@example.org", 10);
  auto inbox = id_of(small, "INBOX");
  auto r = boxes().append(small, inbox, latin1_message, {}, 1700000000);
  EXPECT_EQ(code_of(r), "OVERQUOTA");
  EXPECT_EQ(indexed_rows(), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM message_summaries"), 0);
}

TEST_F(SearchIndexTest, DeliveryIndexesOnceForAllRecipients) {
  ASSERT_TRUE(deliver(latin1_message, {alice_, bob_}).ok());
  EXPECT_EQ(search(id_of(alice_, "INBOX"), F::body, "caf\xC3\xA9"), uids_t{1});
  EXPECT_EQ(search(id_of(bob_, "INBOX"), F::from, "zola"), uids_t{1});
  EXPECT_EQ(indexed_rows(), 1);
}

TEST_F(SearchIndexTest, SummaryIsTheCachedStructure) {
  auto inbox = id_of(alice_, "INBOX");
  append(alice_, inbox, latin1_message);
  auto meta = boxes().messages(inbox).at(0);
  auto summary = boxes().read_summary(meta.id);
  ASSERT_TRUE(summary.has_value());
  message_index expected = index_message(latin1_message);
  EXPECT_EQ(summary->envelope, expected.envelope);
  EXPECT_EQ(summary->bodystructure, expected.bodystructure);
  EXPECT_EQ(summary->body, expected.body);
  EXPECT_FALSE(boxes().read_summary(meta.id + 1000).has_value());
}

TEST_F(SearchIndexTest, EmailAndThreadIds) {
  auto inbox = id_of(alice_, "INBOX");
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Keep", "").ok());
  auto archive = id_of(alice_, "Keep");
  append(alice_, inbox, latin1_message);
  append(alice_, inbox,
         "Subject: Re\r\nMessage-ID: <reply@x>\r\nIn-Reply-To: <root@example.org>\r\n\r\nok\r\n");
  append(alice_, inbox, "Subject: Re Re\r\nReferences: <unknown@x> <reply@x>\r\n\r\nok\r\n");
  append(alice_, inbox, "Subject: new\r\nReferences: <nobody@x>\r\n\r\nx\r\n");
  // Bob's message names Alice's root: threads do not cross accounts.
  append(bob_, id_of(bob_, "INBOX"), "Subject: b\r\nIn-Reply-To: <root@example.org>\r\n\r\nx\r\n");
  auto msgs = boxes().messages(inbox);
  ASSERT_EQ(msgs.size(), 4u);
  EXPECT_EQ(msgs[0].email_id, msgs[0].id);
  EXPECT_EQ(msgs[0].thread_id, msgs[0].id);
  EXPECT_EQ(msgs[1].thread_id, msgs[0].thread_id);
  EXPECT_EQ(msgs[2].thread_id, msgs[0].thread_id);
  EXPECT_EQ(msgs[3].thread_id, msgs[3].id);
  auto bobs = boxes().messages(id_of(bob_, "INBOX"));
  EXPECT_EQ(bobs.at(0).thread_id, bobs.at(0).id);

  // RFC 8474 5.1: COPY and MOVE keep EMAILID (and so THREADID).
  auto copied = boxes().copy(inbox, {msgs[1].uid}, archive);
  ASSERT_TRUE(copied.ok());
  auto moved = boxes().move(inbox, {msgs[2].uid}, archive);
  ASSERT_TRUE(moved.ok());
  auto arch = boxes().messages(archive);
  ASSERT_EQ(arch.size(), 2u);
  EXPECT_EQ(arch[0].email_id, msgs[1].email_id);
  EXPECT_NE(arch[0].id, msgs[1].id);
  EXPECT_EQ(arch[0].thread_id, msgs[0].thread_id);
  EXPECT_EQ(arch[1].email_id, msgs[2].email_id);
}

TEST_F(SearchIndexTest, MessagesStoredBeforeTheIndexAreBackfilledOnOpen) {
  auto inbox = id_of(alice_, "INBOX");
  append(alice_, inbox, latin1_message);
  close();
  {
    sqlite::database db(db_file());
    db.exec("DELETE FROM search_pending");
    db.exec("DELETE FROM message_summaries");
  }
  std::filesystem::remove(dir_.path() / "search.db");
  open();
  EXPECT_EQ(search(inbox, F::body, "caf\xC3\xA9"), uids_t{1});
  EXPECT_TRUE(boxes().read_summary(boxes().messages(inbox).at(0).id).has_value());
}

// An index from before search_fields existed is rebuilt at the next start.
TEST_F(SearchIndexTest, AnIndexWithoutHeaderFieldsIsRebuiltOnOpen) {
  auto inbox = id_of(alice_, "INBOX");
  auto a = append(alice_, inbox, latin1_message);
  store_->wait_until_indexed();
  close();
  {
    sqlite::database db(dir_.path() / "search.db");
    db.exec("DROP TABLE search_fields");
  }
  open();
  EXPECT_EQ(search(inbox, F::subject, "strassenbahn"), uids_t{a.uid});
  store_->wait_until_indexed();
  EXPECT_EQ(search(inbox, F::subject, "strassenbahn"), uids_t{a.uid});
  EXPECT_EQ(search(inbox, F::from, "zola"), uids_t{a.uid});
}

// The index at some scale: a body search over 5,000 messages, timed and
// printed (not asserted: timings are for benchmarks).
TEST_F(SearchIndexTest, BodySearchOverFiveThousandMessages) {
  auto inbox = id_of(alice_, "INBOX");
  constexpr int n = 5000;
  write_bulk(inbox, n);
  auto timed_search = [&](const char* what) {
    auto start = std::chrono::steady_clock::now();
    auto hits = search(inbox, F::body, "ZANZIBAR");
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    EXPECT_EQ(hits, (uids_t{8, 1008, 2008, 3008, 4008})) << what;
    std::cout << "[ timing   ] body search over " << n << " messages, " << what << ": "
              << ms.count() << " ms\n";
  };
  // Written behind the store's back: nothing woke the indexer yet.
  timed_search("none indexed yet");
  store_->wait_until_indexed();
  timed_search("indexed");
}

// Past header_scan_limit messages a header criterion asks the trigram index
// instead of reading the mailbox's header fields: the same answers.
TEST_F(SearchIndexTest, HeaderSearchInALargeMailboxUsesTheIndex) {
  auto inbox = id_of(alice_, "INBOX");
  constexpr int n = 5200;
  write_bulk(inbox, n);
  store_->wait_until_indexed();
  EXPECT_EQ(search(inbox, F::subject, "TANGERINE"), (uids_t{8, 1008, 2008, 3008, 4008, 5008}));
  EXPECT_EQ(search(inbox, F::subject, "bulk 5199"), uids_t{5200});
  EXPECT_EQ(search(inbox, F::subject, "zanzibar"), uids_t{}) << "in the body only";
  EXPECT_EQ(search(inbox, F::from, "x"), uids_t{}) << "a short needle scans";
}

}  // namespace
}  // namespace copper::store::test
