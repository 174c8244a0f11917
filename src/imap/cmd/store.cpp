// STORE and UID STORE (RFC 9051 6.4.6), with UNCHANGEDSINCE (RFC 7162 3.1.3).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::store_flags(const command& c, bool by_uid) {
  std::size_t at = 1;
  std::optional<std::uint64_t> unchangedsince;
  if (c.args.size() >= 2 && c.args[1].is_list()) {
    const auto& mod = c.args[1].items;
    std::uint64_t n = 0;
    const std::string& digits = mod.size() == 2 ? mod[1].text : std::string();
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (mod.size() != 2 || !mod[0].equals("UNCHANGEDSINCE") || !mod[1].is_atom() ||
        digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
        n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      bad(c, "Bad STORE modifier");
      co_return;
    }
    unchangedsince = n;
    at = 2;
  }
  if (c.args.size() != at + 2 || !c.args[0].is_atom() || !c.args[at].is_atom()) {
    bad(c, "Syntax: STORE sequence-set [+-]FLAGS[.SILENT] (flags)");
    co_return;
  }
  if (selected_->read_only()) {
    no(c, "[READ-ONLY] Mailbox is read-only");
    co_return;
  }
  auto resolved = resolve_set(c.args[0], by_uid);
  if (!resolved) {
    bad(c, resolved.err().message);
    co_return;
  }
  std::string op = c.args[at].text;
  for (char& ch : op) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  bool silent = op.size() > 7 && op.substr(op.size() - 7) == ".SILENT";
  if (silent) {
    op.resize(op.size() - 7);
  }
  store::flag_operation how;
  if (op == "FLAGS") {
    how = store::flag_operation::replace;
  } else if (op == "+FLAGS") {
    how = store::flag_operation::add;
  } else if (op == "-FLAGS") {
    how = store::flag_operation::remove;
  } else {
    bad(c, "Unknown STORE operation " + c.args[at].text);
    co_return;
  }
  std::vector<std::string> flags;
  const value& fv = c.args[at + 1];
  std::vector<const value*> given;
  if (fv.is_list()) {
    for (const auto& v : fv.items) {
      given.push_back(&v);
    }
  } else {
    given.push_back(&fv);
  }
  for (const value* v : given) {
    auto f = v->is_atom() ? canonical_flag(v->text) : std::nullopt;
    if (!f) {
      bad(c, "Invalid flag " + v->text);
      co_return;
    }
    flags.push_back(*f);
  }

  if (unchangedsince) {
    enable_condstore();  // RFC 7162 3.1: UNCHANGEDSINCE is an enabling command
  }
  std::vector<std::uint32_t> uids;
  auto seqs = std::move(resolved).value();
  uids.reserve(seqs.size());
  for (auto seq : seqs) {
    uids.push_back(selected_->uid_at(seq));
  }
  store::flag_result r;
  if (unchangedsince == 0u) {
    // RFC 7162 3.1.3: every existing message has a MODSEQ above 0, so
    // UNCHANGEDSINCE 0 fails for all of them; the store reads 0 as "no
    // condition" and is not asked.
    r.modified = uids;
  } else {
    auto mailbox = selected_->info().id;
    std::uint64_t condition = unchangedsince.value_or(0);
    auto stored = *co_await blocking(
        [&] { return svc_.mailboxes.store_flags(mailbox, uids, how, flags, condition); });
    if (!stored) {
      fail(c, stored.err());
      co_return;
    }
    r = std::move(stored).value();
  }
  std::vector<std::pair<std::uint32_t, const store::flag_change*>> changed_seqs;
  for (const auto& change : r.changed) {
    if (auto seq = selected_->seq_of_uid(change.uid)) {
      selected_->note_own_change(change.uid, change.modseq);
      changed_seqs.emplace_back(*seq, &change);
    }
  }
  if (!silent) {
    // RFC 9051 6.4.6: the flags of every message named, changed or not,
    // as the store has them now; RFC 7162 3.1.3: not those refused by
    // UNCHANGEDSINCE.
    auto refused = [&](std::uint32_t seq) {
      auto uid = selected_->uid_at(seq);
      return std::find(r.modified.begin(), r.modified.end(), uid) != r.modified.end();
    };
    auto change_of = [&](std::uint32_t seq) -> const store::flag_change* {
      auto it = std::lower_bound(changed_seqs.begin(), changed_seqs.end(), seq,
                                 [](const auto& c, std::uint32_t s) { return c.first < s; });
      return it != changed_seqs.end() && it->first == seq ? it->second : nullptr;
    };
    std::sort(changed_seqs.begin(), changed_seqs.end());
    // What changed is known; only the messages left unchanged are read.
    std::vector<std::uint32_t> unchanged;
    for (auto seq : seqs) {
      if (!refused(seq) && change_of(seq) == nullptr) {
        unchanged.push_back(seq);
      }
    }
    auto unchanged_metas = co_await metas_of(unchanged);
    for (auto seq : seqs) {
      if (refused(seq)) {
        continue;
      }
      store::message_meta m;
      if (const auto* change = change_of(seq)) {
        m.uid = change->uid;
        m.flags = change->flags;
        m.modseq = change->modseq;
      } else {
        auto at = std::lower_bound(unchanged.begin(), unchanged.end(), seq) - unchanged.begin();
        m = unchanged_metas[at];
      }
      if (enabled_.condstore) {
        // RFC 7162 3.2.4: UID and MODSEQ.
        conn_->write(selected_->flags_update(seq, m.flags, m.modseq));
      } else {
        untagged(by_uid
                     ? fmt::format("{} FETCH (UID {} FLAGS {})", seq, m.uid, format_flags(m.flags))
                     : fmt::format("{} FETCH (FLAGS {})", seq, format_flags(m.flags)));
      }
    }
  } else if (unchangedsince) {
    // RFC 7162 3.1.3: even .SILENT reports the new MODSEQ of what changed.
    std::sort(changed_seqs.begin(), changed_seqs.end());
    for (auto [seq, change] : changed_seqs) {
      conn_->write(selected_->flags_update(seq, change->flags, change->modseq));
    }
  }
  co_await sync_selected(by_uid);
  // RFC 7162 3.1.3: MODIFIED names UIDs for UID STORE, else sequence numbers.
  std::vector<std::uint32_t> refused;
  if (!r.modified.empty()) {
    for (auto uid : r.modified) {
      auto seq = selected_->seq_of_uid(uid);
      if (by_uid || seq) {
        refused.push_back(by_uid ? uid : *seq);
      }
    }
    std::sort(refused.begin(), refused.end());
  }
  if (!r.modified.empty() && !refused.empty()) {
    ok(c, fmt::format("[MODIFIED {}] Conditional STORE failed for some messages",
                      sequence_set::from_numbers(refused).to_string()));
    co_return;
  }
  ok(c, "STORE completed");
}

asio::awaitable<void> session::cmd_store(const command& c) { co_await store_flags(c, false); }

asio::awaitable<void> session::cmd_uid_store(const command& c) { co_await store_flags(c, true); }

}  // namespace copper::imap
