#include "store/sqlite/sqlite_store.h"

#include <algorithm>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/model.h"

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

std::optional<std::int64_t> domain_id(database& db, std::string_view name) {
  auto st = db.prepare("SELECT id FROM domains WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) {
    return std::nullopt;
  }
  return st.int64(0);
}

// Opens the file once to create and migrate it before the writer and the
// readers attach; a missing directory or a newer schema throws from here.
std::filesystem::path prepare_file(const std::filesystem::path& data_dir) {
  auto file = data_dir / "copper.db";
  database db(file);
  configure(db);
  migrate(db);
  return file;
}

// Enough readers for the worker pool's concurrent sessions on two to a few
// cores; each connection carries its own page cache.
constexpr std::size_t reader_connections = 4;

}  // namespace

sqlite_store::sqlite_store(const std::filesystem::path& data_dir)
    : file_(prepare_file(data_dir)),
      readers_(file_, reader_connections, {{data_dir / "search.db", search_schema}}),
      writer_(file_),
      index_(data_dir / "search.db", readers_, writer_) {
  backfill_index();
}

sqlite_store::~sqlite_store() {
  // Completions of queued writes publish and wake the indexer, which is
  // destroyed first: let them all run now.
  writer_.flush();
}

void sqlite_store::publish(const touched_list& touched) {
  for (auto it = touched.begin(); it != touched.end(); ++it) {
    // One notification per mailbox, however many rows the write touched.
    if (std::find(touched.begin(), it, *it) == it) {
      bus_.publish(it->first, it->second);
    }
  }
  if (!touched.empty()) {
    index_.wake();  // the write may have stored or dropped a blob
  }
}

result<void> sqlite_store::add_domain(std::string_view name) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    if (domain_id(db, name)) {
      return make_error("domain " + std::string(name) + " already exists", "exists");
    }
    db.prepare("INSERT INTO domains(name) VALUES (?)").bind(1, name).run();
    return {};
  });
}

result<void> sqlite_store::remove_domain(std::string_view name) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    auto id = domain_id(db, name);
    if (!id) {
      return make_error("no such domain: " + std::string(name), "not_found");
    }
    auto users = db.prepare("SELECT count(*) FROM accounts WHERE domain_id = ?");
    users.bind(1, *id).step();
    if (users.int64(0) > 0) {
      return make_error("domain " + std::string(name) + " still has " +
                        std::to_string(users.int64(0)) + " user(s); remove them first");
    }
    db.prepare("DELETE FROM aliases WHERE domain_id = ?").bind(1, *id).run();
    db.prepare("DELETE FROM domains WHERE id = ?").bind(1, *id).run();
    return {};
  });
}

std::vector<std::string> sqlite_store::list_domains() {
  auto db = readers_.acquire();
  std::vector<std::string> out;
  auto st = db->prepare("SELECT name FROM domains ORDER BY name");
  while (st.step()) {
    out.push_back(st.text(0));
  }
  return out;
}

bool sqlite_store::has_domain(std::string_view name) {
  auto db = readers_.acquire();
  return domain_id(*db, name).has_value();
}

result<account_id> sqlite_store::add_account(std::string_view address,
                                             std::string_view password_hash,
                                             std::uint64_t quota_bytes) {
  return write<account_id>([&](database& db, touched_list&) -> result<account_id> {
    auto dom = domain_id(db, domain_of(address));
    if (!dom) {
      return make_error("unknown domain " + domain_of(address) +
                            " (add it with: copper domain add " + domain_of(address) + ")",
                        "unknown_domain");
    }
    if (db.prepare("SELECT 1 FROM accounts WHERE address = ?").bind(1, address).step()) {
      return make_error("user " + std::string(address) + " already exists", "exists");
    }
    db.prepare(
          "INSERT INTO accounts(address, domain_id, password_hash, quota_bytes) "
          "VALUES (?, ?, ?, ?)")
        .bind(1, address)
        .bind(2, *dom)
        .bind(3, password_hash)
        .bind(4, static_cast<std::int64_t>(quota_bytes))
        .run();
    account_id id = db.last_insert_rowid();
    // Distinct UIDVALIDITY values: renaming one of these onto the name of
    // another, deleted one must not bring its UIDVALIDITY back.
    std::uint32_t uidvalidity =
        allocate_uidvalidity(db, id, static_cast<std::uint32_t>(std::size(default_mailboxes)));
    for (const auto& [name, use] : default_mailboxes) {
      insert_mailbox(db, id, name, use, uidvalidity++);
    }
    return id;
  });
}

