// internal_directory over a real sqlite_store in a temporary directory:
// management, authentication, recipient resolution and sender ownership.
#include "directory/internal_directory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace copper::directory {
namespace {

using namespace std::string_literals;
using outcome = resolution::outcome;

const std::string password = "correct horse battery";

class InternalDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.add_domain("example.org").ok());
    ASSERT_TRUE(dir_.add_user("alice@example.org", password, 0).ok());
    ASSERT_TRUE(dir_.add_user("bob@example.org", password, 0).ok());
    alice_ = store_.find_account("alice@example.org")->id;
    bob_ = store_.find_account("bob@example.org")->id;
  }

  static mail_address address(std::string_view text) {
    auto a = parse_mailbox(text);
    EXPECT_TRUE(a.ok()) << text;
    return a.ok() ? a.value() : mail_address{};
  }

  resolution resolve(std::string_view text) { return dir_.resolve(address(text)); }

  void alias(std::string_view source, std::vector<std::string> targets) {
    auto r = dir_.add_alias(source, targets);
    ASSERT_TRUE(r.ok()) << source << ": " << r.err().message;
  }

  void expect_error(const result<void>& r, std::string_view fragment) {
    ASSERT_FALSE(r.ok()) << "expected an error mentioning '" << fragment << "'";
    EXPECT_NE(r.err().message.find(fragment), std::string::npos) << r.err().message;
  }

  std::vector<store::account_id> sorted(std::vector<store::account_id> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  principal as(std::string_view address) {
    auto a = store_.find_account(address);
    EXPECT_TRUE(a.has_value()) << address;
    return principal{a ? a->id : 0, std::string(address)};
  }

  test::temp_dir tmp_;  // declared first: outlives the store
  store::sqlite::sqlite_store store_{tmp_.path()};
  internal_directory dir_{store_};
  store::account_id alice_ = 0;
  store::account_id bob_ = 0;
};

// --- Domains -----------------------------------------------------------------

TEST_F(InternalDirectoryTest, DomainsAreNormalised) {
  ASSERT_TRUE(dir_.add_domain("Example.NET").ok());
  ASSERT_TRUE(dir_.add_domain("bücher.example").ok());
  EXPECT_EQ(dir_.list_domains(),
            (std::vector<std::string>{"example.net", "example.org", "xn--bcher-kva.example"}));
  EXPECT_TRUE(dir_.is_local_domain("example.net"));
  EXPECT_TRUE(dir_.is_local_domain("xn--bcher-kva.example"));
  EXPECT_FALSE(dir_.is_local_domain("example.com"));
}

TEST_F(InternalDirectoryTest, DomainErrors) {
  expect_error(dir_.add_domain("EXAMPLE.org"), "already exists");
  expect_error(dir_.add_domain("-bad.example"), "invalid domain");
  expect_error(dir_.add_domain("a..example"), "invalid domain");
  expect_error(dir_.add_domain("[192.0.2.1]"), "invalid domain");
  expect_error(dir_.add_domain(""), "invalid domain");
  expect_error(dir_.remove_domain("nope.example"), "no such domain");
  expect_error(dir_.remove_domain("example.org"), "user");
  EXPECT_TRUE(dir_.is_local_domain("example.org"));
}

TEST_F(InternalDirectoryTest, RemoveDomain) {
  ASSERT_TRUE(dir_.add_domain("old.example").ok());
  alias("info@old.example", {"alice@example.org"});
  ASSERT_TRUE(dir_.remove_domain("OLD.example").ok());
  EXPECT_FALSE(dir_.is_local_domain("old.example"));
  EXPECT_TRUE(dir_.list_aliases("").empty());
}

// --- Users -------------------------------------------------------------------

TEST_F(InternalDirectoryTest, UsersAreStoredInKeyForm) {
  ASSERT_TRUE(dir_.add_user("Carol.Smith@EXAMPLE.org", password, 1024).ok());
  auto users = dir_.list_users("example.org");
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0].address, "alice@example.org");
  EXPECT_EQ(users[2].address, "carol.smith@example.org");
  EXPECT_EQ(users[2].quota_bytes, 1024u);
  EXPECT_EQ(users[2].used_bytes, 0u);
  EXPECT_FALSE(users[2].disabled);
}

