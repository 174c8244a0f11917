// SELECT, EXAMINE, CLOSE and UNSELECT (RFC 9051 6.3.2, 6.3.3, 6.4.1, 6.4.2),
// with the CONDSTORE and QRESYNC parameters (RFC 7162 3.1.8, 3.2.5).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <numeric>
#include <utility>

#include "imap/protocol/response.h"
#include "imap/session.h"

namespace copper::imap {
namespace {

// QRESYNC (uidvalidity modseq [known-uids [(known-seqs known-uids)]]).
struct qresync_params {
  std::uint32_t uidvalidity = 0;
  std::uint64_t modseq = 0;
  std::optional<sequence_set> known_uids;
  // seq-match-data (RFC 7162 3.2.5.2): message numbers and their UIDs.
  std::optional<sequence_set> match_seqs;
  std::optional<sequence_set> match_uids;
};

// known-sequence-set and known-uid-set: ascending, without "*" (RFC 7162 7).
bool ascending_without_star(const sequence_set& set) {
  std::uint32_t last = 0;
  for (const auto& r : set.ranges()) {
    if (r.low == 0 || r.high == 0 || r.low > r.high || r.low <= last) {
      return false;
    }
    last = r.high;
  }
  return true;
}

std::uint64_t member_count(const sequence_set& set) {
  std::uint64_t n = 0;
  for (const auto& r : set.ranges()) {
    n += std::uint64_t{r.high} - r.low + 1;
  }
  return n;
}

result<std::pair<sequence_set, sequence_set>> parse_seq_match(const value& match) {
  if (!match.is_list() || match.items.size() != 2 || !match.items[0].is_atom() ||
      !match.items[1].is_atom()) {
    return make_error("bad QRESYNC sequence match data");
  }
  auto seqs = sequence_set::parse(match.items[0].text);
  auto uids = sequence_set::parse(match.items[1].text);
  if (!seqs || !uids || !ascending_without_star(*seqs) || !ascending_without_star(*uids) ||
      member_count(*seqs) != member_count(*uids)) {
    return make_error("bad QRESYNC sequence match data");
  }
  return std::pair(std::move(seqs).value(), std::move(uids).value());
}

// RFC 7162 3.2.5.2: the highest UID of the pairs, taken in order, whose
// message number still holds that UID; the client knows every expunge up
// to it. 0 when the first pair does not match. Walks at most `uids.size()`
// pairs, whatever the sets say.
std::uint32_t matched_up_to(const sequence_set& match_seqs, const sequence_set& match_uids,
                            const std::vector<std::uint32_t>& uids) {
  std::uint32_t known = 0;
  if (match_uids.ranges().empty()) {
    return known;
  }
  auto uid_range = match_uids.ranges().begin();
  std::uint32_t uid = uid_range->low;
  for (const auto& r : match_seqs.ranges()) {
    for (std::uint64_t seq = r.low; seq <= r.high; ++seq) {
      if (seq > uids.size() || uids[seq - 1] != uid) {
        return known;
      }
      known = uid;
      if (uid == uid_range->high) {
        if (++uid_range == match_uids.ranges().end()) {
          return known;
        }
        uid = uid_range->low;
      } else {
        ++uid;
      }
    }
  }
  return known;
}

template <class T>
std::optional<T> positive_number(const value& v) {
  T n = 0;
  const auto& s = v.text;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (!v.is_atom() || s.empty() || ec != std::errc() || ptr != s.data() + s.size() || n == 0) {
    return std::nullopt;
  }
  return n;
}

result<qresync_params> parse_qresync(const value& v) {
  const auto& items = v.items;
  if (!v.is_list() || items.size() < 2 || items.size() > 4) {
    return make_error("Syntax: QRESYNC (uidvalidity modseq [known-uids [seq-match-data]])");
  }
  qresync_params p;
  auto uidvalidity = positive_number<std::uint32_t>(items[0]);
  auto modseq = positive_number<std::uint64_t>(items[1]);
  if (!uidvalidity || !modseq ||
      *modseq > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return make_error("QRESYNC needs a UIDVALIDITY and a mod-sequence");
  }
  p.uidvalidity = *uidvalidity;
  p.modseq = *modseq;
  if (items.size() >= 3) {
    auto known = items[2].is_atom() ? sequence_set::parse(items[2].text)
                                    : result<sequence_set>(make_error("bad known-uids"));
    if (!known) {
      return known.err();
    }
    p.known_uids = std::move(known).value();
  }
  if (items.size() == 4) {
    auto match = parse_seq_match(items[3]);
    if (!match) {
      return match.err();
    }
    p.match_seqs = std::move(match->first);
    p.match_uids = std::move(match->second);
  }
  return p;
}

bool known(const qresync_params& p, std::uint32_t uid) {
  return !p.known_uids || p.known_uids->contains(uid, std::numeric_limits<std::uint32_t>::max());
}

}  // namespace

asio::awaitable<void> session::select(const command& c, bool read_only) {
  if (c.args.empty() || c.args.size() > 2 || !c.args[0].is_astring() ||
      (c.args.size() == 2 && !c.args[1].is_list())) {
    bad(c, "Syntax: SELECT mailbox [(CONDSTORE | QRESYNC (...))]");
    co_return;
  }
  // RFC 7162 3.2.5: every parameter is checked before the mailbox is touched.
  bool condstore = false;
  std::optional<qresync_params> qresync;
  if (c.args.size() == 2) {
    const auto& params = c.args[1].items;
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (params[i].equals("CONDSTORE")) {
        condstore = true;
      } else if (params[i].equals("QRESYNC") && i + 1 < params.size() && !qresync) {
        auto p = parse_qresync(params[++i]);
        if (!p) {
          bad(c, p.err().message);
          co_return;
        }
        qresync = *p;
      } else {
        bad(c, "Unknown SELECT parameter");
        co_return;
      }
    }
  }
  if (qresync && !enabled_.qresync) {
    bad(c, "ENABLE QRESYNC first");  // RFC 7162 3.2.5
    co_return;
  }
  // RFC 9051 6.3.2: a failed SELECT still leaves the old mailbox deselected.
  bool was_selected = selected_ != nullptr;
  selected_.reset();
  state_ = state::authenticated;
  if (was_selected && (enabled_.qresync || enabled_.rev2)) {
    // RFC 7162 3.2.11, RFC 9051 7.1: responses before this belong to the old mailbox.
    untagged("OK [CLOSED] Previous mailbox closed");
  }
  enabled_.condstore = enabled_.condstore || condstore;
  auto info = co_await find_mailbox(c.args[0].text);
  if (!info) {
    no(c, "[NONEXISTENT] No such mailbox");
    co_return;
  }
  auto mailbox = info->id;
  // Watched before it is read: a change after the read is not missed.
  watch_mailbox(mailbox);
  auto read = *co_await blocking([&] { return svc_.mailboxes.select_view(mailbox); });
  // The session keeps only the UIDs; the view starts at the MODSEQ of what
  // was read, so that changes between the two reads are not told twice.
  store::mailbox_info view = *info;
  view.highestmodseq = std::max(view.highestmodseq, read.highestmodseq);
  auto exists = read.uids.size();
  selected_ = std::make_unique<selected_mailbox>(std::move(view), read_only, std::move(read.uids));
  selected_->report_modseq(enabled_.condstore);
  selected_->report_vanished(enabled_.qresync);
  state_ = state::selected;

