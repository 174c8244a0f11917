#include "store/sqlite/sqlite_store.h"

#include <ctime>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"

namespace copper::store::sqlite {
namespace {

// The special-use set every new account gets (RFC 6154).
constexpr std::pair<const char*, const char*> default_mailboxes[] = {
    {"INBOX", ""},        {"Drafts", "\\Drafts"}, {"Sent", "\\Sent"},
    {"Trash", "\\Trash"}, {"Junk", "\\Junk"},     {"Archive", "\\Archive"}};

std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return std::string(at == std::string_view::npos ? address : address.substr(at + 1));
}

// Runs `f`, turning store exceptions into error values at the interface.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const db_error& e) {
    return make_error(e.what());
  }
}

std::optional<std::int64_t> domain_id(database& db, std::string_view name) {
  auto st = db.prepare("SELECT id FROM domains WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) {
    return std::nullopt;
  }
  return st.int64(0);
}

}  // namespace

sqlite_store::sqlite_store(const std::filesystem::path& data_dir)
    : file_(data_dir / "copper.db"), db_(file_) {
  configure(db_);
  migrate(db_);
  writer_ = std::thread([this] { writer_loop(); });
}

sqlite_store::~sqlite_store() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_.join();
}

result<void> sqlite_store::add_domain(std::string_view name) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    try {
      db_.prepare("INSERT INTO domains(name) VALUES (?)").bind(1, name).run();
    } catch (const db_error& e) {
      if (e.is_constraint()) {
        return make_error("domain " + std::string(name) + " already exists");
      }
      throw;
    }
    return {};
  });
}

result<void> sqlite_store::remove_domain(std::string_view name) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    auto id = domain_id(db_, name);
    if (!id) {
      return make_error("no such domain: " + std::string(name));
    }
    auto users = db_.prepare("SELECT count(*) FROM accounts WHERE domain_id = ?");
    users.bind(1, *id).step();
    if (users.int64(0) > 0) {
      return make_error("domain " + std::string(name) + " still has " +
                        std::to_string(users.int64(0)) + " user(s); remove them first");
    }
    transaction tx(db_);
    db_.prepare("DELETE FROM aliases WHERE domain_id = ?").bind(1, *id).run();
    db_.prepare("DELETE FROM domains WHERE id = ?").bind(1, *id).run();
    tx.commit();
    return {};
  });
}

std::vector<std::string> sqlite_store::list_domains() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  auto st = db_.prepare("SELECT name FROM domains ORDER BY name");
  while (st.step()) {
    out.push_back(st.text(0));
  }
  return out;
}

bool sqlite_store::has_domain(std::string_view name) {
  std::lock_guard lock(mu_);
  return domain_id(db_, name).has_value();
}

result<account_id> sqlite_store::add_account(std::string_view address,
                                             std::string_view password_hash,
                                             std::uint64_t quota_bytes) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<account_id> {
    auto dom = domain_id(db_, domain_of(address));
    if (!dom) {
      return make_error("unknown domain " + domain_of(address) + " (add it with: copper domain add " +
                        domain_of(address) + ")");
    }
    transaction tx(db_);
    try {
      db_.prepare("INSERT INTO accounts(address, domain_id, password_hash, quota_bytes) "
                  "VALUES (?, ?, ?, ?)")
          .bind(1, address)
          .bind(2, *dom)
          .bind(3, password_hash)
          .bind(4, static_cast<std::int64_t>(quota_bytes))
          .run();
    } catch (const db_error& e) {
      if (e.is_constraint()) {
        return make_error("user " + std::string(address) + " already exists");
      }
      throw;
    }
    account_id id = db_.last_insert_rowid();
    auto mb = db_.prepare(
        "INSERT INTO mailboxes(account_id, name, special_use, uidvalidity) VALUES (?, ?, ?, ?)");
    for (const auto& [name, use] : default_mailboxes) {
      mb.bind(1, id).bind(2, name).bind(3, use).bind(4, static_cast<std::int64_t>(std::time(nullptr)));
      mb.run();
      mb.reset();
    }
    tx.commit();
    return id;
  });
}

