// mailbox_store's mailbox tree: listing with counts, lookup with INBOX case
// insensitive, create with parents, delete, rename (with children, and of
// INBOX), subscriptions, UIDVALIDITY on re-creation (RFC 9051 6.3).
#include <set>
#include <string>

#include "mailbox_store_fixture.h"

namespace copper::store::test {
namespace {

std::vector<std::string> names(const std::vector<mailbox_info>& list) {
  std::vector<std::string> out;
  for (const auto& mb : list) {
    out.push_back(mb.name);
  }
  return out;
}

TEST_F(MailboxStoreTest, NewAccountHasTheDefaultMailboxes) {
  auto list = boxes().list_mailboxes(alice_);
  EXPECT_EQ(names(list),
            (std::vector<std::string>{"INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"}));
  std::set<std::uint32_t> validities;
  for (const auto& mb : list) {
    EXPECT_GT(mb.uidvalidity, 0u) << mb.name;
    EXPECT_EQ(mb.uidnext, 1u);
    EXPECT_EQ(mb.highestmodseq, 1u);
    EXPECT_TRUE(mb.subscribed);
    EXPECT_EQ(mb.messages, 0u);
    validities.insert(mb.uidvalidity);
  }
  // Distinct, so that no rename can bring one back under another's name.
  EXPECT_EQ(validities.size(), list.size());
  EXPECT_EQ(mailbox(alice_, "Sent").special_use, "\\Sent");
  EXPECT_EQ(mailbox(alice_, "INBOX").special_use, "");
  EXPECT_TRUE(boxes().list_mailboxes(alice_ + bob_ + 100).empty());
}

TEST_F(MailboxStoreTest, ListingCountsMessagesUnseenDeletedAndSize) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  mailbox_id sent = id_of(alice_, "Sent");
  append(alice_, inbox, "12345", {"\\Seen"});
  append(alice_, inbox, "1234567890", {"\\Deleted", "\\Seen"});
  append(alice_, inbox, "123", {"$Seen-not-a-flag", "\\Flagged"});
  append(alice_, sent, "1234", {"\\Seen"});
  ASSERT_TRUE(deliver("delivered\r\n", {alice_}).ok());

  for (const auto& mb : boxes().list_mailboxes(alice_)) {
    if (mb.name == "INBOX") {
      EXPECT_EQ(mb.messages, 4u);
      EXPECT_EQ(mb.unseen, 2u);  // the keyword and the delivered one
      EXPECT_EQ(mb.deleted, 1u);
      EXPECT_EQ(mb.size, 5u + 10u + 3u + 11u);
      EXPECT_EQ(mb.uidnext, 5u);
    } else if (mb.name == "Sent") {
      EXPECT_EQ(mb.messages, 1u);
      EXPECT_EQ(mb.unseen, 0u);
      EXPECT_EQ(mb.size, 4u);
    } else {
      EXPECT_EQ(mb.messages, 0u) << mb.name;
    }
  }
  auto found = mailbox(alice_, "INBOX");
  EXPECT_EQ(found.messages, 4u);
  EXPECT_EQ(found.unseen, 2u);
  EXPECT_EQ(found.deleted, 1u);
  EXPECT_EQ(mailbox(bob_, "INBOX").messages, 0u);
}

// RFC 9051 5.1: all case variants of INBOX are INBOX, also as a parent.
TEST_F(MailboxStoreTest, InboxIsCaseInsensitive) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  for (const char* name : {"inbox", "InBoX", "INBOX"}) {
    auto mb = boxes().find_mailbox(alice_, name);
    ASSERT_TRUE(mb.has_value()) << name;
    EXPECT_EQ(mb->id, inbox);
    EXPECT_EQ(mb->name, "INBOX");
  }
  auto child = boxes().create_mailbox(alice_, "inbox/Lists", "");
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(mailbox(alice_, "Inbox/Lists").name, "INBOX/Lists");
  EXPECT_EQ(mailbox(alice_, "INBOX/Lists").id, *child);
  // Other names are case sensitive.
  EXPECT_FALSE(boxes().find_mailbox(alice_, "sent").has_value());
  EXPECT_FALSE(boxes().find_mailbox(alice_, "Nope").has_value());
  EXPECT_FALSE(boxes().find_mailbox(alice_, "a//b").has_value());
  EXPECT_FALSE(boxes().find_mailbox(bob_ + 100, "INBOX").has_value());
}