  untagged(fmt::format("{} EXISTS", exists));
  if (!enabled_.rev2) {
    untagged("0 RECENT");  // required by IMAP4rev1 clients; no \Recent tracking
  }
  untagged(R"(FLAGS (\Answered \Flagged \Deleted \Seen \Draft))");
  if (enabled_.rev2) {
    // RFC 9051 6.3.2: the mailbox name as the server spells it.
    std::string line = R"(LIST () "/" )";
    append_astring(line, info->name);
    untagged(line);
  }
  untagged(read_only ? "OK [PERMANENTFLAGS ()] Read-only mailbox"
                     : "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] "
                       "Flags permitted");
  if (read.first_unseen_uid != 0 && !enabled_.rev2) {
    // UNSEEN is IMAP4rev1 only (RFC 9051 appendix E item 11).
    untagged(
        fmt::format("OK [UNSEEN {}] First unseen", *selected_->seq_of_uid(read.first_unseen_uid)));
  }
  untagged(fmt::format("OK [UIDVALIDITY {}] UIDs valid", info->uidvalidity));
  untagged(fmt::format("OK [UIDNEXT {}] Predicted next UID", info->uidnext));
  // RFC 8474 4.2; mailbox ids are never reused and survive RENAME.
  untagged(fmt::format("OK [MAILBOXID (F{})] Ok", info->id));
  if (enabled_.condstore) {
    // RFC 7162 3.1.2.1: this store keeps MODSEQ for every mailbox.
    untagged(fmt::format("OK [HIGHESTMODSEQ {}] Highest", info->highestmodseq));
  }
  if (qresync && qresync->uidvalidity == info->uidvalidity) {
    // RFC 7162 3.2.5.1: expunges first, as VANISHED (EARLIER), then the
    // flags of what changed, both limited to the UIDs the client knows.
    auto since = qresync->modseq;
    auto changes = *co_await blocking([&] { return svc_.mailboxes.changes_since(mailbox, since); });
    std::vector<std::uint32_t> all(selected_->exists());
    std::iota(all.begin(), all.end(), 1u);
    auto msgs = co_await metas_of(all);
    // RFC 7162 3.2.5.2: no UID up to a matching pair is reported vanished.
    std::uint32_t client_knows = 0;
    if (qresync->match_seqs) {
      std::vector<std::uint32_t> current;
      current.reserve(msgs.size());
      for (const auto& m : msgs) {
        current.push_back(m.uid);
      }
      client_knows = matched_up_to(*qresync->match_seqs, *qresync->match_uids, current);
    }
    std::vector<std::uint32_t> vanished;
    for (auto uid : changes.vanished) {
      if (uid > client_knows && known(*qresync, uid)) {
        vanished.push_back(uid);
      }
    }
    if (!vanished.empty()) {
      untagged("VANISHED (EARLIER) " + sequence_set::from_numbers(vanished).to_string());
    }
    std::string fetches;
    for (std::uint32_t seq = 1; seq <= msgs.size(); ++seq) {
      const auto& m = msgs[seq - 1];
      if (m.modseq > since && known(*qresync, m.uid)) {
        fetches += selected_->flags_update(seq, m.flags, m.modseq);
      }
    }
    conn_->write(fetches);
  }
  ok(c, read_only ? "[READ-ONLY] EXAMINE completed" : "[READ-WRITE] SELECT completed");
}

