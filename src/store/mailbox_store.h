// The mailbox half of the store model (ARCHITECTURE.md "Store"): mailboxes,
// messages with UIDs, flags and MODSEQs (RFC 9051, RFC 7162), appends,
// copies, expunges, and the per-account change log. IMAP, POP3 and JMAP work
// through this interface only.
//
// Every method may block (disk, locks, fsync): protocol code calls them on
// the worker pool, never on an I/O thread. Writes are durable when they
// return: APPEND OK and STORE replies come after the commit, and concurrent
// writers share one commit (group commit), as deliveries do.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace copper::store {

using mailbox_id = std::int64_t;

struct mailbox_info {
  mailbox_id id = 0;
  std::string name;         // full hierarchical name, "/" separated, "INBOX" for the inbox
  std::string special_use;  // RFC 6154: "\\Sent" etc., empty if none
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::uint64_t highestmodseq = 1;
  bool subscribed = false;
  std::uint32_t messages = 0;
  std::uint32_t unseen = 0;        // messages without \Seen
  std::uint32_t deleted = 0;       // messages with \Deleted
  std::uint64_t size = 0;          // sum of message sizes (STATUS SIZE, RFC 8438)
  std::uint64_t deleted_size = 0;  // of the \Deleted ones (STATUS DELETED-STORAGE, RFC 9208)
};

// One message as a selected mailbox sees it. Flags are kept as IMAP writes
// them ("\\Seen", "$Forwarded"); system flags compare case-insensitively.
struct message_meta {
  std::int64_t id = 0;  // store-wide message id (EMAILID material, RFC 8474)
  std::uint32_t uid = 0;
  std::uint64_t modseq = 0;
  std::uint64_t size = 0;
  std::int64_t internal_date = 0;  // unix seconds
  std::vector<std::string> flags;
  std::int64_t blob_id = 0;
  // RFC 8474 5: the same for a message and its COPY/MOVE copies.
  std::int64_t email_id = 0;
  std::int64_t thread_id = 0;
  // The zone the internal date was given in, minutes east of UTC (RFC 9051
  // 2.3.3: APPEND's date-time comes back as the client wrote it).
  std::int32_t internal_zone = 0;
};

// The IMAP structure strings computed once when the message entered the
// store (store/message_index.h), so that FETCH ENVELOPE, BODYSTRUCTURE and
// BODY read neither the blob nor the MIME parser.
struct message_structure {
  std::string envelope;
  std::string bodystructure;
  std::string body;
};

// Bound on the header block read_headers returns, so that a batch of them
// stays small: fields past it are not seen (SORT and THREAD read Subject,
// Date, addresses and ids, which real mail has near the top).
constexpr std::size_t max_header_block = std::size_t{256} << 10;

// The full-text index's fields: the header fields IMAP SEARCH names (RFC 9051
// 6.4.4), the body text (BODY) and both (TEXT).
enum class text_field { from, to, cc, bcc, subject, body, text };

enum class flag_operation { add, remove, replace };

struct flag_change {
  std::uint32_t uid = 0;
  std::vector<std::string> flags;  // after the change
  std::uint64_t modseq = 0;
};

struct flag_result {
  std::vector<flag_change> changed;     // messages whose flags changed
  std::vector<std::uint32_t> modified;  // refused by UNCHANGEDSINCE (RFC 7162 3.1.3)
  std::uint64_t highestmodseq = 0;
};

struct append_result {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uid = 0;
};

struct append_request {
  std::string_view data;
  std::vector<std::string> flags;
  std::int64_t internal_date = 0;
  std::int32_t internal_zone = 0;  // minutes east of UTC, as message_meta
};

struct multi_append_result {
  std::uint32_t uidvalidity = 0;
  std::vector<std::uint32_t> uids;  // in the order of the request
};

struct copy_result {
  std::uint32_t uidvalidity = 0;  // of the destination (COPYUID, RFC 4315)
  std::vector<std::uint32_t> source_uids;
  std::vector<std::uint32_t> dest_uids;
};

// What changed in a mailbox since a MODSEQ (CONDSTORE/QRESYNC, JMAP /changes).
struct mailbox_changes {
  std::vector<message_meta> changed;    // added or flag-changed, by UID
  std::vector<std::uint32_t> vanished;  // expunged UIDs, ascending
  std::uint64_t highestmodseq = 0;
};

class change_bus;

class mailbox_store {
 public:
  virtual ~mailbox_store() = default;

  virtual change_bus& changes() = 0;

  virtual std::vector<mailbox_info> list_mailboxes(account_id account) = 0;
  virtual std::optional<mailbox_info> find_mailbox(account_id account, std::string_view name) = 0;
  // Creates missing parents too ("a/b/c" creates "a" and "a/b").
  virtual result<mailbox_id> create_mailbox(account_id account, std::string_view name,
                                            std::string_view special_use) = 0;
  // INBOX cannot be deleted; a mailbox with children cannot either.
  virtual result<void> delete_mailbox(account_id account, std::string_view name) = 0;
  // Renames children with it. Renaming INBOX moves its messages to a new
  // mailbox and leaves INBOX empty (RFC 9051 6.3.6).
  virtual result<void> rename_mailbox(account_id account, std::string_view from,
                                      std::string_view to) = 0;
  // Subscribing needs an existing mailbox; a subscribed name outlives its
  // mailbox (RFC 9051 6.3.7) until it is unsubscribed.
  virtual result<void> subscribe(account_id account, std::string_view name, bool on) = 0;
  // Every subscribed name, existing or not, INBOX first.
  virtual std::vector<std::string> subscriptions(account_id account) = 0;

