// mailbox_store: the mailbox tree of an account (RFC 9051 6.3.4 to 6.3.8).
#include <optional>
#include <string>

#include "store/sqlite/mailbox_name.h"
#include "store/sqlite/model.h"
#include "store/sqlite/sqlite_store.h"

namespace copper::store::sqlite {
namespace {

// Bounds what one account can make the store hold (STYLE.md: every count
// that input controls has a bound).
constexpr std::int64_t max_mailboxes_per_account = 10'000;

// Every mailbox of the account (or one name) with its counts, which
// migration 6's triggers keep on the mailbox row: one indexed read, however
// many messages the mailbox holds.
constexpr const char* mailbox_query = R"sql(
SELECT b.id, b.name, b.special_use, b.uidvalidity, b.uidnext, b.highestmodseq,
       EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = b.account_id AND s.name = b.name),
       b.n_messages, b.n_unseen, b.n_deleted, b.total_size, b.deleted_size
FROM mailboxes b
WHERE b.account_id = ?1 AND (?2 IS NULL OR b.name = ?2)
ORDER BY b.name <> 'INBOX', b.name
)sql";

std::vector<mailbox_info> query_mailboxes(database& db, account_id account,
                                          const std::string* name) {
  auto st = db.prepare(mailbox_query);
  st.bind(1, account);
  if (name != nullptr) {
    st.bind(2, *name);
  } else {
    st.bind_null(2);
  }
  std::vector<mailbox_info> out;
  while (st.step()) {
    out.push_back({st.int64(0), st.text(1), st.text(2), static_cast<std::uint32_t>(st.int64(3)),
                   static_cast<std::uint32_t>(st.int64(4)), static_cast<std::uint64_t>(st.int64(5)),
                   st.int64(6) != 0, static_cast<std::uint32_t>(st.int64(7)),
                   static_cast<std::uint32_t>(st.int64(8)), static_cast<std::uint32_t>(st.int64(9)),
                   static_cast<std::uint64_t>(st.int64(10)),
                   static_cast<std::uint64_t>(st.int64(11))});
  }
  return out;
}

bool account_exists(database& db, account_id account) {
  return db.prepare("SELECT 1 FROM accounts WHERE id = ?").bind(1, account).step();
}

// Whether `name` has inferior names: those between "name/" and "name0"
// ('0' follows '/'), which the (account_id, name) index finds directly.
bool has_children(database& db, account_id account, const std::string& name) {
  return db
      .prepare("SELECT 1 FROM mailboxes WHERE account_id = ? AND name > ? AND name < ? LIMIT 1")
      .bind(1, account)
      .bind(2, name + "/")
      .bind(3, name + "0")
      .step();
}

error nonexistent(std::string_view name) {
  return make_error("no such mailbox: " + std::string(name), "NONEXISTENT");
}

error already_exists(std::string_view name) {
  return make_error("mailbox already exists: " + std::string(name), "ALREADYEXISTS");
}

// Creates the superior names of `name` that do not exist yet (RFC 9051
// 6.3.4, 6.3.6), then checks the account's mailbox count.
result<void> create_parents(database& db, account_id account, const std::string& name,
                            std::size_t adding) {
  std::vector<std::string> missing;
  for (auto& parent : parent_mailbox_names(name)) {
    if (!load_mailbox(db, account, parent)) {
      missing.push_back(std::move(parent));
    }
  }
  auto count = db.prepare("SELECT count(*) FROM mailboxes WHERE account_id = ?");
  count.bind(1, account).step();
  if (count.int64(0) + static_cast<std::int64_t>(missing.size() + adding) >
      max_mailboxes_per_account) {
    return make_error("too many mailboxes", "LIMIT");
  }
  if (!missing.empty()) {
    auto uidvalidity =
        allocate_uidvalidity(db, account, static_cast<std::uint32_t>(missing.size()));
    for (const auto& parent : missing) {
      insert_mailbox(db, account, parent, "", uidvalidity++);
    }
  }
  return {};
}