result<void> sqlite_store::remove_account(std::string_view address) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    auto find = db_.prepare("SELECT id FROM accounts WHERE address = ?");
    find.bind(1, address);
    if (!find.step()) {
      return make_error("no such user: " + std::string(address));
    }
    account_id id = find.int64(0);
    transaction tx(db_);
    // Drop blob references held by this account's messages before the rows go.
    db_.prepare("UPDATE blobs SET refs = refs - (SELECT count(*) FROM messages m JOIN mailboxes b "
                "ON m.mailbox_id = b.id WHERE b.account_id = ?1 AND m.blob_id = blobs.id) "
                "WHERE id IN (SELECT m.blob_id FROM messages m JOIN mailboxes b ON m.mailbox_id = "
                "b.id WHERE b.account_id = ?1)")
        .bind(1, id)
        .run();
    db_.prepare("DELETE FROM messages WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE "
                "account_id = ?)")
        .bind(1, id)
        .run();
    db_.prepare("DELETE FROM blobs WHERE refs <= 0").run();
    db_.prepare("DELETE FROM mailboxes WHERE account_id = ?").bind(1, id).run();
    db_.prepare("DELETE FROM aliases WHERE target = ?").bind(1, address).run();
    db_.prepare("DELETE FROM accounts WHERE id = ?").bind(1, id).run();
    tx.commit();
    return {};
  });
}

result<void> sqlite_store::set_password_hash(std::string_view address, std::string_view hash) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    db_.prepare("UPDATE accounts SET password_hash = ? WHERE address = ?")
        .bind(1, hash)
        .bind(2, address)
        .run();
    if (db_.changes() == 0) {
      return make_error("no such user: " + std::string(address));
    }
    return {};
  });
}

result<void> sqlite_store::set_quota(std::string_view address, std::uint64_t quota_bytes) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    db_.prepare("UPDATE accounts SET quota_bytes = ? WHERE address = ?")
        .bind(1, static_cast<std::int64_t>(quota_bytes))
        .bind(2, address)
        .run();
    if (db_.changes() == 0) {
      return make_error("no such user: " + std::string(address));
    }
    return {};
  });
}

std::optional<account_record> sqlite_store::find_account(std::string_view address) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT id, address, password_hash, quota_bytes, disabled FROM accounts WHERE address = ?");
  st.bind(1, address);
  if (!st.step()) {
    return std::nullopt;
  }
  return account_record{st.int64(0), st.text(1), st.text(2),
                        static_cast<std::uint64_t>(st.int64(3)), st.int64(4) != 0};
}

std::vector<account_record> sqlite_store::list_accounts(std::string_view domain) {
  std::lock_guard lock(mu_);
  std::vector<account_record> out;
  auto st = db_.prepare(
      "SELECT a.id, a.address, '', a.quota_bytes, a.disabled FROM accounts a JOIN domains d ON "
      "a.domain_id = d.id WHERE ?1 = '' OR d.name = ?1 ORDER BY a.address");
  st.bind(1, domain);
  while (st.step()) {
    out.push_back({st.int64(0), st.text(1), {}, static_cast<std::uint64_t>(st.int64(3)),
                   st.int64(4) != 0});
  }
  return out;
}

std::uint64_t sqlite_store::account_usage(account_id id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT coalesce(sum(m.size), 0) FROM messages m JOIN mailboxes b ON m.mailbox_id = b.id "
      "WHERE b.account_id = ?");
  st.bind(1, id).step();
  return static_cast<std::uint64_t>(st.int64(0));
}

result<void> sqlite_store::add_alias(std::string_view source, std::string_view target) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    auto dom = domain_id(db_, domain_of(source));
    if (!dom) {
      return make_error("unknown domain " + domain_of(source));
    }
    try {
      db_.prepare("INSERT INTO aliases(source, target, domain_id) VALUES (?, ?, ?)")
          .bind(1, source)
          .bind(2, target)
          .bind(3, *dom)
          .run();
    } catch (const db_error& e) {
      if (e.is_constraint()) {
        return make_error("alias " + std::string(source) + " -> " + std::string(target) +
                          " already exists");
      }
      throw;
    }
    return {};
  });
}

result<void> sqlite_store::remove_alias(std::string_view source, std::string_view target) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    db_.prepare("DELETE FROM aliases WHERE source = ?1 AND (?2 = '' OR target = ?2)")
        .bind(1, source)
        .bind(2, target)
        .run();
    if (db_.changes() == 0) {
      return make_error("no such alias: " + std::string(source) +
                        (target.empty() ? "" : " -> " + std::string(target)));
    }
    return {};
  });
}

