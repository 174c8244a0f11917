// One IMAP connection (RFC 9051 / RFC 3501): the state machine of 3.x, the
// command loop with one table of commands and the states they are allowed
// in, and the untagged updates of a selected mailbox. Each command's handler
// lives in cmd/<command>.cpp.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "directory/directory.h"
#include "imap/order/facts.h"
#include "imap/protocol/command_reader.h"
#include "imap/protocol/parser.h"
#include "imap/search_key.h"
#include "imap/selected.h"
#include "imap/server.h"
#include "net/connection.h"
#include "net/worker.h"

namespace copper::imap {

namespace asio = boost::asio;

struct fetch_request;

enum class state : unsigned { not_authenticated = 1, authenticated = 2, selected = 4 };

class session {
 public:
  session(std::shared_ptr<net::connection> conn, listener_kind kind, services& svc);
  asio::awaitable<void> run();

 private:
  friend struct command_table;

  // Handlers (cmd/*.cpp).
  asio::awaitable<void> cmd_capability(const command& c);
  asio::awaitable<void> cmd_noop(const command& c);
  asio::awaitable<void> cmd_logout(const command& c);
  asio::awaitable<void> cmd_id(const command& c);
  asio::awaitable<void> cmd_starttls(const command& c);
  asio::awaitable<void> cmd_login(const command& c);
  asio::awaitable<void> cmd_authenticate(const command& c);
  asio::awaitable<void> cmd_namespace(const command& c);
  asio::awaitable<void> cmd_list(const command& c);
  asio::awaitable<void> cmd_lsub(const command& c);
  asio::awaitable<void> cmd_status(const command& c);
  asio::awaitable<void> cmd_create(const command& c);
  asio::awaitable<void> cmd_delete(const command& c);
  asio::awaitable<void> cmd_rename(const command& c);
  asio::awaitable<void> cmd_subscribe(const command& c);
  asio::awaitable<void> cmd_unsubscribe(const command& c);
  asio::awaitable<void> cmd_select(const command& c);
  asio::awaitable<void> cmd_examine(const command& c);
  asio::awaitable<void> cmd_close(const command& c);
  asio::awaitable<void> cmd_unselect(const command& c);
  asio::awaitable<void> cmd_expunge(const command& c);
  asio::awaitable<void> cmd_uid_expunge(const command& c);
  asio::awaitable<void> cmd_fetch(const command& c);
  asio::awaitable<void> cmd_uid_fetch(const command& c);
  asio::awaitable<void> cmd_store(const command& c);
  asio::awaitable<void> cmd_uid_store(const command& c);
  asio::awaitable<void> cmd_copy(const command& c);
  asio::awaitable<void> cmd_uid_copy(const command& c);
  asio::awaitable<void> cmd_move(const command& c);
  asio::awaitable<void> cmd_uid_move(const command& c);
  asio::awaitable<void> cmd_search(const command& c);
  asio::awaitable<void> cmd_uid_search(const command& c);
  asio::awaitable<void> cmd_append(const command& c);
  asio::awaitable<void> cmd_idle(const command& c);
  asio::awaitable<void> cmd_check(const command& c);
  asio::awaitable<void> cmd_getquota(const command& c);
  asio::awaitable<void> cmd_getquotaroot(const command& c);
  asio::awaitable<void> cmd_setquota(const command& c);
  asio::awaitable<void> cmd_enable(const command& c);
  asio::awaitable<void> cmd_sort(const command& c);
  asio::awaitable<void> cmd_uid_sort(const command& c);
  asio::awaitable<void> cmd_thread(const command& c);
  asio::awaitable<void> cmd_uid_thread(const command& c);
  asio::awaitable<void> cmd_compress(const command& c);