TEST_F(InternalDirectoryTest, UserErrors) {
  expect_error(dir_.add_user("carol@nope.example", password, 0), "unknown domain");
  expect_error(dir_.add_user("ALICE@Example.org", password, 0), "already exists");
  expect_error(dir_.add_user("carol@example.org", "short", 0), "too short");
  expect_error(dir_.add_user("carol@example.org", "with\ttab ok?", 0), "control");
  expect_error(dir_.add_user("not an address", password, 0), "invalid address");
  expect_error(dir_.add_user("carol", password, 0), "invalid address");
  expect_error(dir_.add_user("carol@[192.0.2.1]", password, 0), "address literal");
  alias("sales@example.org", {"alice@example.org"});
  expect_error(dir_.add_user("sales@example.org", password, 0), "already an alias");

  expect_error(dir_.remove_user("nobody@example.org"), "no such user");
  expect_error(dir_.set_password("nobody@example.org", password), "no such user");
  expect_error(dir_.set_password("alice@example.org", "short"), "too short");
  expect_error(dir_.set_quota("nobody@example.org", 1), "no such user");
  EXPECT_EQ(dir_.list_users("").size(), 2u);
}

TEST_F(InternalDirectoryTest, QuotaAndRemoval) {
  ASSERT_TRUE(dir_.set_quota("Alice@example.org", 5000).ok());
  EXPECT_EQ(dir_.list_users("example.org")[0].quota_bytes, 5000u);
  ASSERT_TRUE(dir_.remove_user("BOB@example.org").ok());
  auto users = dir_.list_users("");
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].address, "alice@example.org");
  EXPECT_EQ(resolve("bob@example.org").kind, outcome::unknown_user);
}

// --- Authentication ------------------------------------------------------------

TEST_F(InternalDirectoryTest, PasswordsAreStoredAsYescryptHashes) {
  auto acct = store_.find_account("alice@example.org");
  ASSERT_TRUE(acct.has_value());
  EXPECT_EQ(acct->password_hash.rfind("$y$", 0), 0u) << acct->password_hash;
  EXPECT_EQ(acct->password_hash.find(password), std::string::npos);
}

TEST_F(InternalDirectoryTest, Authenticate) {
  auto who = dir_.authenticate("alice@example.org", password);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->id, alice_);
  EXPECT_EQ(who->address, "alice@example.org");

  // The user name is an address: its case does not matter.
  auto upper = dir_.authenticate("ALICE@Example.ORG", password);
  ASSERT_TRUE(upper.has_value());
  EXPECT_EQ(upper->id, alice_);

  EXPECT_FALSE(dir_.authenticate("alice@example.org", "wrong password"));
  EXPECT_FALSE(dir_.authenticate("alice@example.org", ""));
  EXPECT_FALSE(dir_.authenticate("alice@example.org", "CORRECT HORSE BATTERY"));
  EXPECT_FALSE(dir_.authenticate("nobody@example.org", password));
  EXPECT_FALSE(dir_.authenticate("alice", password));
  EXPECT_FALSE(dir_.authenticate("", password));
  // Another user's password is not this user's.
  ASSERT_TRUE(dir_.set_password("bob@example.org", "bobs own password").ok());
  EXPECT_FALSE(dir_.authenticate("alice@example.org", "bobs own password"));
}

// The password is checked as a whole octet string, NUL included.
TEST_F(InternalDirectoryTest, PasswordWithEmbeddedNulIsRefused) {
  EXPECT_FALSE(dir_.authenticate("alice@example.org", password + "\0"s));
  EXPECT_FALSE(dir_.authenticate("alice@example.org", password + "\0garbage"s));
}

TEST_F(InternalDirectoryTest, SetPasswordReplacesTheOldOne) {
  ASSERT_TRUE(dir_.set_password("Alice@example.org", "a new password").ok());
  EXPECT_FALSE(dir_.authenticate("alice@example.org", password));
  EXPECT_TRUE(dir_.authenticate("alice@example.org", "a new password"));
}

TEST_F(InternalDirectoryTest, DisabledAccountCannotAuthenticate) {
  {
    store::sqlite::database db(tmp_.path() / "copper.db");
    db.prepare("UPDATE accounts SET disabled = 1 WHERE address = 'alice@example.org'").run();
  }
  EXPECT_TRUE(dir_.list_users("")[0].disabled);
  EXPECT_FALSE(dir_.authenticate("alice@example.org", password));
  EXPECT_TRUE(dir_.authenticate("bob@example.org", password));
}