// RFC 9051 6.3.6: INBOX's messages go to a new mailbox; INBOX stays, empty,
// with its UIDVALIDITY, and its sessions see the messages expunged.
result<mailbox_id> rename_inbox(database& db, const mailbox_row& inbox, const std::string& to) {
  if (auto r = create_parents(db, inbox.account, to, 1); !r.ok()) {
    return r.err();
  }
  mailbox_id target =
      insert_mailbox(db, inbox.account, to, "", allocate_uidvalidity(db, inbox.account, 1));
  mailbox_row source = inbox;
  std::uint64_t gone = next_modseq(db, source);
  db.prepare(
        "INSERT INTO expunged(mailbox_id, uid, modseq) SELECT mailbox_id, uid, ? "
        "FROM messages WHERE mailbox_id = ?")
      .bind(1, static_cast<std::int64_t>(gone))
      .bind(2, inbox.id)
      .run();
  // The rows move as they are: UIDs stay ascending and below the new
  // mailbox's UIDNEXT, and one new MODSEQ marks them all.
  db.prepare("UPDATE messages SET mailbox_id = ?, modseq = 2 WHERE mailbox_id = ?")
      .bind(1, target)
      .bind(2, inbox.id)
      .run();
  db.prepare("UPDATE mailboxes SET uidnext = ?, highestmodseq = 2 WHERE id = ?")
      .bind(1, static_cast<std::int64_t>(inbox.uidnext))
      .bind(2, target)
      .run();
  return target;
}

}  // namespace

std::vector<mailbox_info> sqlite_store::list_mailboxes(account_id account) {
  auto db = readers_.acquire();
  return query_mailboxes(*db, account, nullptr);
}

std::optional<mailbox_info> sqlite_store::find_mailbox(account_id account, std::string_view name) {
  auto canonical = canonical_mailbox_name(name);
  if (!canonical.ok()) {
    return std::nullopt;  // a name that cannot be created does not exist
  }
  auto db = readers_.acquire();
  auto found = query_mailboxes(*db, account, &*canonical);
  if (found.empty()) {
    return std::nullopt;
  }
  return std::move(found.front());
}

result<mailbox_id> sqlite_store::create_mailbox(account_id account, std::string_view name,
                                                std::string_view special_use) {
  auto canonical = canonical_mailbox_name(name);
  if (!canonical.ok()) {
    return canonical.err();
  }
  auto use = canonical_special_use(special_use);
  if (!use.ok()) {
    return use.err();
  }
  return write<mailbox_id>([&](database& db, touched_list& touched) -> result<mailbox_id> {
    if (!account_exists(db, account)) {
      return make_error("no such account", "NONEXISTENT");
    }
    // INBOX always exists (RFC 9051 5.1), so creating it is this error too.
    if (load_mailbox(db, account, *canonical)) {
      return already_exists(*canonical);
    }
    if (auto r = create_parents(db, account, *canonical, 1); !r.ok()) {
      return r.err();
    }
    mailbox_id id =
        insert_mailbox(db, account, *canonical, *use, allocate_uidvalidity(db, account, 1));
    touched.emplace_back(account, id);
    return id;
  });
}

result<void> sqlite_store::delete_mailbox(account_id account, std::string_view name) {
  auto canonical = canonical_mailbox_name(name);
  if (!canonical.ok()) {
    return nonexistent(name);
  }
  if (*canonical == "INBOX") {
    return make_error("INBOX cannot be deleted", "CANNOT");  // RFC 9051 6.3.5
  }
  return write<void>([&](database& db, touched_list& touched) -> result<void> {
    auto mb = load_mailbox(db, account, *canonical);
    if (!mb) {
      return nonexistent(*canonical);
    }
    // RFC 9051 6.3.5: without \Noselect placeholders, a mailbox with inferior
    // names is refused with HASCHILDREN.
    if (has_children(db, account, *canonical)) {
      return make_error("mailbox has children; delete them first", "HASCHILDREN");
    }
    std::vector<std::int64_t> blobs;
    auto st = db.prepare("SELECT blob_id FROM messages WHERE mailbox_id = ?");
    st.bind(1, mb->id);
    while (st.step()) {
      blobs.push_back(st.int64(0));
    }
    db.prepare("DELETE FROM messages WHERE mailbox_id = ?").bind(1, mb->id).run();
    release_blobs(db, std::move(blobs));
    db.prepare("DELETE FROM expunged WHERE mailbox_id = ?").bind(1, mb->id).run();
    db.prepare("DELETE FROM mailboxes WHERE id = ?").bind(1, mb->id).run();
    touched.emplace_back(account, mb->id);
    return {};
  });
}