TEST_F(MailboxStoreTest, CreateMakesMissingParents) {
  auto id = boxes().create_mailbox(alice_, "Projects/2026/Copper", "");
  ASSERT_TRUE(id.ok()) << id.err().message;
  EXPECT_EQ(mailbox(alice_, "Projects/2026/Copper").id, *id);
  EXPECT_TRUE(boxes().find_mailbox(alice_, "Projects").has_value());
  EXPECT_TRUE(boxes().find_mailbox(alice_, "Projects/2026").has_value());
  // Existing parents are reused, not duplicated.
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Projects/2027", "").ok());
  EXPECT_EQ(boxes().list_mailboxes(alice_).size(), 6u + 4u);
  EXPECT_TRUE(boxes().list_mailboxes(bob_).size() == 6u);

  EXPECT_EQ(code_of(boxes().create_mailbox(alice_, "Projects/2026", "")), "ALREADYEXISTS");
  EXPECT_EQ(code_of(boxes().create_mailbox(alice_, "inbox", "")), "ALREADYEXISTS");
  EXPECT_EQ(code_of(boxes().create_mailbox(bob_ + 100, "x", "")), "NONEXISTENT");
}

TEST_F(MailboxStoreTest, CreateWithSpecialUse) {
  auto id = boxes().create_mailbox(alice_, "All Mail", "\\all");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(mailbox(alice_, "All Mail").special_use, "\\All");  // RFC 6154 spelling
  EXPECT_EQ(code_of(boxes().create_mailbox(alice_, "Odd", "\\Important")), "USEATTR");
  EXPECT_FALSE(boxes().find_mailbox(alice_, "Odd").has_value());
}

TEST_F(MailboxStoreTest, CreateRefusesBadNames) {
  const std::string deep = [] {
    std::string s = "d";
    for (int i = 1; i < 33; ++i) {
      s += "/d";
    }
    return s;
  }();  // 33 levels
  for (const std::string& bad :
       {std::string(), std::string("/a"), std::string("a/"), std::string("a//b"), std::string("/"),
        std::string(1001, 'x'), deep, std::string("bad\xff utf8"), std::string("over\xc0\xaflong"),
        std::string("line\r\nbreak"), std::string("nul\0x", 5),
        std::string("surrogate \xed\xa0\x80")}) {
    auto r = boxes().create_mailbox(alice_, bad, "");
    EXPECT_EQ(code_of(r), "CANNOT") << bad.substr(0, 40);
  }
  EXPECT_EQ(boxes().list_mailboxes(alice_).size(), 6u);  // nothing half-made

  // The limits themselves are fine.
  EXPECT_TRUE(boxes().create_mailbox(alice_, deep.substr(2), "").ok());  // 32 levels
  EXPECT_TRUE(boxes().create_mailbox(alice_, std::string(1000, 'y'), "").ok());
  EXPECT_TRUE(boxes().create_mailbox(alice_, "Entwürfe/日本語", "").ok());
}

TEST_F(MailboxStoreTest, DeleteMailbox) {
  EXPECT_EQ(code_of(boxes().delete_mailbox(alice_, "inbox")), "CANNOT");
  EXPECT_EQ(code_of(boxes().delete_mailbox(alice_, "Nope")), "NONEXISTENT");
  EXPECT_EQ(code_of(boxes().delete_mailbox(alice_, "a//b")), "NONEXISTENT");
  ASSERT_TRUE(boxes().create_mailbox(alice_, "a/b", "").ok());
  EXPECT_EQ(code_of(boxes().delete_mailbox(alice_, "a")), "HASCHILDREN");

  // Messages go with the mailbox; a blob shared with another mailbox stays.
  mailbox_id ab = id_of(alice_, "a/b");
  append(alice_, ab, "only here");
  append(alice_, ab, "shared");
  append(alice_, id_of(alice_, "INBOX"), "shared");
  ASSERT_TRUE(boxes().delete_mailbox(alice_, "a/b").ok());
  EXPECT_FALSE(boxes().find_mailbox(alice_, "a/b").has_value());
  EXPECT_TRUE(boxes().messages(ab).empty());
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 1);
  EXPECT_EQ(query_int("SELECT refs FROM blobs"), 1);
  ASSERT_TRUE(boxes().delete_mailbox(alice_, "a").ok());
  EXPECT_EQ(code_of(boxes().delete_mailbox(alice_, "a")), "NONEXISTENT");
  EXPECT_EQ(mailbox(alice_, "INBOX").messages, 1u);
}