// --- Aliases -------------------------------------------------------------------

TEST_F(InternalDirectoryTest, AliasesAreStoredInKeyForm) {
  alias("Sales@Example.ORG", {"ALICE@example.org", "Bob@Example.org"});
  auto list = dir_.list_aliases("example.org");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].source, "sales@example.org");
  EXPECT_EQ(list[0].target, "alice@example.org");
  EXPECT_EQ(list[1].target, "bob@example.org");

  ASSERT_TRUE(dir_.remove_alias("sales@example.org", {"BOB@example.org"}).ok());
  EXPECT_EQ(dir_.list_aliases("").size(), 1u);
  ASSERT_TRUE(dir_.remove_alias("SALES@example.org", {}).ok());
  EXPECT_TRUE(dir_.list_aliases("").empty());
}

TEST_F(InternalDirectoryTest, AliasErrors) {
  expect_error(dir_.add_alias("alice@example.org", {"bob@example.org"}), "is a user");
  expect_error(dir_.add_alias("sales@example.org", {}), "at least one target");
  expect_error(dir_.add_alias("sales@example.org", {"Sales@example.org"}), "itself");
  expect_error(dir_.add_alias("sales@example.org", {"not an address"}), "invalid address");
  expect_error(dir_.add_alias("sales@nope.example", {"alice@example.org"}), "unknown domain");
  expect_error(dir_.add_alias("@-bad.example", {"alice@example.org"}), "invalid catch-all");
  expect_error(dir_.add_alias("not an alias", {"alice@example.org"}), "invalid address");
  alias("sales@example.org", {"alice@example.org"});
  expect_error(dir_.add_alias("sales@example.org", {"alice@example.org"}), "already exists");
  expect_error(dir_.remove_alias("info@example.org", {}), "no such alias");
  expect_error(dir_.remove_alias("sales@example.org", {"bob@example.org"}), "no such alias");
}

// --- resolve() -----------------------------------------------------------------

TEST_F(InternalDirectoryTest, ResolveExactUser) {
  auto r = resolve("alice@example.org");
  EXPECT_EQ(r.kind, outcome::local);
  EXPECT_EQ(r.accounts, std::vector<store::account_id>{alice_});
  EXPECT_TRUE(r.forward.empty());
}

// Local parts of local users are matched without regard to case (RFC 5321 2.4
// lets the receiving host decide; "Alice" and "alice" are one user here).
TEST_F(InternalDirectoryTest, ResolveIsCaseInsensitive) {
  EXPECT_EQ(resolve("ALICE@Example.ORG").accounts, std::vector<store::account_id>{alice_});
  EXPECT_EQ(resolve("\"alice\"@example.org").accounts, std::vector<store::account_id>{alice_});
}

TEST_F(InternalDirectoryTest, ResolvePlusTag) {
  EXPECT_EQ(resolve("alice+news@example.org").accounts, std::vector<store::account_id>{alice_});
  EXPECT_EQ(resolve("Alice+News+More@example.org").accounts,
            std::vector<store::account_id>{alice_});
  EXPECT_EQ(resolve("alice+@example.org").accounts, std::vector<store::account_id>{alice_});
  EXPECT_EQ(resolve("nobody+news@example.org").kind, outcome::unknown_user);
  EXPECT_EQ(resolve("+alice@example.org").kind, outcome::unknown_user);
}

TEST_F(InternalDirectoryTest, ResolveUnknownUser) {
  auto r = resolve("nobody@example.org");
  EXPECT_EQ(r.kind, outcome::unknown_user);
  EXPECT_TRUE(r.accounts.empty());
  EXPECT_TRUE(r.forward.empty());
}

TEST_F(InternalDirectoryTest, ResolveNonLocalDomain) {
  auto r = resolve("alice@example.com");
  EXPECT_EQ(r.kind, outcome::not_local);
  EXPECT_TRUE(r.accounts.empty());
  EXPECT_TRUE(r.forward.empty());
  EXPECT_EQ(resolve("alice@sub.example.org").kind, outcome::not_local);
  EXPECT_EQ(resolve("alice@[192.0.2.1]").kind, outcome::not_local);
}

