#include "store/sqlite/migrations.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace copper::store::sqlite {
namespace {

// Append only: a released migration is never edited.
constexpr std::array<const char*, 8> migrations = {
    // 1: directory, mailboxes, content-addressed blobs, messages, outbound queue.
    R"sql(
CREATE TABLE domains (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL UNIQUE,
  domain_id INTEGER NOT NULL REFERENCES domains(id),
  password_hash TEXT NOT NULL,
  quota_bytes INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE TABLE aliases (
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  domain_id INTEGER NOT NULL REFERENCES domains(id),
  PRIMARY KEY (source, target)
) WITHOUT ROWID;
CREATE INDEX aliases_target ON aliases(target);
CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  special_use TEXT NOT NULL DEFAULT '',
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  highestmodseq INTEGER NOT NULL DEFAULT 1,
  subscribed INTEGER NOT NULL DEFAULT 1,
  UNIQUE (account_id, name)
);
CREATE TABLE blobs (
  id INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  refs INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  blob_id INTEGER NOT NULL REFERENCES blobs(id),
  size INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  flags TEXT NOT NULL DEFAULT '',
  modseq INTEGER NOT NULL,
  UNIQUE (mailbox_id, uid)
);
CREATE TABLE queue (
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  envid TEXT NOT NULL DEFAULT '',
  ret TEXT NOT NULL DEFAULT '',
  blob_id INTEGER NOT NULL REFERENCES blobs(id),
  created INTEGER NOT NULL,
  next_attempt INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE queue_recipients (
  queue_id INTEGER NOT NULL REFERENCES queue(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  notify TEXT NOT NULL DEFAULT '',
  orcpt TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX queue_recipients_queue ON queue_recipients(queue_id);
)sql",
    // 2: the mailbox model (RFC 9051, RFC 7162).
    // Mailboxes, messages and blobs are rebuilt with AUTOINCREMENT (SQLite's
    // table-rebuild procedure, https://sqlite.org/lang_altertable.html#otheralter)
    // so that their ids are never reused: IMAP sessions hold mailbox ids, a
    // message id is EMAILID material that must never name another message
    // (RFC 8474 5.1), and caches key on blob ids. Plain INTEGER PRIMARY KEY
    // hands out the id of a deleted last row again.
    R"sql(
CREATE TABLE mailboxes_v2 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  special_use TEXT NOT NULL DEFAULT '',
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  highestmodseq INTEGER NOT NULL DEFAULT 1,
  subscribed INTEGER NOT NULL DEFAULT 1,
  UNIQUE (account_id, name)
);
INSERT INTO mailboxes_v2 (id, account_id, name, special_use, uidvalidity, uidnext, highestmodseq,
                          subscribed)
  SELECT id, account_id, name, special_use, uidvalidity, uidnext, highestmodseq, subscribed
  FROM mailboxes;
DROP TABLE mailboxes;
ALTER TABLE mailboxes_v2 RENAME TO mailboxes;

CREATE TABLE blobs_v2 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256 BLOB NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  refs INTEGER NOT NULL,
  data BLOB NOT NULL
);
INSERT INTO blobs_v2 (id, sha256, size, refs, data) SELECT id, sha256, size, refs, data FROM blobs;
DROP TABLE blobs;
ALTER TABLE blobs_v2 RENAME TO blobs;

CREATE TABLE messages_v2 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  blob_id INTEGER NOT NULL REFERENCES blobs(id),
  size INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  flags TEXT NOT NULL DEFAULT '',
  modseq INTEGER NOT NULL,
  UNIQUE (mailbox_id, uid)
);
INSERT INTO messages_v2 (id, mailbox_id, uid, blob_id, size, internal_date, flags, modseq)
  SELECT id, mailbox_id, uid, blob_id, size, internal_date, flags, modseq FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;
-- CONDSTORE FETCH/SEARCH MODSEQ and QRESYNC: what changed since a MODSEQ.
CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);

-- The last UIDVALIDITY handed out per account: a mailbox deleted and created
-- again gets a larger one even within the same second (RFC 9051 2.3.1.1).
ALTER TABLE accounts ADD COLUMN last_uidvalidity INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET last_uidvalidity =
  coalesce((SELECT max(uidvalidity) FROM mailboxes WHERE account_id = accounts.id), 0);

-- Expunged UIDs with the MODSEQ of their expunge, for QRESYNC VANISHED
-- (RFC 7162 3.2.5) and changes_since. UIDs are never reused in a mailbox.
CREATE TABLE expunged (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);
)sql",
    // 3: quota usage kept per account (RFC 9208 STORAGE and MESSAGE) instead
    // of summing every message on each check, and a message-count quota.
    // Triggers keep the counters in the very transaction that inserts,
    // moves or deletes a message row, whichever code path does it (append,
    // copy, move, expunge, delivery, DELETE, RENAME INBOX). A later
    // migration that rebuilds `messages` drops these triggers with it and
    // must create them again.
    R"sql(
