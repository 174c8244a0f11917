// The management operations shared by the CLI and the admin API, over a real
// sqlite_store: validation codes and fields, paging, roles, disabling, and
// the DNS records both print.
#include "admin/operations.h"

#include <gtest/gtest.h>

#include "admin/sessions.h"
#include "directory/internal_directory.h"
#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace copper::admin {
namespace {

class OperationsTest : public ::testing::Test {
 protected:
  OperationsTest() {
    cfg_.hostname = "mx.example.org";
    cfg_.data_dir = tmp_.path();
  }
  void SetUp() override {
    ASSERT_TRUE(ops_.add_domain("example.org").ok());
    ASSERT_TRUE(ops_.create_user({"alice@example.org", "alice-password", 0, 0, "user"}).ok());
  }

  template <class T>
  void expect_code(const result<T>& r, std::string_view code, std::string_view field = {}) {
    ASSERT_FALSE(r.ok()) << "expected " << code;
    EXPECT_EQ(r.err().code, code) << r.err().message;
    EXPECT_EQ(r.err().field, field) << r.err().message;
  }

  test::temp_dir tmp_;
  store::sqlite::sqlite_store store_{tmp_.path()};
  directory::internal_directory dir_{store_};
  config::config cfg_;
  operations ops_{dir_, store_, store_, cfg_};
};

TEST_F(OperationsTest, ValidatesNewUsers) {
  expect_code(ops_.create_user({"not an address", "long-enough", 0, 0, "user"}), "invalid_address",
              "address");
  expect_code(ops_.create_user({"x@[127.0.0.1]", "long-enough", 0, 0, "user"}), "invalid_address",
              "address");
  expect_code(ops_.create_user({"x@example.org", "short", 0, 0, "user"}), "weak_password",
              "password");
  expect_code(ops_.create_user({"x@example.org", "long-enough", max_quota_bytes + 1, 0, "user"}),
              "invalid_quota", "quota_bytes");
  expect_code(ops_.create_user({"x@example.org", "long-enough", 0, max_quota_messages + 1, "user"}),
              "invalid_quota", "quota_messages");
  expect_code(ops_.create_user({"x@example.org", "long-enough", 0, 0, "root"}), "invalid_role",
              "role");
  expect_code(ops_.create_user({"x@other.org", "long-enough", 0, 0, "user"}), "unknown_domain",
              "address");
  expect_code(ops_.create_user({"Alice@Example.org", "long-enough", 0, 0, "user"}), "exists",
              "address");
  expect_code(ops_.get_user("nobody@example.org"), "not_found");
}

TEST_F(OperationsTest, CreatesAndUpdatesUsers) {
  auto u = ops_.create_user({"Bob@Example.org", "bob-password", 1000, 10, "admin"});
  ASSERT_TRUE(u.ok()) << u.err().message;
  EXPECT_EQ(u->address, "bob@example.org");
  EXPECT_EQ(u->role, "admin");
  EXPECT_EQ(u->quota_bytes, 1000u);
  EXPECT_EQ(u->quota_messages, 10u);
  EXPECT_TRUE(dir_.authenticate("bob@example.org", "bob-password"));

  // Another admin, so that bob is not the last one.
  ASSERT_TRUE(ops_.create_user({"carol@example.org", "carol-password", 0, 0, "admin"}).ok());
  user_changes c;
  c.disabled = true;
  c.role = "user";
  c.quota_bytes = 0;
  auto after = ops_.update_user("bob@example.org", c);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->disabled);
  EXPECT_EQ(after->role, "user");
  EXPECT_EQ(after->quota_bytes, 0u);
  EXPECT_EQ(after->quota_messages, 10u);  // untouched
  // Disabled: no authentication, but still a local recipient.
  EXPECT_FALSE(dir_.authenticate("bob@example.org", "bob-password"));
  EXPECT_EQ(dir_.resolve(*parse_mailbox("bob@example.org")).kind,
            directory::resolution::outcome::local);

  user_changes bad;
  bad.password = "short";
  expect_code(ops_.update_user("bob@example.org", bad), "weak_password", "password");
  EXPECT_EQ(ops_.update_user("nobody@example.org", {}).err().code, "not_found");
}

TEST_F(OperationsTest, TheLastAdminStays) {
  ASSERT_TRUE(ops_.create_user({"root@example.org", "root-password", 0, 0, "admin"}).ok());
  user_changes demote;
  demote.role = "user";
  expect_code(ops_.update_user("root@example.org", demote), "last_admin");
  user_changes disable;
  disable.disabled = true;
  expect_code(ops_.update_user("root@example.org", disable), "last_admin");
  expect_code(ops_.remove_user("root@example.org"), "last_admin");
  ASSERT_TRUE(ops_.create_user({"other@example.org", "other-password", 0, 0, "admin"}).ok());
  EXPECT_TRUE(ops_.update_user("root@example.org", demote).ok());
  expect_code(ops_.remove_user("other@example.org"), "last_admin");
  EXPECT_TRUE(ops_.remove_user("alice@example.org").ok());
}