TEST_F(InternalDirectoryTest, ResolveIdnDomain) {
  ASSERT_TRUE(dir_.add_domain("bücher.example").ok());
  ASSERT_TRUE(dir_.add_user("kunde@bücher.example", password, 0).ok());
  EXPECT_EQ(resolve("kunde@xn--bcher-kva.example").kind, outcome::local);
  EXPECT_EQ(resolve("Kunde@BÜCHER.example").kind, outcome::local);
}

TEST_F(InternalDirectoryTest, ResolveAliasToSeveralTargets) {
  alias("sales@example.org", {"alice@example.org", "bob@example.org", "partner@remote.example"});
  auto r = resolve("sales@example.org");
  EXPECT_EQ(r.kind, outcome::local);
  EXPECT_EQ(sorted(r.accounts), sorted({alice_, bob_}));
  EXPECT_EQ(r.forward, std::vector<std::string>{"partner@remote.example"});

  // The alias with a +tag still expands.
  auto tagged = resolve("Sales+Q3@example.org");
  EXPECT_EQ(sorted(tagged.accounts), sorted({alice_, bob_}));
}

TEST_F(InternalDirectoryTest, ResolveAliasToRemoteOnly) {
  alias("ext@example.org", {"someone@remote.example"});
  auto r = resolve("ext@example.org");
  EXPECT_EQ(r.kind, outcome::local);  // accepted here, forwarded
  EXPECT_TRUE(r.accounts.empty());
  EXPECT_EQ(r.forward, std::vector<std::string>{"someone@remote.example"});
}

// RFC 5321 2.4: the local part of a remote address belongs to the remote host
// and must be passed on as it is (case kept, quoting intact).
TEST_F(InternalDirectoryTest, RemoteAliasTargetsKeepTheirLocalPart) {
  alias("ext@example.org", {"Partner.Name@REMOTE.example", "\"john doe\"@remote.example"});
  auto r = resolve("ext@example.org");
  std::vector<std::string> forward = r.forward;
  std::sort(forward.begin(), forward.end());
  EXPECT_EQ(forward, (std::vector<std::string>{"\"john doe\"@remote.example",
                                               "Partner.Name@remote.example"}));
  // Removing uses the same canonical form.
  ASSERT_TRUE(dir_.remove_alias("ext@example.org", {"Partner.Name@remote.EXAMPLE"}).ok());
  EXPECT_EQ(resolve("ext@example.org").forward,
            std::vector<std::string>{"\"john doe\"@remote.example"});
}

TEST_F(InternalDirectoryTest, ResolveAliasChain) {
  alias("a@example.org", {"b@example.org"});
  alias("b@example.org", {"c@example.org"});
  alias("c@example.org", {"alice@example.org", "far@remote.example"});
  auto r = resolve("a@example.org");
  EXPECT_EQ(r.kind, outcome::local);
  EXPECT_EQ(r.accounts, std::vector<store::account_id>{alice_});
  EXPECT_EQ(r.forward, std::vector<std::string>{"far@remote.example"});
}

TEST_F(InternalDirectoryTest, ResolveAliasLoopTerminates) {
  alias("x@example.org", {"y@example.org"});
  alias("y@example.org", {"x@example.org"});
  EXPECT_EQ(resolve("x@example.org").kind, outcome::unknown_user);

  // A loop that also reaches a user delivers once to that user.
  alias("p@example.org", {"q@example.org", "alice@example.org"});
  alias("q@example.org", {"p@example.org", "alice@example.org"});
  auto r = resolve("p@example.org");
  EXPECT_EQ(r.kind, outcome::local);
  EXPECT_EQ(r.accounts, std::vector<store::account_id>{alice_});
}

// Alias chains are followed to a bounded depth only.
TEST_F(InternalDirectoryTest, ResolveLongChainIsBounded) {
  constexpr int length = 30;
  for (int i = 0; i < length; ++i) {
    alias("c" + std::to_string(i) + "@example.org", {"c" + std::to_string(i + 1) + "@example.org"});
  }
  alias("c" + std::to_string(length) + "@example.org", {"alice@example.org"});
  auto r = resolve("c0@example.org");
  EXPECT_TRUE(r.accounts.empty());
  // A short chain is followed to the end.
  EXPECT_EQ(resolve("c" + std::to_string(length - 3) + "@example.org").accounts,
            std::vector<store::account_id>{alice_});
}

