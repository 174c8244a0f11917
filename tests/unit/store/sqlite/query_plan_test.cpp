// The store's hot statements keep the plans chosen for them: a call on a
// large mailbox does not walk the mailbox (or the account, or the expunge
// log) when it returns a handful of rows. Without statistics and with bound
// parameters, SQLite has picked such plans before, and a new index can make
// it pick them again; the cost then shows only as CPU time, which no test
// may measure. SQLite's count of virtual machine steps is a measure of work
// that does not depend on the machine (sqlite_store::vm_steps); a walk of
// n rows takes at least n steps, so each bound below is far under the
// mailbox's size and far over what the planned statements take (printed).
#include <iostream>

#include "mime/casefold.h"
#include "store/mailbox_store_fixture.h"

namespace copper::store::test {
namespace {

constexpr int mailbox_size = 3000;

class QueryPlanTest : public MailboxStoreTest {
 protected:
  // The store's VM steps for `call`, printed for whoever tunes a bound.
  template <class F>
  std::uint64_t steps_of(const char* what, F&& call) {
    // The indexer shares the connections: idle before, and it waits a
    // second after a wake-up, far longer than one call here.
    store_->wait_until_indexed();
    auto before = store_->vm_steps();
    call();
    auto steps = store_->vm_steps() - before;
    std::cout << "[ steps    ] " << what << ": " << steps << "\n";
    return steps;
  }
};

// A client's resync when nothing changed: the messages by their MODSEQ
// index, the expunge log by its own (a walk of the log cost 230 us a call).
TEST_F(QueryPlanTest, QuietChangesSinceReadsNeitherMailboxNorExpungeLog) {
  auto inbox = id_of(alice_, "INBOX");
  write_bulk(inbox, mailbox_size);
  std::vector<std::uint32_t> doomed;
  for (std::uint32_t uid = 1; uid <= mailbox_size / 2; ++uid) {
    doomed.push_back(uid);
  }
  ASSERT_TRUE(boxes().expunge(inbox, doomed).ok());
  auto now = mailbox(alice_, "INBOX").highestmodseq;
  mailbox_changes changes;
  auto steps =
      steps_of("changes_since, nothing new", [&] { changes = boxes().changes_since(inbox, now); });
  EXPECT_TRUE(changes.changed.empty() && changes.vanished.empty());
  EXPECT_LT(steps, 300u);
}

// SEARCH BODY with few hits in a large mailbox: the index's hits looked up
// by blob, and the list of messages not yet indexed read from its own
// (empty) side, not by visiting every message.
TEST_F(QueryPlanTest, BodySearchVisitsOnlyTheHits) {
  auto inbox = id_of(alice_, "INBOX");
  write_bulk(inbox, mailbox_size);
  std::vector<std::uint32_t> hits;
  auto steps = steps_of("SEARCH BODY, 3 hits", [&] {
    hits = boxes().search_text(inbox, text_field::body, mime::casefold("zanzibar"));
  });
  EXPECT_EQ(hits, (std::vector<std::uint32_t>{8, 1008, 2008}));
  EXPECT_LT(steps, 300u);
}

// THREADID at delivery: each In-Reply-To/References id is looked up by the
// Message-ID index; left to itself the planner walked the account's
// messages once per id, which made loading a mailbox quadratic.
TEST_F(QueryPlanTest, ThreadLookupDoesNotWalkTheAccount) {
  auto inbox = id_of(alice_, "INBOX");
  write_bulk(inbox, mailbox_size);
  auto plain = steps_of("APPEND without references", [&] {
    append(alice_, inbox, "Message-ID: <a@example.org>\r\nSubject: a\r\n\r\na\r\n");
  });
  auto threaded = steps_of("APPEND with three parents", [&] {
    append(alice_, inbox,
           "Message-ID: <b@example.org>\r\nIn-Reply-To: <a@example.org>\r\n"
           "References: <x@example.org> <y@example.org> <a@example.org>\r\n"
           "Subject: Re: a\r\n\r\nb\r\n");
  });
  EXPECT_EQ(boxes().messages(inbox, {mailbox_size + 1}).at(0).thread_id,
            boxes().messages(inbox, {mailbox_size + 2}).at(0).thread_id);
  EXPECT_LT(threaded, plain + 300);
}

}  // namespace
}  // namespace copper::store::test
