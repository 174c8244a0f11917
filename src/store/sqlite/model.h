// Building blocks of the SQLite store's writes, shared by deliveries and the
// mailbox_store methods: mailbox rows, MODSEQ and UIDVALIDITY allocation,
// content-addressed blobs with reference counts, quota. Each runs inside a
// writer job (store/sqlite/writer.h) and throws db_error on SQLite failures.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/mailbox_store.h"
#include "store/message_index.h"
#include "store/sqlite/db.h"

namespace copper::store::sqlite {

struct mailbox_row {
  mailbox_id id = 0;
  account_id account = 0;
  std::string name;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::uint64_t highestmodseq = 1;
};

std::optional<mailbox_row> load_mailbox(database& db, mailbox_id id);
// `name` in canonical form (store/sqlite/mailbox_name.h).
std::optional<mailbox_row> load_mailbox(database& db, account_id account, std::string_view name);

// The MODSEQ for one write command on a mailbox, above every MODSEQ it has
// given out (RFC 7162 3.1: each STORE gets its own; appends get one above
// HIGHESTMODSEQ). The messages one command changes share it. Updates the row
// and `mb`.
std::uint64_t next_modseq(database& db, mailbox_row& mb);

// Reserves `count` consecutive UIDs from UIDNEXT (RFC 9051 2.3.1.1: strictly
// ascending, never reused); refused with "LIMIT" when 32 bits run out.
result<std::uint32_t> reserve_uids(database& db, mailbox_row& mb, std::size_t count);

// `count` distinct UIDVALIDITY values for new mailboxes of `account`, above
// every value it was given before, so that a name deleted and created again
// never shows its old UIDVALIDITY (RFC 9051 2.3.1.1). Returns the first.
std::uint32_t allocate_uidvalidity(database& db, account_id account, std::uint32_t count);

// Creates one mailbox row; `name` canonical, its parents already present.
mailbox_id insert_mailbox(database& db, account_id account, std::string_view name,
                          std::string_view special_use, std::uint32_t uidvalidity);

struct message_row {
  std::int64_t id = 0;
  std::uint32_t uid = 0;
  std::int64_t blob_id = 0;
  std::uint64_t size = 0;
  std::int64_t internal_date = 0;
  std::string flags;  // as stored
  std::uint64_t modseq = 0;
  std::int64_t email_id = 0;
  std::int64_t thread_id = 0;
  std::int32_t internal_zone = 0;  // minutes east of UTC
};

// The requested UIDs ascending and without duplicates.
std::vector<std::uint32_t> sorted_unique(std::vector<std::uint32_t> uids);
// The messages of `mailbox` among `uids` (sorted_unique), ascending by UID;
// UIDs that do not exist are skipped.
std::vector<message_row> load_messages(database& db, mailbox_id mailbox,
                                       const std::vector<std::uint32_t>& uids);

using sha256_digest = std::array<unsigned char, 32>;
sha256_digest sha256(std::string_view data);

// Stores a body once for all its references (ARCHITECTURE.md "blobs"):
// adds `refs` references to the blob with this content, creating it if new.
std::int64_t put_blob(database& db, std::string_view data, const sha256_digest& digest,
                      std::int64_t refs);
// One more reference per entry (an id may appear several times).
void add_blob_refs(database& db, std::vector<std::int64_t> blob_ids);
// One reference fewer per entry; blobs nobody references any more are deleted.
void release_blobs(database& db, std::vector<std::int64_t> blob_ids);

// The summary of a blob, unless it has one already (a blob is shared by
// every copy and recipient of the same content), and its place in the queue
// of the search indexer.
void put_blob_index(database& db, std::int64_t blob, const message_index& index);

// RFC 8474 5.2 THREADID: the thread of a message in `account` whose
// Message-ID is among `index.parents`, or 0 when there is none (the new
// message then starts a thread of its own).
std::int64_t find_thread(database& db, account_id account, const message_index& index);

// Inserts a new message row (not a copy) with its EMAILID (its own id) and
// THREADID (find_thread, else its own id). Returns the row id.
struct new_message {
  mailbox_id mailbox = 0;
  std::uint32_t uid = 0;
  std::int64_t blob = 0;
  std::uint64_t size = 0;
  std::int64_t internal_date = 0;
  std::int32_t internal_zone = 0;  // minutes east of UTC
  std::string flags;
  std::uint64_t modseq = 0;
  std::int64_t thread = 0;  // 0: a thread of its own
};
std::int64_t insert_message(database& db, const new_message& m);

// Refused with "OVERQUOTA" (RFC 9208) when adding `bytes` in `messages`
// messages would take the account past accounts.quota_bytes or
// accounts.quota_messages (0 = unlimited). Usage is the account's counters
// (migration 3 keeps them): message sizes over all its mailboxes, a copy
// counting again even though its blob is shared, as users and quota roots
// see it.
result<void> check_quota(database& db, account_id account, std::uint64_t bytes,
                         std::uint64_t messages);
quota_usage read_quota(database& db, account_id account);

// Flags as stored: one space-separated TEXT column, canonical spellings.
std::string join_flags(const std::vector<std::string>& flags);
std::vector<std::string> split_flags(std::string_view text);

}  // namespace copper::store::sqlite