TEST_F(InternalDirectoryTest, ResolveDeduplicatesAccounts) {
  alias("team@example.org", {"alice@example.org", "sales@example.org", "alice+x@example.org"});
  alias("sales@example.org", {"alice@example.org", "bob@example.org"});
  auto r = resolve("team@example.org");
  EXPECT_EQ(sorted(r.accounts), sorted({alice_, bob_}));
}

TEST_F(InternalDirectoryTest, ResolveCatchAll) {
  alias("@example.org", {"bob@example.org"});
  auto r = resolve("anything@example.org");
  EXPECT_EQ(r.kind, outcome::local);
  EXPECT_EQ(r.accounts, std::vector<store::account_id>{bob_});
  // Existing users, their +tags and aliases win over the catch-all.
  EXPECT_EQ(resolve("alice@example.org").accounts, std::vector<store::account_id>{alice_});
  EXPECT_EQ(resolve("alice+tag@example.org").accounts, std::vector<store::account_id>{alice_});
  alias("sales@example.org", {"alice@example.org"});
  EXPECT_EQ(resolve("sales@example.org").accounts, std::vector<store::account_id>{alice_});
  // The catch-all is per domain.
  ASSERT_TRUE(dir_.add_domain("other.example").ok());
  EXPECT_EQ(resolve("anything@other.example").kind, outcome::unknown_user);
}

TEST_F(InternalDirectoryTest, ResolveCatchAllToRemote) {
  alias("@example.org", {"archive@remote.example"});
  auto r = resolve("unknown@example.org");
  EXPECT_EQ(r.kind, outcome::local);
  EXPECT_EQ(r.forward, std::vector<std::string>{"archive@remote.example"});
}

TEST_F(InternalDirectoryTest, CatchAllToAMissingUserIsUnknown) {
  alias("@example.org", {"ghost@example.org"});
  EXPECT_EQ(resolve("anything@example.org").kind, outcome::unknown_user);
}

// --- may_send_as -----------------------------------------------------------------

TEST_F(InternalDirectoryTest, MaySendAsOwnAddress) {
  principal alice = as("alice@example.org");
  EXPECT_TRUE(dir_.may_send_as(alice, address("alice@example.org")));
  EXPECT_TRUE(dir_.may_send_as(alice, address("Alice@EXAMPLE.org")));
  EXPECT_TRUE(dir_.may_send_as(alice, address("alice+lists@example.org")));
}

TEST_F(InternalDirectoryTest, MaySendAsAnAliasOfTheUser) {
  alias("sales@example.org", {"alice@example.org", "bob@example.org"});
  alias("info@example.org", {"bob@example.org"});
  principal alice = as("alice@example.org");
  EXPECT_TRUE(dir_.may_send_as(alice, address("sales@example.org")));
  EXPECT_TRUE(dir_.may_send_as(alice, address("Sales+Q3@example.org")));
  EXPECT_FALSE(dir_.may_send_as(alice, address("info@example.org")));
}

TEST_F(InternalDirectoryTest, MayNotSendAsSomeoneElse) {
  principal alice = as("alice@example.org");
  EXPECT_FALSE(dir_.may_send_as(alice, address("bob@example.org")));
  EXPECT_FALSE(dir_.may_send_as(alice, address("bob+alice@example.org")));
  EXPECT_FALSE(dir_.may_send_as(alice, address("alice@example.com")));
  EXPECT_FALSE(dir_.may_send_as(alice, address("alicex@example.org")));
  EXPECT_FALSE(dir_.may_send_as(alice, address("alice@[192.0.2.1]")));
  // A catch-all delivering to alice does not make every address hers.
  alias("@example.org", {"alice@example.org"});
  EXPECT_FALSE(dir_.may_send_as(alice, address("ceo@example.org")));
}

TEST(StripPlusTag, Forms) {
  EXPECT_EQ(strip_plus_tag("alice+tag@example.org"), "alice@example.org");
  EXPECT_EQ(strip_plus_tag("alice+a+b@example.org"), "alice@example.org");
  EXPECT_EQ(strip_plus_tag("alice+@example.org"), "alice@example.org");
  EXPECT_EQ(strip_plus_tag("alice@example.org"), "alice@example.org");
  EXPECT_EQ(strip_plus_tag("+tag@example.org"), "+tag@example.org");
  EXPECT_EQ(strip_plus_tag("alice+tag"), "alice+tag");
  EXPECT_EQ(strip_plus_tag("alice@ex+ample.org"), "alice@ex+ample.org");
}

}  // namespace
}  // namespace copper::directory
