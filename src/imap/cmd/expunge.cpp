// EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3, 6.4.9; RFC 4315 2.1).
#include <fmt/format.h>

#include <numeric>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::expunge(const command& c,
                                       const std::vector<std::uint32_t>* only_uids) {
  if (selected_->read_only()) {
    no(c, "[READ-ONLY] Mailbox is read-only");
    co_return;
  }
  // The \Deleted flags as the store has them now.
  std::vector<std::uint32_t> seqs;
  if (only_uids == nullptr) {
    seqs.resize(selected_->exists());
    std::iota(seqs.begin(), seqs.end(), 1u);
  } else {
    for (auto uid : *only_uids) {
      if (auto seq = selected_->seq_of_uid(uid)) {
        seqs.push_back(*seq);
      }
    }
  }
  std::vector<std::uint32_t> doomed;
  auto metas = co_await metas_of(seqs);
  for (const auto& m : metas) {
    if (m.id != 0 && has_flag(m, "\\Deleted")) {
      doomed.push_back(m.uid);
    }
  }
  std::optional<std::uint64_t> highest;
  if (!doomed.empty()) {
    auto mailbox = selected_->info().id;
    auto r = *co_await blocking([&] { return svc_.mailboxes.expunge(mailbox, doomed); });
    if (!r) {
      fail(c, r.err());
      co_return;
    }
    conn_->write(selected_->expunge_uids(*r));
    if (enabled_.qresync && !r->empty()) {
      highest = co_await current_highestmodseq();  // RFC 7162 3.2.7
    }
  }
  co_await sync_selected(true);
  ok(c, highest ? fmt::format("[HIGHESTMODSEQ {}] EXPUNGE completed", *highest)
                : std::string("EXPUNGE completed"));
}

asio::awaitable<void> session::cmd_expunge(const command& c) {
  if (!c.args.empty()) {
    bad(c, "Syntax: EXPUNGE");
    co_return;
  }
  co_await expunge(c, nullptr);
}

asio::awaitable<void> session::cmd_uid_expunge(const command& c) {
  auto seqs = c.args.size() == 1 ? resolve_set(c.args[0], true)
                                 : result<std::vector<std::uint32_t>>(make_error("x"));
  if (!seqs) {
    bad(c, "Syntax: UID EXPUNGE uid-set");
    co_return;
  }
  std::vector<std::uint32_t> uids;
  for (auto seq : *seqs) {
    uids.push_back(selected_->uid_at(seq));
  }
  co_await expunge(c, &uids);
}

}  // namespace copper::imap
