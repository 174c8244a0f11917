// One IMAP connection (RFC 9051 / RFC 3501): the state machine of 3.x, the
// command loop with one table of commands and the states they are allowed
// in, and the untagged updates of a selected mailbox. Each command's handler
// lives in cmd/<command>.cpp.
#pragma once

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
  asio::awaitable<void> cmd_sort(const command& c);
  asio::awaitable<void> cmd_uid_sort(const command& c);
  asio::awaitable<void> cmd_thread(const command& c);
  asio::awaitable<void> cmd_uid_thread(const command& c);
  asio::awaitable<void> cmd_compress(const command& c);

  // Shared by the UID and plain forms.
  asio::awaitable<void> fetch(const command& c, bool by_uid);
  asio::awaitable<void> store_flags(const command& c, bool by_uid);
  asio::awaitable<void> copy_or_move(const command& c, bool by_uid, bool move);
  asio::awaitable<void> search(const command& c, bool by_uid);
  // The search criteria of a SEARCH-like command from argument `first` on,
  // with an optional CHARSET; replies BAD/NO itself and returns nullopt.
  std::optional<search_key> parse_search_command(const command& c, std::size_t first);
  // Sequence numbers of the selected messages that match, ascending.
  asio::awaitable<std::vector<std::uint32_t>> run_search(const search_key& key);
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
  asio::awaitable<void> sync_selected(bool allow_expunge);
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
  unsigned errors_ = 0;
  bool logout_ = false;
};

// Mailbox names on the wire: "INBOX" in any case is the inbox (RFC 9051 5.1).
std::string normalize_mailbox_name(std::string_view name);

}  // namespace copper::imap