std::vector<std::string> sqlite_store::alias_targets(std::string_view source) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  auto st = db_.prepare("SELECT target FROM aliases WHERE source = ? ORDER BY target");
  st.bind(1, source);
  while (st.step()) {
    out.push_back(st.text(0));
  }
  return out;
}

std::vector<alias_record> sqlite_store::list_aliases(std::string_view domain) {
  std::lock_guard lock(mu_);
  std::vector<alias_record> out;
  auto st = db_.prepare(
      "SELECT a.source, a.target FROM aliases a JOIN domains d ON a.domain_id = d.id "
      "WHERE ?1 = '' OR d.name = ?1 ORDER BY a.source, a.target");
  st.bind(1, domain);
  while (st.step()) {
    out.push_back({st.text(0), st.text(1)});
  }
  return out;
}

std::vector<std::string> sqlite_store::aliases_of(std::string_view target) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  auto st = db_.prepare("SELECT source FROM aliases WHERE target = ? ORDER BY source");
  st.bind(1, target);
  while (st.step()) {
    out.push_back(st.text(0));
  }
  return out;
}

std::vector<queued_message> sqlite_store::list_queue() {
  std::lock_guard lock(mu_);
  std::vector<queued_message> out;
  auto st = db_.prepare(
      "SELECT q.id, q.sender, b.size, q.created, q.next_attempt, q.attempts, q.last_error "
      "FROM queue q JOIN blobs b ON q.blob_id = b.id ORDER BY q.id");
  auto rc = db_.prepare("SELECT address FROM queue_recipients WHERE queue_id = ? ORDER BY rowid");
  while (st.step()) {
    queued_message m{st.int64(0),
                     st.text(1),
                     {},
                     static_cast<std::uint64_t>(st.int64(2)),
                     st.int64(3),
                     st.int64(4),
                     static_cast<unsigned>(st.int64(5)),
                     st.text(6)};
    rc.bind(1, m.id);
    while (rc.step()) {
      m.recipients.push_back(rc.text(0));
    }
    rc.reset();
    out.push_back(std::move(m));
  }
  return out;
}

result<void> sqlite_store::remove_queued(std::int64_t id) {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    auto find = db_.prepare("SELECT blob_id FROM queue WHERE id = ?");
    find.bind(1, id);
    if (!find.step()) {
      return make_error("no such queue entry: " + std::to_string(id));
    }
    std::int64_t blob = find.int64(0);
    transaction tx(db_);
    db_.prepare("DELETE FROM queue WHERE id = ?").bind(1, id).run();
    db_.prepare("UPDATE blobs SET refs = refs - 1 WHERE id = ?").bind(1, blob).run();
    db_.prepare("DELETE FROM blobs WHERE id = ? AND refs <= 0").bind(1, blob).run();
    tx.commit();
    return {};
  });
}

result<void> sqlite_store::retry_all_now() {
  std::lock_guard lock(mu_);
  return guarded([&]() -> result<void> {
    db_.prepare("UPDATE queue SET next_attempt = unixepoch()").run();
    return {};
  });
}

std::vector<message_summary> sqlite_store::list_messages(account_id account,
                                                         std::string_view mailbox) {
  std::lock_guard lock(mu_);
  std::vector<message_summary> out;
  auto st = db_.prepare(
      "SELECT m.id, m.uid, m.size, m.internal_date FROM messages m JOIN mailboxes b ON "
      "m.mailbox_id = b.id WHERE b.account_id = ? AND b.name = ? ORDER BY m.uid");
  st.bind(1, account).bind(2, mailbox);
  while (st.step()) {
    out.push_back({st.int64(0), static_cast<std::uint32_t>(st.int64(1)),
                   static_cast<std::uint64_t>(st.int64(2)), st.int64(3)});
  }
  return out;
}

std::optional<std::string> sqlite_store::read_message(std::int64_t message_id) {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(
      "SELECT b.data FROM messages m JOIN blobs b ON m.blob_id = b.id WHERE m.id = ?");
  st.bind(1, message_id);
  if (!st.step()) {
    return std::nullopt;
  }
  return st.blob(0);
}

std::vector<std::string> sqlite_store::list_mailboxes(account_id account) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  auto st = db_.prepare("SELECT name FROM mailboxes WHERE account_id = ? ORDER BY id");
  st.bind(1, account);
  while (st.step()) {
    out.push_back(st.text(0));
  }
  return out;
}

}  // namespace copper::store::sqlite