result<void> sqlite_store::remove_account(std::string_view address) {
  return write<void>([&](database& db, touched_list& touched) -> result<void> {
    auto find = db.prepare("SELECT id FROM accounts WHERE address = ?");
    find.bind(1, address);
    if (!find.step()) {
      return make_error("no such user: " + std::string(address), "not_found");
    }
    account_id id = find.int64(0);
    // Sessions with one of these mailboxes selected learn that it is gone.
    auto boxes = db.prepare("SELECT id FROM mailboxes WHERE account_id = ?");
    boxes.bind(1, id);
    while (boxes.step()) {
      touched.emplace_back(id, boxes.int64(0));
    }
    // Drop the blob references held by this account's messages with the rows.
    std::vector<std::int64_t> blobs;
    auto held = db.prepare(
        "SELECT m.blob_id FROM messages m JOIN mailboxes b ON m.mailbox_id = b.id "
        "WHERE b.account_id = ?");
    held.bind(1, id);
    while (held.step()) {
      blobs.push_back(held.int64(0));
    }
    const char* in_account = "(SELECT id FROM mailboxes WHERE account_id = ?)";
    db.prepare(std::string("DELETE FROM messages WHERE mailbox_id IN ") + in_account)
        .bind(1, id)
        .run();
    release_blobs(db, std::move(blobs));
    db.prepare(std::string("DELETE FROM expunged WHERE mailbox_id IN ") + in_account)
        .bind(1, id)
        .run();
    db.prepare("DELETE FROM mailboxes WHERE account_id = ?").bind(1, id).run();
    db.prepare("DELETE FROM subscriptions WHERE account_id = ?").bind(1, id).run();
    db.prepare("DELETE FROM aliases WHERE target = ?").bind(1, address).run();
    db.prepare("DELETE FROM web_sessions WHERE account_id = ?").bind(1, id).run();
    db.prepare("DELETE FROM accounts WHERE id = ?").bind(1, id).run();
    return {};
  });
}

result<void> sqlite_store::set_password_hash(std::string_view address, std::string_view hash) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("UPDATE accounts SET password_hash = ? WHERE address = ?")
        .bind(1, hash)
        .bind(2, address)
        .run();
    if (db.changes() == 0) {
      return make_error("no such user: " + std::string(address));
    }
    return {};
  });
}

result<void> sqlite_store::set_quota(std::string_view address, std::uint64_t quota_bytes) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("UPDATE accounts SET quota_bytes = ? WHERE address = ?")
        .bind(1, static_cast<std::int64_t>(quota_bytes))
        .bind(2, address)
        .run();
    if (db.changes() == 0) {
      return make_error("no such user: " + std::string(address));
    }
    return {};
  });
}

result<void> sqlite_store::set_message_quota(std::string_view address,
                                             std::uint64_t quota_messages) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("UPDATE accounts SET quota_messages = ? WHERE address = ?")
        .bind(1, static_cast<std::int64_t>(quota_messages))
        .bind(2, address)
        .run();
    if (db.changes() == 0) {
      return make_error("no such user: " + std::string(address));
    }
    return {};
  });
}

std::optional<account_record> sqlite_store::find_account(std::string_view address) {
  auto db = readers_.acquire();
  auto st = db->prepare(
      "SELECT id, address, password_hash, quota_bytes, disabled, quota_messages, role "
      "FROM accounts WHERE address = ?");
  st.bind(1, address);
  if (!st.step()) {
    return std::nullopt;
  }
  return account_record{st.int64(0),      st.text(1),
                        st.text(2),       static_cast<std::uint64_t>(st.int64(3)),
                        st.int64(4) != 0, static_cast<std::uint64_t>(st.int64(5)),
                        st.text(6)};
}

result<void> sqlite_store::set_disabled(std::string_view address, bool disabled) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("UPDATE accounts SET disabled = ? WHERE address = ?")
        .bind(1, std::int64_t{disabled ? 1 : 0})
        .bind(2, address)
        .run();
    if (db.changes() == 0) {
      return make_error("no such user: " + std::string(address), "not_found");
    }
    if (disabled) {
      db.prepare(
            "DELETE FROM web_sessions WHERE account_id = "
            "(SELECT id FROM accounts WHERE address = ?)")
          .bind(1, address)
          .run();
    }
    return {};
  });
}

result<void> sqlite_store::set_role(std::string_view address, std::string_view role) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("UPDATE accounts SET role = ? WHERE address = ?")
        .bind(1, role)
        .bind(2, address)
        .run();
    if (db.changes() == 0) {
      return make_error("no such user: " + std::string(address), "not_found");
    }
    return {};
  });
}

std::vector<account_record> sqlite_store::list_accounts(std::string_view domain) {
  auto db = readers_.acquire();
  std::vector<account_record> out;
  auto st = db->prepare(
      "SELECT a.id, a.address, '', a.quota_bytes, a.disabled, a.quota_messages, a.role "
      "FROM accounts a JOIN domains d ON a.domain_id = d.id WHERE ?1 = '' OR d.name = ?1 "
      "ORDER BY a.address");
  st.bind(1, domain);
  while (st.step()) {
    out.push_back({st.int64(0),
                   st.text(1),
                   {},
                   static_cast<std::uint64_t>(st.int64(3)),
                   st.int64(4) != 0,
                   static_cast<std::uint64_t>(st.int64(5)),
                   st.text(6)});
  }
  return out;
}