result<void> sqlite_store::rename_mailbox(account_id account, std::string_view from,
                                          std::string_view to) {
  auto source = canonical_mailbox_name(from);
  if (!source.ok()) {
    return nonexistent(from);
  }
  auto target = canonical_mailbox_name(to);
  if (!target.ok()) {
    return target.err();
  }
  if (*source != "INBOX" && target->size() > source->size() &&
      target->compare(0, source->size() + 1, *source + "/") == 0) {
    return make_error("a mailbox cannot be moved under itself", "CANNOT");
  }
  return write<void>([&](database& db, touched_list& touched) -> result<void> {
    auto mb = load_mailbox(db, account, *source);
    if (!mb) {
      return nonexistent(*source);
    }
    if (load_mailbox(db, account, *target)) {
      return already_exists(*target);
    }
    if (*source == "INBOX") {
      auto moved = rename_inbox(db, *mb, *target);
      if (!moved.ok()) {
        return moved.err();
      }
      touched.emplace_back(account, mb->id);
      touched.emplace_back(account, *moved);
      return {};
    }
    // RFC 9051 6.3.6: inferior names move along ("foo/bar" becomes "zap/bar").
    std::vector<std::pair<mailbox_id, std::string>> renames{{mb->id, *target}};
    auto kids =
        db.prepare("SELECT id, name FROM mailboxes WHERE account_id = ? AND name > ? AND name < ?");
    kids.bind(1, account).bind(2, *source + "/").bind(3, *source + "0");
    while (kids.step()) {
      std::string name = *target + kids.text(1).substr(source->size());
      if (!canonical_mailbox_name(name).ok()) {
        return make_error("renaming would make a name too long or too deep", "CANNOT");
      }
      if (load_mailbox(db, account, name)) {
        return already_exists(name);
      }
      renames.emplace_back(kids.int64(0), std::move(name));
    }
    if (auto r = create_parents(db, account, *target, 0); !r.ok()) {
      return r;
    }
    // Subscriptions follow the names they were for, those of children that
    // no longer exist too; a stale one on a target name gives way.
    db.prepare(
          "UPDATE OR REPLACE subscriptions SET name = ?1 || substr(name, length(?2) + 1) "
          "WHERE account_id = ?3 AND (name = ?2 OR (name > ?2 || '/' AND name < ?2 || '0'))")
        .bind(1, *target)
        .bind(2, *source)
        .bind(3, account)
        .run();
    auto st = db.prepare("UPDATE mailboxes SET name = ? WHERE id = ?");
    for (const auto& [id, name] : renames) {
      st.bind(1, name).bind(2, id).run();
      st.reset();
      touched.emplace_back(account, id);
    }
    return {};
  });
}

result<void> sqlite_store::subscribe(account_id account, std::string_view name, bool on) {
  auto canonical = canonical_mailbox_name(name);
  if (!canonical.ok()) {
    return nonexistent(name);
  }
  return write<void>([&](database& db, touched_list& touched) -> result<void> {
    auto mb = load_mailbox(db, account, *canonical);
    if (on) {
      // Only existing mailboxes can be subscribed (RFC 9051 6.3.7 lets a
      // server check that); the name stays subscribed if it goes away.
      if (!mb) {
        return nonexistent(*canonical);
      }
      db.prepare("INSERT OR IGNORE INTO subscriptions(account_id, name) VALUES (?, ?)")
          .bind(1, account)
          .bind(2, *canonical)
          .run();
    } else {
      db.prepare("DELETE FROM subscriptions WHERE account_id = ? AND name = ?")
          .bind(1, account)
          .bind(2, *canonical)
          .run();
      if (db.changes() == 0 && !mb) {
        return nonexistent(*canonical);
      }
    }
    if (mb) {
      touched.emplace_back(account, mb->id);
    }
    return {};
  });
}

std::vector<std::string> sqlite_store::subscriptions(account_id account) {
  auto db = readers_.acquire();
  auto st = db->prepare(
      "SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name <> 'INBOX', name");
  st.bind(1, account);
  std::vector<std::string> out;
  while (st.step()) {
    out.push_back(st.text(0));
  }
  return out;
}

}  // namespace copper::store::sqlite