  // All messages of a mailbox, ascending by UID.
  virtual std::vector<message_meta> messages(mailbox_id mailbox) = 0;
  // The messages with these UIDs (ascending, no duplicates), ascending by
  // UID; UIDs that are not in the mailbox are left out. One call per IMAP
  // command, whatever the number of messages.
  virtual std::vector<message_meta> messages(mailbox_id mailbox,
                                             const std::vector<std::uint32_t>& uids) = 0;
  // What SELECT needs, without the rest of each message, from one snapshot:
  // the UIDs ascending, the mailbox's HIGHESTMODSEQ, and the UID of the
  // first message without \Seen (0 when every one has it).
  struct selection {
    std::vector<std::uint32_t> uids;
    std::uint64_t highestmodseq = 0;
    std::uint32_t first_unseen_uid = 0;
  };
  virtual selection select_view(mailbox_id mailbox) = 0;
  virtual mailbox_changes changes_since(mailbox_id mailbox, std::uint64_t modseq) = 0;
  // The mailbox's HIGHESTMODSEQ alone, one row by primary key: the cheap
  // "did anything change?" a selected IMAP mailbox asks at every command
  // before it asks changes_since. nullopt when the mailbox is gone.
  virtual std::optional<std::uint64_t> highestmodseq(mailbox_id mailbox) = 0;
  virtual std::optional<std::string> read_blob(std::int64_t blob_id) = 0;
  // By message_meta::id; nullopt when the message is gone or not summarised.
  virtual std::optional<message_structure> read_summary(std::int64_t message_id) = 0;
  // Batches of the three reads above, answered in the order asked with one
  // connection: a FETCH, SEARCH or SORT over many messages then makes one
  // worker-pool trip per batch instead of one per message. The caller bounds
  // a batch (the blobs of one are all in memory at once).
  virtual std::vector<std::optional<std::string>> read_blobs(
      const std::vector<std::int64_t>& blob_ids) = 0;
  virtual std::vector<std::optional<message_structure>> read_summaries(
      const std::vector<std::int64_t>& message_ids) = 0;
  // The header block of each blob (up to and including the blank line that
  // ends it, at most max_header_block bytes), reading only that much of the
  // blob; "" for a blob that is gone.
  virtual std::vector<std::string> read_headers(const std::vector<std::int64_t>& blob_ids) = 0;
  // UIDs (ascending) of the messages of `mailbox` whose `field` contains
  // `needle`, which must already be case-folded (mime/casefold.h).
  virtual std::vector<std::uint32_t> search_text(mailbox_id mailbox, text_field field,
                                                 std::string_view needle) = 0;

  // Refused with code "OVERQUOTA" when the account's quota would be exceeded.
  virtual result<append_result> append(account_id account, mailbox_id mailbox,
                                       std::string_view data, const std::vector<std::string>& flags,
                                       std::int64_t internal_date) = 0;
  // Several messages in one transaction (MULTIAPPEND, RFC 3502): all are
  // stored, with consecutive UIDs in the given order, or none is.
  virtual result<multi_append_result> append_all(account_id account, mailbox_id mailbox,
                                                 const std::vector<append_request>& messages) = 0;
  // The account's one quota root (RFC 9208).
  virtual quota_usage quota(account_id account) = 0;
  // `unchangedsince` 0 means no condition.
  virtual result<flag_result> store_flags(mailbox_id mailbox,
                                          const std::vector<std::uint32_t>& uids, flag_operation op,
                                          const std::vector<std::string>& flags,
                                          std::uint64_t unchangedsince) = 0;
  virtual result<copy_result> copy(mailbox_id from, const std::vector<std::uint32_t>& uids,
                                   mailbox_id to) = 0;
  // Copy and expunge in one transaction (RFC 6851).
  virtual result<copy_result> move(mailbox_id from, const std::vector<std::uint32_t>& uids,
                                   mailbox_id to) = 0;
  // Removes the given UIDs (only those that exist); returns the expunged UIDs.
  virtual result<std::vector<std::uint32_t>> expunge(mailbox_id mailbox,
                                                     const std::vector<std::uint32_t>& uids) = 0;
};

// The in-process change bus (ARCHITECTURE.md "Change notifications"): the
// store publishes after every commit that touches a mailbox; IMAP IDLE and
// JMAP push subscribe per account. Callbacks run on the committing thread and
// must only post work elsewhere.
class change_bus {
 public:
  using callback = std::function<void(mailbox_id)>;

  class subscription {
   public:
    subscription(change_bus* bus, std::uint64_t id) : bus_(bus), id_(id) {}
    subscription(const subscription&) = delete;
    subscription& operator=(const subscription&) = delete;
    ~subscription();

   private:
    change_bus* bus_;
    std::uint64_t id_;
  };

  std::unique_ptr<subscription> subscribe(account_id account, callback cb);
  void publish(account_id account, mailbox_id mailbox);

 private:
  struct entry {
    account_id account;
    callback cb;
  };
  std::mutex mu_;
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, entry> subscribers_;
};

}  // namespace copper::store