asio::awaitable<void> session::cmd_select(const command& c) { co_await select(c, false); }

asio::awaitable<void> session::cmd_examine(const command& c) { co_await select(c, true); }

asio::awaitable<void> session::cmd_close(const command& c) {
  if (!selected_->read_only()) {
    // RFC 9051 6.4.1: remove \Deleted messages silently, by the flags
    // as the store has them now.
    std::vector<std::uint32_t> all(selected_->exists());
    std::iota(all.begin(), all.end(), 1u);
    auto metas = co_await metas_of(all);
    std::vector<std::uint32_t> doomed;
    for (const auto& m : metas) {
      if (m.id != 0 && has_flag(m, "\\Deleted")) {
        doomed.push_back(m.uid);
      }
    }
    if (!doomed.empty()) {
      auto mailbox = selected_->info().id;
      auto r = *co_await blocking([&] { return svc_.mailboxes.expunge(mailbox, doomed); });
      if (!r) {
        fail(c, r.err());
        co_return;
      }
    }
  }
  selected_.reset();
  state_ = state::authenticated;
  ok(c, "CLOSE completed");
}

asio::awaitable<void> session::cmd_unselect(const command& c) {
  selected_.reset();
  state_ = state::authenticated;
  ok(c, "UNSELECT completed");
  co_return;
}

}  // namespace copper::imap
