// FETCH and UID FETCH (RFC 9051 6.4.5, 6.4.9).
#include <fmt/format.h>

#include "imap/fetch_item.h"
#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::fetch(const command& c, bool by_uid) {
  if (c.args.size() != 2 || !c.args[0].is_atom()) {
    bad(c, "Syntax: FETCH sequence-set items");
    co_return;
  }
  auto set = sequence_set::parse(c.args[0].text);
  if (!set) {
    bad(c, set.err().message);
    co_return;
  }
  if (!by_uid && !selected_->seqs_in_range(*set)) {
    bad(c, "Invalid message sequence number");
    co_return;
  }
  auto req = parse_fetch_items(c.args[1]);
  if (!req) {
    bad(c, req.err().message);
    co_return;
  }
  req->uid = req->uid || by_uid;  // RFC 9051 6.4.9: UID FETCH always returns UID
  auto seqs = selected_->resolve(*set, by_uid);

  // RFC 9051 6.4.5: BODY[] without .PEEK sets \Seen, and the new FLAGS are
  // part of the response.
  if (req->sets_seen() && !selected_->read_only()) {
    std::vector<std::uint32_t> unseen;
    for (auto seq : seqs) {
      if (!has_flag(selected_->at(seq), "\\Seen")) {
        unseen.push_back(selected_->at(seq).uid);
      }
    }
    if (!unseen.empty()) {
      auto mailbox = selected_->info().id;
      auto r = *co_await blocking([&] {
        return svc_.mailboxes.store_flags(mailbox, unseen, store::flag_operation::add,
                                          {"\\Seen"}, 0);
      });
      if (r) {
        for (const auto& change : r->changed) {
          if (auto seq = selected_->seq_of_uid(change.uid)) {
            selected_->set_flags(*seq, change.flags, change.modseq);
          }
        }
      }
      req->flags = true;
    }
  }

  for (auto seq : seqs) {
    const auto& meta = selected_->at(seq);
    std::optional<std::string> raw;
    if (req->needs_body()) {
      auto blob = meta.blob_id;
      raw = *co_await blocking([&] { return svc_.mailboxes.read_blob(blob); });
      if (!raw) {
        raw = std::string();  // expunged meanwhile: empty, never an error mid-response
      }
    }
    std::optional<mime::message> parsed;
    if (raw && req->needs_mime()) {
      parsed = mime::parse(*raw);
    }
    conn_->write(fmt::format("* {} FETCH ({})\r\n", seq,
                             render_fetch(*req, selected_->at(seq), raw ? &*raw : nullptr,
                                          parsed ? &*parsed : nullptr)));
    // Bodies can be large: let them go out as we go rather than pile up.
    if (raw && !co_await conn_->flush()) {
      co_return;
    }
  }
  // RFC 9051 7.4.1: no EXPUNGE responses during FETCH, but UID FETCH may.
  co_await sync_selected(by_uid);
  ok(c, "FETCH completed");
}

asio::awaitable<void> session::cmd_fetch(const command& c) { co_await fetch(c, false); }

asio::awaitable<void> session::cmd_uid_fetch(const command& c) { co_await fetch(c, true); }

}  // namespace copper::imap