  // Shared by the UID and plain forms.
  asio::awaitable<void> fetch(const command& c, bool by_uid);
  // RFC 3516 4.3: whether a BINARY item of `req` names a part of one of
  // these messages whose transfer encoding cannot be decoded.
  asio::awaitable<bool> any_unknown_cte(const fetch_request& req,
                                        const std::vector<store::message_meta>& metas);
  asio::awaitable<void> store_flags(const command& c, bool by_uid);
  asio::awaitable<void> copy_or_move(const command& c, bool by_uid, bool move);
  asio::awaitable<void> search(const command& c, bool by_uid);
  // The search criteria of a SEARCH-like command from argument `first` on,
  // with an optional CHARSET; replies BAD/NO itself and returns nullopt.
  std::optional<search_key> parse_search_command(const command& c, std::size_t first);
  // Sequence numbers of the selected messages that match, ascending.
  asio::awaitable<std::vector<std::uint32_t>> run_search(const search_key& key);
  // The sequence numbers that can match `key` given the hits of its
  // full-text criteria (`indexed`), ascending: all, unless the key needs some.
  std::vector<std::uint32_t> candidates(
      const search_key& key,
      const std::map<const search_key*, std::vector<std::uint32_t>>& indexed);
  asio::awaitable<void> select(const command& c, bool read_only);
  asio::awaitable<void> sort(const command& c, bool by_uid);
  asio::awaitable<void> thread(const command& c, bool by_uid);
  // SORT and THREAD: the mandatory charset at args[1] and the search
  // criteria after it; replies BAD/NO itself and returns nullopt.
  std::optional<search_key> parse_sorting_search(const command& c);
  // The RFC 5256 facts of the selected messages `seqs`, numbered by UID or
  // sequence number, in mailbox order.
  asio::awaitable<std::vector<message_facts>> gather_facts(const std::vector<std::uint32_t>& seqs,
                                                           bool by_uid);
  asio::awaitable<void> expunge(const command& c, const std::vector<std::uint32_t>* only_uids);
  // The sequence numbers a sequence-set argument names, by number or UID,
  // where "$" is the saved search result (RFC 5182 2.1).
  result<std::vector<std::uint32_t>> resolve_set(const value& v, bool by_uid) const;
  // The first CONDSTORE enabling command (RFC 7162 3.1) switches MODSEQ
  // reporting on for the rest of the session.
  void enable_condstore();
  // The selected mailbox's HIGHESTMODSEQ now, for a tagged OK after an
  // expunge (RFC 7162 3.2.7, RFC 6851 4.4); sync afterwards so nothing
  // below it goes unreported.
  asio::awaitable<std::optional<std::uint64_t>> current_highestmodseq();
  // UID FETCH's VANISHED modifier: the UIDs of the set expunged since a
  // mod-sequence, as VANISHED (EARLIER) (RFC 7162 3.2.6).
  asio::awaitable<void> report_vanished_earlier(const value& set_arg, std::uint64_t since);
  // The SEARCH or ESEARCH reply (RFC 9051 7.3.4, RFC 4731 3.1, RFC 5182).
  struct search_return;
  // `metas` are those of `seqs` when the criteria use MODSEQ, else empty.
  void search_reply(const command& c, bool by_uid, const search_return& ret, const search_key& key,
                    const std::vector<std::uint32_t>& seqs,
                    const std::vector<store::message_meta>& metas);
  asio::awaitable<bool> finish_login(const command& c, std::string_view user,
                                     std::string_view password);

  // Replies.
  void untagged(std::string_view text);
  void ok(const command& c, std::string_view text);
  void no(const command& c, std::string_view text);
  void bad(const command& c, std::string_view text);
  void fail(const command& c, const error& e);

  // Helpers.
  std::string capabilities() const;
  bool login_allowed() const;
  store::account_id account() const { return user_->id; }
  // Brings the selected mailbox up to date and writes the untagged updates.
  // Asks the store only when the change bus said the mailbox changed.
  asio::awaitable<void> sync_selected(bool allow_expunge);
  // Subscribes to the change bus for `mailbox`, before it is read at SELECT.
  void watch_mailbox(store::mailbox_id mailbox);
  // The store's flags, sizes, dates and MODSEQs of the selected messages
  // `seqs`, in that order, in one store call. A message the store has
  // expunged but the view still holds comes back with its UID and id 0.
  asio::awaitable<std::vector<store::message_meta>> metas_of(
      const std::vector<std::uint32_t>& seqs);
  asio::awaitable<std::optional<store::mailbox_info>> find_mailbox(std::string_view name);
  template <class F>
  auto blocking(F f) {
    return net::run_blocking(svc_.workers, std::move(f));
  }

  listener_kind kind_;
  services& svc_;
  std::shared_ptr<net::connection> conn_;
  std::string id_;
  command_reader reader_;
  state state_ = state::not_authenticated;
  std::optional<directory::principal> user_;
  std::unique_ptr<selected_mailbox> selected_;
  // Set from the store's writer thread when the watched (selected) mailbox
  // changes; taken by sync_selected. Most commands find it clear and skip
  // the store read (and the trip to the worker pool) that would say so.
  std::shared_ptr<std::atomic<bool>> selected_changed_ = std::make_shared<std::atomic<bool>>(true);
  std::unique_ptr<store::change_bus::subscription> selected_watch_;
  unsigned errors_ = 0;
  bool logout_ = false;
  // Extensions switched on in this session by ENABLE (RFC 5161) or, for
  // CONDSTORE, by its first use.
  struct extensions {
    bool condstore = false;
    bool qresync = false;
    bool rev2 = false;  // IMAP4rev2 (RFC 9051) replies instead of RFC 3501's
  };
  extensions enabled_;
};

// Mailbox names on the wire: "INBOX" in any case is the inbox (RFC 9051 5.1).
std::string normalize_mailbox_name(std::string_view name);

}  // namespace copper::imap
