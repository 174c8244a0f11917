// STORE and UID STORE (RFC 9051 6.4.6), with UNCHANGEDSINCE (RFC 7162 3.1.3)
// accepted in its syntax.
#include <fmt/format.h>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::store_flags(const command& c, bool by_uid) {
  std::size_t at = 1;
  std::uint64_t unchangedsince = 0;
  if (c.args.size() >= 2 && c.args[1].is_list()) {
    const auto& mod = c.args[1].items;
    if (mod.size() != 2 || !mod[0].equals("UNCHANGEDSINCE") || !mod[1].is_atom()) {
      bad(c, "Bad STORE modifier");
      co_return;
    }
    unchangedsince = std::strtoull(mod[1].text.c_str(), nullptr, 10);
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
  auto set = sequence_set::parse(c.args[0].text);
  if (!set) {
    bad(c, set.err().message);
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

  if (!by_uid && !selected_->seqs_in_range(*set)) {
    bad(c, "Invalid message sequence number");
    co_return;
  }
  std::vector<std::uint32_t> uids;
  auto seqs = selected_->resolve(*set, by_uid);
  uids.reserve(seqs.size());
  for (auto seq : seqs) {
    uids.push_back(selected_->at(seq).uid);
  }
  auto mailbox = selected_->info().id;
  auto r = *co_await blocking([&] {
    return svc_.mailboxes.store_flags(mailbox, uids, how, flags, unchangedsince);
  });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  for (const auto& change : r->changed) {
    if (auto seq = selected_->seq_of_uid(change.uid)) {
      selected_->set_flags(*seq, change.flags, change.modseq);
    }
  }
  if (!silent) {
    // RFC 9051 6.4.6: the flags of every message named, changed or not.
    for (auto seq : seqs) {
      const auto& m = selected_->at(seq);
      untagged(by_uid ? fmt::format("{} FETCH (UID {} FLAGS {})", seq, m.uid, format_flags(m.flags))
                      : fmt::format("{} FETCH (FLAGS {})", seq, format_flags(m.flags)));
    }
  }
  co_await sync_selected(by_uid);
  if (!r->modified.empty()) {
    ok(c, fmt::format("[MODIFIED {}] Conditional STORE failed for some messages",
                      sequence_set::from_numbers(r->modified).to_string()));
    co_return;
  }
  ok(c, "STORE completed");
}

asio::awaitable<void> session::cmd_store(const command& c) { co_await store_flags(c, false); }

asio::awaitable<void> session::cmd_uid_store(const command& c) { co_await store_flags(c, true); }

}  // namespace copper::imap
