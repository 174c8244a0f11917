// COPY, MOVE and their UID forms (RFC 9051 6.4.7-6.4.9, RFC 6851 MOVE,
// RFC 4315 COPYUID).
#include <fmt/format.h>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::copy_or_move(const command& c, bool by_uid, bool move) {
  if (c.args.size() != 2 || !c.args[0].is_atom() || !c.args[1].is_astring()) {
    bad(c, move ? "Syntax: MOVE sequence-set mailbox" : "Syntax: COPY sequence-set mailbox");
    co_return;
  }
  auto seqs = resolve_set(c.args[0], by_uid);
  if (!seqs) {
    bad(c, seqs.err().message);
    co_return;
  }
  if (move && selected_->read_only()) {
    no(c, "[READ-ONLY] Mailbox is read-only");
    co_return;
  }
  auto dest = co_await find_mailbox(c.args[1].text);
  if (!dest) {
    no(c, "[TRYCREATE] No such mailbox");  // RFC 9051 6.4.7
    co_return;
  }
  std::vector<std::uint32_t> uids;
  for (auto seq : *seqs) {
    uids.push_back(selected_->uid_at(seq));
  }
  if (uids.empty()) {
    ok(c, move ? "MOVE completed (nothing to move)" : "COPY completed (nothing to copy)");
    co_return;
  }
  auto from = selected_->info().id;
  auto to = dest->id;
  auto r = *co_await blocking([&] {
    return move ? svc_.mailboxes.move(from, uids, to) : svc_.mailboxes.copy(from, uids, to);
  });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  std::string copyuid = fmt::format("COPYUID {} {} {}", r->uidvalidity,
                                    sequence_set::from_numbers(r->source_uids).to_string(),
                                    sequence_set::from_numbers(r->dest_uids).to_string());
  if (!move) {
    ok(c, "[" + copyuid + "] COPY completed");
    co_return;
  }
  // RFC 6851 4.3: COPYUID goes in an untagged OK before the expunges.
  untagged("OK [" + copyuid + "] Moved");
  conn_->write(selected_->expunge_uids(r->source_uids));
  if (enabled_.condstore) {
    // RFC 6851 4.4: the source's new HIGHESTMODSEQ after a move.
    auto highest = co_await current_highestmodseq();
    co_await sync_selected(true);
    if (highest) {
      ok(c, fmt::format("[HIGHESTMODSEQ {}] MOVE completed", *highest));
      co_return;
    }
  }
  ok(c, "MOVE completed");
}

asio::awaitable<void> session::cmd_copy(const command& c) {
  co_await copy_or_move(c, false, false);
}
asio::awaitable<void> session::cmd_uid_copy(const command& c) {
  co_await copy_or_move(c, true, false);
}
asio::awaitable<void> session::cmd_move(const command& c) { co_await copy_or_move(c, false, true); }
asio::awaitable<void> session::cmd_uid_move(const command& c) {
  co_await copy_or_move(c, true, true);
}

}  // namespace copper::imap