ALTER TABLE accounts ADD COLUMN quota_messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN used_messages INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET
  used_bytes = coalesce((SELECT sum(m.size) FROM messages m JOIN mailboxes b
                         ON m.mailbox_id = b.id WHERE b.account_id = accounts.id), 0),
  used_messages = (SELECT count(*) FROM messages m JOIN mailboxes b
                   ON m.mailbox_id = b.id WHERE b.account_id = accounts.id);
CREATE TRIGGER messages_usage_insert AFTER INSERT ON messages BEGIN
  UPDATE accounts SET used_bytes = used_bytes + NEW.size, used_messages = used_messages + 1
  WHERE id = (SELECT account_id FROM mailboxes WHERE id = NEW.mailbox_id);
END;
CREATE TRIGGER messages_usage_delete AFTER DELETE ON messages BEGIN
  UPDATE accounts SET used_bytes = used_bytes - OLD.size, used_messages = used_messages - 1
  WHERE id = (SELECT account_id FROM mailboxes WHERE id = OLD.mailbox_id);
END;
CREATE TRIGGER messages_usage_move AFTER UPDATE OF mailbox_id, size ON messages BEGIN
  UPDATE accounts SET used_bytes = used_bytes - OLD.size, used_messages = used_messages - 1
  WHERE id = (SELECT account_id FROM mailboxes WHERE id = OLD.mailbox_id);
  UPDATE accounts SET used_bytes = used_bytes + NEW.size, used_messages = used_messages + 1
  WHERE id = (SELECT account_id FROM mailboxes WHERE id = NEW.mailbox_id);
END;
)sql",
    // 4: subscriptions by name, apart from the mailbox rows: RFC 9051 6.3.7
    // forbids removing a name from the subscription list because its mailbox
    // was deleted (LIST (SUBSCRIBED) then shows it \NonExistent, RFC 5258).
    // mailboxes.subscribed is no longer read.
    R"sql(
CREATE TABLE subscriptions (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (account_id, name)
) WITHOUT ROWID;
INSERT INTO subscriptions(account_id, name)
  SELECT account_id, name FROM mailboxes WHERE subscribed = 1;
)sql",
    // 5: what a message needs besides its bytes, computed once when it enters
    // the store (store/message_index.h). The cached IMAP structure and the
    // search text depend only on the content, so they are kept per blob, once
    // for all the copies and recipients of a message, and go with the blob.
    // EMAILID and THREADID (RFC 8474 5) are per message row but travel with
    // COPY and MOVE; existing rows start as their own email and thread. Rows
    // for blobs stored before this migration are filled in by the store when
    // it opens (sqlite_store::backfill_index), as SQL cannot parse MIME.
    R"sql(
ALTER TABLE messages ADD COLUMN email_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN thread_id INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET email_id = id, thread_id = id;
-- Search joins index rows (per blob) to the messages of one mailbox.
CREATE INDEX messages_blob ON messages(blob_id);
CREATE TABLE message_summaries (
  blob_id INTEGER PRIMARY KEY,
  envelope TEXT NOT NULL,
  bodystructure TEXT NOT NULL,
  body TEXT NOT NULL,
  message_id TEXT NOT NULL DEFAULT ''
);
-- THREADID: the messages whose Message-ID a new message names as a parent.
CREATE INDEX message_summaries_message_id ON message_summaries(message_id)
  WHERE message_id <> '';
-- rowid = blob id. The trigram tokenizer gives substring matches, as IMAP
-- SEARCH wants (RFC 9051 6.4.4); the text is already case-folded (RFC 5051),
-- so the tokenizer compares exactly. The content is kept: needles of fewer
-- than three characters have no trigram and are found by scanning it.
CREATE VIRTUAL TABLE search_text USING fts5(
  hfrom, hto, hcc, hbcc, subject, headers, body,
  tokenize = 'trigram case_sensitive 1'
);
)sql",
    // 6: per-mailbox counts (STATUS MESSAGES, UNSEEN, SIZE, DELETED,
    // DELETED-STORAGE; SELECT's EXISTS) kept on the mailbox row, so that
    // finding a mailbox reads one row instead of grouping all its messages:
    // APPEND, COPY and STATUS looked the mailbox up and slowed down as it
    // grew. Triggers keep them in the transaction that writes the message
    // row, whichever code path does it, as migration 3's account counters.
    // Flags are stored canonically and no keyword contains a backslash
    // (RFC 9051 9 atom-specials), so "\Seen" matches as a substring.
    R"sql(
ALTER TABLE mailboxes ADD COLUMN n_messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN n_unseen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN n_deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN total_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN deleted_size INTEGER NOT NULL DEFAULT 0;
UPDATE mailboxes SET
  n_messages = (SELECT count(*) FROM messages WHERE mailbox_id = mailboxes.id),
  n_unseen = (SELECT count(*) FROM messages
              WHERE mailbox_id = mailboxes.id AND instr(flags, '\Seen') = 0),
  n_deleted = (SELECT count(*) FROM messages
               WHERE mailbox_id = mailboxes.id AND instr(flags, '\Deleted') > 0),
  total_size = (SELECT coalesce(sum(size), 0) FROM messages WHERE mailbox_id = mailboxes.id),
  deleted_size = (SELECT coalesce(sum(size), 0) FROM messages
                  WHERE mailbox_id = mailboxes.id AND instr(flags, '\Deleted') > 0);