// RFC 9051 2.3.1.1: a name deleted and created again must not show the old
// UIDVALIDITY, even within the same second; ids are not reused either.
TEST_F(MailboxStoreTest, RecreatedMailboxGetsANewUidvalidity) {
  auto first = boxes().create_mailbox(alice_, "Reports", "");
  ASSERT_TRUE(first.ok());
  auto before = mailbox(alice_, "Reports");
  append(alice_, *first, "one");
  ASSERT_TRUE(boxes().delete_mailbox(alice_, "Reports").ok());
  auto second = boxes().create_mailbox(alice_, "Reports", "");
  ASSERT_TRUE(second.ok());
  auto after = mailbox(alice_, "Reports");
  EXPECT_NE(after.uidvalidity, before.uidvalidity);
  EXPECT_GT(after.uidvalidity, before.uidvalidity);
  EXPECT_NE(*second, *first);  // a session holding the old id sees it gone
  EXPECT_TRUE(boxes().messages(*first).empty());

  // Also across a reopen of the store, and for the defaults of a new account.
  close();
  open();
  ASSERT_TRUE(boxes().delete_mailbox(alice_, "Reports").ok());
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Reports", "").ok());
  EXPECT_GT(mailbox(alice_, "Reports").uidvalidity, after.uidvalidity);
  ASSERT_TRUE(boxes().delete_mailbox(alice_, "Sent").ok());
  ASSERT_TRUE(boxes().rename_mailbox(alice_, "Drafts", "Sent").ok());
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Drafts", "").ok());
  std::set<std::uint32_t> validities;
  for (const auto& mb : boxes().list_mailboxes(alice_)) {
    validities.insert(mb.uidvalidity);
  }
  EXPECT_EQ(validities.size(), boxes().list_mailboxes(alice_).size());
}

TEST_F(MailboxStoreTest, RenameMovesChildren) {
  ASSERT_TRUE(boxes().create_mailbox(alice_, "a/b/c", "").ok());
  ASSERT_TRUE(boxes().create_mailbox(alice_, "ab", "").ok());
  ASSERT_TRUE(boxes().create_mailbox(alice_, "a0", "").ok());
  mailbox_id b = id_of(alice_, "a/b");
  auto validity = mailbox(alice_, "a/b").uidvalidity;
  append(alice_, b, "kept");

  ASSERT_TRUE(boxes().rename_mailbox(alice_, "a", "z/y").ok());
  for (const char* gone : {"a", "a/b", "a/b/c"}) {
    EXPECT_FALSE(boxes().find_mailbox(alice_, gone).has_value()) << gone;
  }
  for (const char* there : {"z", "z/y", "z/y/b", "z/y/b/c", "ab", "a0"}) {
    EXPECT_TRUE(boxes().find_mailbox(alice_, there).has_value()) << there;
  }
  // The same mailbox under its new name: id, UIDVALIDITY and messages kept.
  auto moved = mailbox(alice_, "z/y/b");
  EXPECT_EQ(moved.id, b);
  EXPECT_EQ(moved.uidvalidity, validity);
  EXPECT_EQ(moved.messages, 1u);

  EXPECT_EQ(code_of(boxes().rename_mailbox(alice_, "ab", "z/y")), "ALREADYEXISTS");
  EXPECT_EQ(code_of(boxes().rename_mailbox(alice_, "ab", "Inbox")), "ALREADYEXISTS");
  EXPECT_EQ(code_of(boxes().rename_mailbox(alice_, "nope", "x")), "NONEXISTENT");
  EXPECT_EQ(code_of(boxes().rename_mailbox(alice_, "z", "z/under")), "CANNOT");
  EXPECT_EQ(code_of(boxes().rename_mailbox(alice_, "ab", "bad//name")), "CANNOT");
  // Renaming back restores the tree; the created parent "z" stays.
  ASSERT_TRUE(boxes().rename_mailbox(alice_, "z/y", "a").ok());
  EXPECT_EQ(mailbox(alice_, "a/b").id, b);
  EXPECT_TRUE(boxes().find_mailbox(alice_, "a/b/c").has_value());
  EXPECT_TRUE(boxes().find_mailbox(alice_, "z").has_value());
}

