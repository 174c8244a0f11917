// The pure rules under the SQLite store: mailbox name checks and canonical
// forms (RFC 9051 5.1), special-use attributes (RFC 6154), and flag
// canonicalisation and STORE arithmetic (RFC 9051 2.3.2, 6.4.6).
#include <gtest/gtest.h>

#include "store/sqlite/flags.h"
#include "store/sqlite/mailbox_name.h"

namespace copper::store::sqlite {
namespace {

using flags = std::vector<std::string>;

std::string canonical(std::string_view name) {
  auto r = canonical_mailbox_name(name);
  return r.ok() ? *r : "error:" + r.err().code;
}

TEST(MailboxName, CanonicalForms) {
  EXPECT_EQ(canonical("INBOX"), "INBOX");
  EXPECT_EQ(canonical("inbox"), "INBOX");
  EXPECT_EQ(canonical("iNbOx/Sub"), "INBOX/Sub");
  EXPECT_EQ(canonical("Inboxes"), "Inboxes");
  EXPECT_EQ(canonical("Work/inbox"), "Work/inbox");  // only the first level
  EXPECT_EQ(canonical("Entwürfe"), "Entwürfe");
  EXPECT_EQ(canonical("a b/c"), "a b/c");
}

TEST(MailboxName, Refusals) {
  for (std::string_view bad : {"", "/", "/a", "a/", "a//b", "tab\there", "del\x7f", "\xc3",
                               "\xc3\x28", "\xe0\x80\xaf", "\xf4\x90\x80\x80", "\xc2\x85"}) {
    EXPECT_EQ(canonical(bad), "error:CANNOT") << bad;
  }
  EXPECT_EQ(canonical(std::string(1000, 'a')), std::string(1000, 'a'));
  EXPECT_EQ(canonical(std::string(1001, 'a')), "error:CANNOT");
  std::string deep = "a";
  for (int i = 1; i < 32; ++i) {
    deep += "/a";
  }
  EXPECT_EQ(canonical(deep), deep);
  EXPECT_EQ(canonical(deep + "/a"), "error:CANNOT");
}

TEST(MailboxName, Parents) {
  EXPECT_EQ(parent_mailbox_names("a/b/c"), (flags{"a", "a/b"}));
  EXPECT_TRUE(parent_mailbox_names("a").empty());
}

TEST(SpecialUse, Canonical) {
  EXPECT_EQ(*canonical_special_use("\\sent"), "\\Sent");
  EXPECT_EQ(*canonical_special_use("\\ALL"), "\\All");
  EXPECT_EQ(*canonical_special_use(""), "");
  EXPECT_EQ(canonical_special_use("\\Inbox").err().code, "USEATTR");
  EXPECT_EQ(canonical_special_use("Sent").err().code, "USEATTR");
}

TEST(Flags, CanonicalFlags) {
  auto r = canonical_flags({"$Work", "\\draft", "\\SEEN", "$work", "\\Seen", "\\Answered"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (flags{"\\Seen", "\\Answered", "\\Draft", "$Work"}));
  EXPECT_EQ(canonical_flags({"\\Recent"}).err().code, "CANNOT");
  EXPECT_EQ(canonical_flags({"\\recent"}).err().code, "CANNOT");
  EXPECT_EQ(canonical_flags({"\\*"}).err().code, "CANNOT");
  for (const char* bad : {"", "a b", "a(b", "a)", "{5}", "%", "*", "\"q\"", "a]", "é"}) {
    EXPECT_EQ(canonical_flags({bad}).err().code, "CANNOT") << bad;
  }
  EXPECT_TRUE(canonical_flags({std::string(255, 'k')}).ok());
  EXPECT_FALSE(canonical_flags({std::string(256, 'k')}).ok());
  flags many;
  for (std::size_t i = 0; i <= max_flags_per_message; ++i) {
    std::string keyword = "k";
    keyword += std::to_string(i);  // not "k" + ...: GCC 12 -Wrestrict (bug 105329)
    many.push_back(keyword);
  }
  EXPECT_EQ(canonical_flags(many).err().code, "LIMIT");
  EXPECT_TRUE(canonical_flags({}).ok());
}

TEST(Flags, Operations) {
  flags current{"\\Seen", "$A"};
  EXPECT_EQ(apply_flag_operation(current, flag_operation::add, {"\\Flagged", "$a", "$B"}),
            (flags{"\\Seen", "\\Flagged", "$A", "$B"}));
  EXPECT_EQ(apply_flag_operation(current, flag_operation::remove, {"\\Seen", "$a"}), flags{});
  EXPECT_EQ(apply_flag_operation(current, flag_operation::remove, {"\\Deleted"}), current);
  EXPECT_EQ(apply_flag_operation(current, flag_operation::replace, {"$C"}), flags{"$C"});
  EXPECT_TRUE(same_flags({"\\Seen", "$A"}, {"$a", "\\Seen"}));
  EXPECT_FALSE(same_flags({"\\Seen"}, {"\\Seen", "$A"}));
  EXPECT_FALSE(same_flags({"\\Seen", "$B"}, {"\\Seen", "$A"}));
}

}  // namespace
}  // namespace copper::store::sqlite