CREATE TRIGGER messages_counts_insert AFTER INSERT ON messages BEGIN
  UPDATE mailboxes SET
    n_messages = n_messages + 1,
    n_unseen = n_unseen + (instr(NEW.flags, '\Seen') = 0),
    n_deleted = n_deleted + (instr(NEW.flags, '\Deleted') > 0),
    total_size = total_size + NEW.size,
    deleted_size = deleted_size + (instr(NEW.flags, '\Deleted') > 0) * NEW.size
  WHERE id = NEW.mailbox_id;
END;
CREATE TRIGGER messages_counts_delete AFTER DELETE ON messages BEGIN
  UPDATE mailboxes SET
    n_messages = n_messages - 1,
    n_unseen = n_unseen - (instr(OLD.flags, '\Seen') = 0),
    n_deleted = n_deleted - (instr(OLD.flags, '\Deleted') > 0),
    total_size = total_size - OLD.size,
    deleted_size = deleted_size - (instr(OLD.flags, '\Deleted') > 0) * OLD.size
  WHERE id = OLD.mailbox_id;
END;
-- STORE changes flags, RENAME INBOX moves rows: the old row's share leaves
-- its mailbox and the new row's joins its own (the same one for STORE).
CREATE TRIGGER messages_counts_update AFTER UPDATE OF mailbox_id, size, flags ON messages BEGIN
  UPDATE mailboxes SET
    n_messages = n_messages - 1,
    n_unseen = n_unseen - (instr(OLD.flags, '\Seen') = 0),
    n_deleted = n_deleted - (instr(OLD.flags, '\Deleted') > 0),
    total_size = total_size - OLD.size,
    deleted_size = deleted_size - (instr(OLD.flags, '\Deleted') > 0) * OLD.size
  WHERE id = OLD.mailbox_id;
  UPDATE mailboxes SET
    n_messages = n_messages + 1,
    n_unseen = n_unseen + (instr(NEW.flags, '\Seen') = 0),
    n_deleted = n_deleted + (instr(NEW.flags, '\Deleted') > 0),
    total_size = total_size + NEW.size,
    deleted_size = deleted_size + (instr(NEW.flags, '\Deleted') > 0) * NEW.size
  WHERE id = NEW.mailbox_id;
END;
)sql",
    // 7: reserved for a step merged from another branch; a no-op here so that
    // the numbering stays contiguous.
    "",
    // 8: admin portal (admin/): account roles, and web sessions kept
    // server-side. Only the SHA-256 of a session token is stored, so a copy of
    // the database does not let anyone into the portal.
    R"sql(
ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
CREATE TABLE web_sessions (
  token_sha256 TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX web_sessions_account ON web_sessions(account_id);
)sql",
};

std::int64_t pragma_int(database& db, const char* sql) {
  auto st = db.prepare(sql);
  st.step();
  return st.int64(0);
}

int current_version(database& db) {
  return static_cast<int>(pragma_int(db, "PRAGMA user_version"));
}

}  // namespace

int schema_version() { return static_cast<int>(migrations.size()); }

void migrate(database& db, int target) {
  int version = current_version(db);
  if (version > schema_version()) {
    throw db_error("the store was written by a newer Copper (schema " + std::to_string(version) +
                       ", this build knows " + std::to_string(schema_version()) + ")",
                   SQLITE_ERROR);
  }
  if (version >= target) {
    return;
  }
  // A table rebuild drops the old table, which must not cascade into the rows
  // that reference it: foreign keys are off while migrating (the pragma is a
  // no-op inside a transaction) and checked before each step commits.
  bool foreign_keys = pragma_int(db, "PRAGMA foreign_keys") != 0;
  db.exec("PRAGMA foreign_keys = OFF");
  struct restore_foreign_keys {
    database& db;
    bool on;
    ~restore_foreign_keys() {
      try {
        db.exec(on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF");
      } catch (const db_error&) {  // NOLINT(bugprone-empty-catch): the connection is closing
      }
    }
  } restore{db, foreign_keys};
  for (int v = version; v < std::min(target, schema_version()); ++v) {
    transaction tx(db);
    if (current_version(db) > v) {
      continue;  // another process (a CLI command at startup) migrated meanwhile
    }
    db.exec(migrations[static_cast<std::size_t>(v)]);
    if (db.prepare("PRAGMA foreign_key_check").step()) {
      throw db_error("schema migration " + std::to_string(v + 1) + " broke a foreign key",
                     SQLITE_CONSTRAINT);
    }
    db.exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
    tx.commit();
  }
}

}  // namespace copper::store::sqlite