std::uint64_t sqlite_store::account_usage(account_id id) {
  auto db = readers_.acquire();
  return read_quota(*db, id).used_bytes;
}

result<void> sqlite_store::check_quota(account_id id, std::uint64_t bytes, std::uint64_t messages) {
  auto db = readers_.acquire();
  return sqlite::check_quota(*db, id, bytes, messages);
}

quota_usage sqlite_store::quota(account_id account) {
  auto db = readers_.acquire();
  return read_quota(*db, account);
}

result<void> sqlite_store::add_alias(std::string_view source, std::string_view target) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    auto dom = domain_id(db, domain_of(source));
    if (!dom) {
      return make_error("unknown domain " + domain_of(source));
    }
    if (db.prepare("SELECT 1 FROM aliases WHERE source = ? AND target = ?")
            .bind(1, source)
            .bind(2, target)
            .step()) {
      return make_error(
          "alias " + std::string(source) + " -> " + std::string(target) + " already exists",
          "exists");
    }
    db.prepare("INSERT INTO aliases(source, target, domain_id) VALUES (?, ?, ?)")
        .bind(1, source)
        .bind(2, target)
        .bind(3, *dom)
        .run();
    return {};
  });
}

result<void> sqlite_store::remove_alias(std::string_view source, std::string_view target) {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("DELETE FROM aliases WHERE source = ?1 AND (?2 = '' OR target = ?2)")
        .bind(1, source)
        .bind(2, target)
        .run();
    if (db.changes() == 0) {
      return make_error("no such alias: " + std::string(source) +
                            (target.empty() ? "" : " -> " + std::string(target)),
                        "not_found");
    }
    return {};
  });
}

std::vector<std::string> sqlite_store::alias_targets(std::string_view source) {
  auto db = readers_.acquire();
  std::vector<std::string> out;
  auto st = db->prepare("SELECT target FROM aliases WHERE source = ? ORDER BY target");
  st.bind(1, source);
  while (st.step()) {
    out.push_back(st.text(0));
  }
  return out;
}

std::vector<alias_record> sqlite_store::list_aliases(std::string_view domain) {
  auto db = readers_.acquire();
  std::vector<alias_record> out;
  auto st = db->prepare(
      "SELECT a.source, a.target FROM aliases a JOIN domains d ON a.domain_id = d.id "
      "WHERE ?1 = '' OR d.name = ?1 ORDER BY a.source, a.target");
  st.bind(1, domain);
  while (st.step()) {
    out.push_back({st.text(0), st.text(1)});
  }
  return out;
}

std::vector<std::string> sqlite_store::aliases_of(std::string_view target) {
  auto db = readers_.acquire();
  std::vector<std::string> out;
  auto st = db->prepare("SELECT source FROM aliases WHERE target = ? ORDER BY source");
  st.bind(1, target);
  while (st.step()) {
    out.push_back(st.text(0));
  }
  return out;
}

std::vector<queued_message> sqlite_store::list_queue() {
  auto db = readers_.acquire();
  read_transaction snapshot(*db);
  std::vector<queued_message> out;
  auto st = db->prepare(
      "SELECT q.id, q.sender, b.size, q.created, q.next_attempt, q.attempts, q.last_error "
      "FROM queue q JOIN blobs b ON q.blob_id = b.id ORDER BY q.id");
  auto rc = db->prepare("SELECT address FROM queue_recipients WHERE queue_id = ? ORDER BY rowid");
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
  return write<void>([&](database& db, touched_list&) -> result<void> {
    auto find = db.prepare("SELECT blob_id FROM queue WHERE id = ?");
    find.bind(1, id);
    if (!find.step()) {
      return make_error("no such queue entry: " + std::to_string(id), "not_found");
    }
    std::int64_t blob = find.int64(0);
    db.prepare("DELETE FROM queue WHERE id = ?").bind(1, id).run();
    release_blobs(db, {blob});
    return {};
  });
}

result<void> sqlite_store::retry_all_now() {
  return write<void>([&](database& db, touched_list&) -> result<void> {
    db.prepare("UPDATE queue SET next_attempt = unixepoch()").run();
    return {};
  });
}

std::vector<message_summary> sqlite_store::list_messages(account_id account,
                                                         std::string_view mailbox) {
  auto db = readers_.acquire();
  std::vector<message_summary> out;
  auto st = db->prepare(
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
  auto db = readers_.acquire();
  auto st =
      db->prepare("SELECT b.data FROM messages m JOIN blobs b ON m.blob_id = b.id WHERE m.id = ?");
  st.bind(1, message_id);
  if (!st.step()) {
    return std::nullopt;
  }
  return st.blob(0);
}

}  // namespace copper::store::sqlite