TEST_F(OperationsTest, NewPasswordEndsOtherSessions) {
  sessions s(store_, {});
  auto id = store_.find_account("alice@example.org")->id;
  auto mine = s.create(id);
  auto other = s.create(id);
  ASSERT_TRUE(mine.ok() && other.ok());
  ASSERT_TRUE(s.find(mine->token));
  user_changes c;
  c.password = "new-alice-password";
  ASSERT_TRUE(ops_.update_user("alice@example.org", c, mine->token_sha256).ok());
  EXPECT_TRUE(s.find(mine->token));
  EXPECT_FALSE(s.find(other->token));
  c = {};
  c.disabled = true;
  ASSERT_TRUE(ops_.update_user("alice@example.org", c, mine->token_sha256).ok());
  EXPECT_FALSE(s.find(mine->token));  // disabling ends them all
}

TEST_F(OperationsTest, SessionsExpire) {
  auto id = store_.find_account("alice@example.org")->id;
  sessions gone_at_once(store_, {std::chrono::seconds(0), std::chrono::seconds(60)});
  auto t = gone_at_once.create(id);
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(gone_at_once.find(t->token));
  EXPECT_FALSE(store_.find_web_session(t->token_sha256));  // removed when found expired
  sessions live(store_, {});
  EXPECT_FALSE(live.find("short"));
  EXPECT_FALSE(live.find(std::string(64, 'g')));
  auto u = live.create(id);
  ASSERT_TRUE(u.ok());
  EXPECT_NE(u->token, u->csrf_token);
  EXPECT_EQ(u->token_sha256, sha256_hex(u->token));
  EXPECT_EQ(live.find(u->token)->account.address, "alice@example.org");
}

TEST_F(OperationsTest, DomainsCountUsersAndAliasesAndRefuseRemovalWhileUsed) {
  ASSERT_TRUE(ops_.add_domain("other.org").ok());
  ASSERT_TRUE(ops_.add_alias("info@example.org", {"alice@example.org", "x@remote.net"}).ok());
  auto all = ops_.list_domains({});
  ASSERT_EQ(all.total, 2u);
  EXPECT_EQ(all.items[0].name, "example.org");
  EXPECT_EQ(all.items[0].users, 1u);
  EXPECT_EQ(all.items[0].aliases, 1u);
  auto filtered = ops_.list_domains({"OTHER", 0, 50});
  ASSERT_EQ(filtered.total, 1u);
  EXPECT_EQ(filtered.items[0].name, "other.org");
  auto second = ops_.list_domains({"", 1, 1});
  EXPECT_EQ(second.total, 2u);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].name, "other.org");
  expect_code(ops_.remove_domain("example.org"), "not_empty");
  expect_code(ops_.remove_domain("none.org"), "not_found");
  expect_code(ops_.add_domain("example.org"), "exists", "name");
  expect_code(ops_.add_domain("bad domain"), "invalid_domain", "name");
  EXPECT_TRUE(ops_.remove_domain("other.org").ok());
}

TEST_F(OperationsTest, Aliases) {
  expect_code(ops_.add_alias("bad alias", {"alice@example.org"}), "invalid_alias", "alias");
  expect_code(ops_.add_alias("a@example.org", {}), "invalid_address", "targets");
  expect_code(ops_.add_alias("a@example.org", {"not an address"}), "invalid_address", "targets");
  expect_code(ops_.add_alias("alice@example.org", {"x@remote.net"}), "exists", "alias");
  expect_code(ops_.add_alias("a@nowhere.org", {"x@remote.net"}), "unknown_domain", "alias");
  auto a = ops_.add_alias("@example.org", {"alice@example.org"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->alias, "@example.org");
  auto l = ops_.list_aliases("example.org", {});
  ASSERT_EQ(l.total, 1u);
  EXPECT_EQ(l.items[0].targets, std::vector<std::string>{"alice@example.org"});
  EXPECT_TRUE(ops_.remove_alias("@example.org", {}).ok());
  expect_code(ops_.remove_alias("@example.org", {}), "not_found");
}

TEST_F(OperationsTest, DnsRecordsAsZoneLines) {
  auto d = ops_.dns("Example.ORG");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->records.front().name, "example.org");
  EXPECT_NE(d->zone.find("example.org.\t3600\tIN\tMX\t10 mx.example.org.\n"), std::string::npos);
  EXPECT_NE(d->zone.find("example.org.\t3600\tIN\tTXT\t\"v=spf1 mx -all\"\n"), std::string::npos);
  expect_code(ops_.dns("not a domain"), "invalid_domain", "name");
  // Long TXT data is split into strings of at most 255 octets (RFC 1035 3.3.14).
  auto zone = zone_lines({{"x.org", 60, "TXT", std::string(300, 'a'), ""}});
  EXPECT_EQ(zone, "x.org.\t60\tIN\tTXT\t\"" + std::string(255, 'a') + "\" \"" +
                      std::string(45, 'a') + "\"\n");
}

TEST_F(OperationsTest, Status) {
  cfg_.listen.https = {"127.0.0.1:8443"};
  auto s = ops_.status();
  EXPECT_EQ(s.hostname, "mx.example.org");
  EXPECT_EQ(s.domains, 1u);
  EXPECT_EQ(s.accounts, 1u);
  EXPECT_GT(s.store_bytes, 0u);
  bool found = false;
  for (const auto& l : s.listeners) {
    found = found || (l.protocol == "https" && l.endpoints.size() == 1);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace copper::admin