// RFC 9051 6.3.6: renaming INBOX moves its messages to the new name and
// leaves INBOX, empty; INBOX's inferiors stay where they are.
TEST_F(MailboxStoreTest, RenameInboxMovesItsMessages) {
  mailbox_id inbox = id_of(alice_, "INBOX");
  ASSERT_TRUE(deliver("first\r\n", {alice_}).ok());
  append(alice_, inbox, "second", {"\\Seen", "$Work"});
  append(alice_, inbox, "third");
  ASSERT_TRUE(boxes().create_mailbox(alice_, "INBOX/Lists", "").ok());
  auto before = mailbox(alice_, "INBOX");

  ASSERT_TRUE(boxes().rename_mailbox(alice_, "inbox", "Old/Inbox").ok());
  auto old = mailbox(alice_, "Old/Inbox");
  EXPECT_NE(old.id, inbox);
  EXPECT_NE(old.uidvalidity, before.uidvalidity);
  EXPECT_EQ(old.messages, 3u);
  EXPECT_GE(old.uidnext, 4u);
  auto moved = boxes().messages(old.id);
  ASSERT_EQ(moved.size(), 3u);
  EXPECT_EQ(boxes().read_blob(moved[0].blob_id), "first\r\n");
  EXPECT_EQ(moved[1].flags, (std::vector<std::string>{"\\Seen", "$Work"}));
  for (const auto& m : moved) {
    EXPECT_LE(m.modseq, old.highestmodseq);
  }

  auto after = mailbox(alice_, "INBOX");
  EXPECT_EQ(after.id, inbox);
  EXPECT_EQ(after.messages, 0u);
  EXPECT_EQ(after.uidvalidity, before.uidvalidity);
  EXPECT_EQ(after.uidnext, before.uidnext);  // UIDs are not reused
  EXPECT_GT(after.highestmodseq, before.highestmodseq);
  // Sessions on INBOX learn that the messages went (QRESYNC VANISHED).
  auto changes = boxes().changes_since(inbox, before.highestmodseq);
  EXPECT_EQ(changes.vanished, (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_TRUE(boxes().find_mailbox(alice_, "INBOX/Lists").has_value());

  ASSERT_TRUE(deliver("fourth\r\n", {alice_}).ok());
  EXPECT_EQ(uids(inbox), std::vector<std::uint32_t>{4});
  EXPECT_EQ(query_int("SELECT count(*) FROM blobs"), 4);
}

TEST_F(MailboxStoreTest, Subscriptions) {
  ASSERT_TRUE(boxes().create_mailbox(alice_, "News", "").ok());
  EXPECT_TRUE(mailbox(alice_, "News").subscribed);
  ASSERT_TRUE(boxes().subscribe(alice_, "News", false).ok());
  EXPECT_FALSE(mailbox(alice_, "News").subscribed);
  ASSERT_TRUE(boxes().subscribe(alice_, "News", true).ok());
  EXPECT_TRUE(mailbox(alice_, "News").subscribed);
  ASSERT_TRUE(boxes().subscribe(alice_, "inbox", false).ok());
  EXPECT_FALSE(mailbox(alice_, "INBOX").subscribed);
  EXPECT_EQ(code_of(boxes().subscribe(alice_, "Nope", true)), "NONEXISTENT");
  EXPECT_EQ(code_of(boxes().subscribe(bob_, "News", true)), "NONEXISTENT");
}

// RFC 9051 6.3.7: deleting a mailbox does not take its name off the
// subscription list; only UNSUBSCRIBE does. Renames carry subscriptions.
TEST_F(MailboxStoreTest, SubscriptionsOutliveTheirMailbox) {
  using list = std::vector<std::string>;
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Lists/Rust", "").ok());  // new ones are subscribed
  ASSERT_TRUE(boxes().subscribe(alice_, "Junk", false).ok());
  EXPECT_EQ(boxes().subscriptions(alice_),
            (list{"INBOX", "Archive", "Drafts", "Lists", "Lists/Rust", "Sent", "Trash"}));
  ASSERT_TRUE(boxes().delete_mailbox(alice_, "Lists/Rust").ok());
  EXPECT_EQ(boxes().subscriptions(alice_),
            (list{"INBOX", "Archive", "Drafts", "Lists", "Lists/Rust", "Sent", "Trash"}));
  // A name without a mailbox can be unsubscribed, not subscribed.
  EXPECT_EQ(code_of(boxes().subscribe(alice_, "Gone", true)), "NONEXISTENT");
  EXPECT_EQ(code_of(boxes().subscribe(alice_, "Gone", false)), "NONEXISTENT");
  ASSERT_TRUE(boxes().subscribe(alice_, "Lists/Rust", false).ok());
  // Created again: subscribed again, as every new mailbox.
  ASSERT_TRUE(boxes().create_mailbox(alice_, "Lists/Go", "").ok());
  ASSERT_TRUE(boxes().subscribe(alice_, "Lists/Go", false).ok());
  ASSERT_TRUE(boxes().rename_mailbox(alice_, "Lists", "Feeds").ok());
  EXPECT_EQ(boxes().subscriptions(alice_),
            (list{"INBOX", "Archive", "Drafts", "Feeds", "Sent", "Trash"}));
  EXPECT_TRUE(mailbox(alice_, "Feeds").subscribed);
  EXPECT_FALSE(mailbox(alice_, "Feeds/Go").subscribed);
  EXPECT_FALSE(mailbox(alice_, "Junk").subscribed);
  EXPECT_EQ(boxes().subscriptions(bob_).size(), 6u);  // per account
}

}  // namespace
}  // namespace copper::store::test
