#include "imap/selected.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/text.h"

namespace copper::imap {

std::optional<std::string> canonical_flag(std::string_view f) {
  static constexpr std::string_view system[] = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen",
                                                "\\Draft"};
  if (!f.empty() && f.front() == '\\') {
    for (auto s : system) {
      if (iequals_ascii(s, f)) {
        return std::string(s);
      }
    }
    return std::nullopt;
  }
  if (f.empty() || f.size() > 100) {
    return std::nullopt;
  }
  return std::string(f);
}

bool has_flag(const store::message_meta& m, std::string_view flag) {
  return std::find(m.flags.begin(), m.flags.end(), flag) != m.flags.end();
}

std::string format_flags(const std::vector<std::string>& flags) {
  return fmt::format("({})", fmt::join(flags, " "));
}

selected_mailbox::selected_mailbox(store::mailbox_info info, bool read_only,
                                   std::vector<std::uint32_t> uids)
    : info_(std::move(info)), read_only_(read_only), uids_(std::move(uids)) {}

std::vector<std::uint32_t> selected_mailbox::resolve(const sequence_set& set, bool by_uid) const {
  std::vector<std::uint32_t> seqs;
  if (!by_uid) {
    return set.expand(exists());
  }
  // RFC 9051 6.4.9: "*" in a UID set is the largest UID in use; a range may
  // name UIDs that do not exist, which are ignored.
  std::uint32_t largest = max_uid();
  for (std::uint32_t seq = 1; seq <= exists(); ++seq) {
    if (set.contains(uids_[seq - 1], largest)) {
      seqs.push_back(seq);
    }
  }
  return seqs;
}

bool selected_mailbox::seqs_in_range(const sequence_set& set) const {
  return std::all_of(set.ranges().begin(), set.ranges().end(), [&](const auto& r) {
    // 0 is "*": the last message, which exists unless the mailbox is empty.
    auto ok = [&](std::uint32_t n) { return n == 0 ? exists() > 0 : n <= exists(); };
    return ok(r.low) && ok(r.high);
  });
}

std::optional<std::uint32_t> selected_mailbox::seq_of_uid(std::uint32_t uid) const {
  auto it = std::lower_bound(uids_.begin(), uids_.end(), uid);
  if (it == uids_.end() || *it != uid) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(it - uids_.begin() + 1);
}

void selected_mailbox::note_own_change(std::uint32_t uid, std::uint64_t modseq) {
  own_changes_.emplace_back(uid, modseq);
}

std::string selected_mailbox::flags_update(std::uint32_t seq, const std::vector<std::string>& flags,
                                           std::uint64_t modseq) const {
  if (report_modseq_) {
    return fmt::format("* {} FETCH (UID {} FLAGS {} MODSEQ ({}))\r\n", seq, uid_at(seq),
                       format_flags(flags), modseq);
  }
  return fmt::format("* {} FETCH (UID {} FLAGS {})\r\n", seq, uid_at(seq), format_flags(flags));
}

std::string selected_mailbox::expunge_uids(const std::vector<std::uint32_t>& uids) {
  std::string out;
  if (!expunge_pending_.empty()) {
    // Reported now, by this command: no longer waiting.
    std::erase_if(expunge_pending_, [&](std::uint32_t uid) {
      return std::find(uids.begin(), uids.end(), uid) != uids.end();
    });
  }
  if (report_vanished_) {
    // RFC 7162 3.2.10: VANISHED replaces EXPUNGE once QRESYNC is enabled.
    std::vector<std::uint32_t> gone;
    for (auto uid : uids) {
      if (auto seq = seq_of_uid(uid)) {
        gone.push_back(uid);
        uids_.erase(uids_.begin() + *seq - 1);
      }
    }
    if (!gone.empty()) {
      std::sort(gone.begin(), gone.end());
      out = fmt::format("* VANISHED {}\r\n", sequence_set::from_numbers(gone).to_string());
    }
    return out;
  }
  // Highest sequence number first, so the numbers still mean what they did.
  std::vector<std::uint32_t> seqs;
  for (auto uid : uids) {
    if (auto seq = seq_of_uid(uid)) {
      seqs.push_back(*seq);
    }
  }
  std::sort(seqs.rbegin(), seqs.rend());
  for (auto seq : seqs) {
    out += fmt::format("* {} EXPUNGE\r\n", seq);
    uids_.erase(uids_.begin() + seq - 1);
  }
  return out;
}

std::string selected_mailbox::refresh(std::vector<store::message_meta> current,
                                      std::uint64_t highestmodseq, bool allow_expunge) {
  // The whole mailbox as a delta: every message in our view that the store
  // no longer has is expunged; what has a newer MODSEQ changed.
  store::mailbox_changes delta;
  std::size_t j = 0;
  for (auto uid : uids_) {
    while (j < current.size() && current[j].uid < uid) {
      ++j;
    }
    if (j >= current.size() || current[j].uid != uid) {
      delta.vanished.push_back(uid);
    }
  }
  std::uint32_t top = max_uid();
  for (auto& m : current) {
    if (m.modseq > info_.highestmodseq || m.uid > top) {
      delta.changed.push_back(std::move(m));
    }
  }
  delta.highestmodseq = highestmodseq;
  return apply_changes(delta, allow_expunge);
}

std::string selected_mailbox::apply_changes(const store::mailbox_changes& delta,
                                            bool allow_expunge) {
  std::string out;
  // Expunged messages of our view join those held back before.
  std::size_t held = expunge_pending_.size();
  for (auto uid : delta.vanished) {
    if (seq_of_uid(uid)) {
      expunge_pending_.push_back(uid);
    }
  }
  if (expunge_pending_.size() != held) {
    std::sort(expunge_pending_.begin(), expunge_pending_.end());
    expunge_pending_.erase(std::unique(expunge_pending_.begin(), expunge_pending_.end()),
                           expunge_pending_.end());
  }
  if (allow_expunge && !expunge_pending_.empty()) {
    auto gone = std::move(expunge_pending_);
    expunge_pending_.clear();
    out += expunge_uids(gone);
  }
  // Flag changes of messages still in view. With QRESYNC, a MODSEQ sent
  // while a VANISHED is held back could carry the client's cached
  // HIGHESTMODSEQ past that expunge, and a later resync would miss it
  // (RFC 7162 3.2): such flag updates wait for the expunges, and the view's
  // MODSEQ stays where it is so that the next delta brings them again.
  bool hold_flags = report_vanished_ && !allow_expunge && !expunge_pending_.empty();
  std::uint32_t top = max_uid();
  // New messages first: UIDs above everything we have seen. A delta that
  // brings both an arrival and a flag change (one wake-up for an APPEND and
  // a STORE after it) then reads in the order they happened, as when the
  // two come in separate wake-ups; the FETCHes below only name messages
  // that were there before.
  std::uint32_t before = exists();
  for (const auto& m : delta.changed) {
    if (m.uid > top) {
      uids_.push_back(m.uid);
      if (hold_flags) {
        own_changes_.emplace_back(m.uid, m.modseq);  // the delta will bring it again
      }
    }
  }
  if (exists() != before) {
    out += fmt::format("* {} EXISTS\r\n", exists());
  }
  std::sort(own_changes_.begin(), own_changes_.end());
  for (const auto& m : delta.changed) {
    if (hold_flags || m.uid > top) {
      break;  // ascending by UID: the rest are new messages
    }
    auto seq = seq_of_uid(m.uid);
    bool own =
        std::binary_search(own_changes_.begin(), own_changes_.end(), std::pair(m.uid, m.modseq));
    // The store gives a message a new MODSEQ only when its flags change.
    if (seq && !own) {
      out += flags_update(*seq, m.flags, m.modseq);
    }
  }
  if (!hold_flags) {
    info_.highestmodseq = std::max(info_.highestmodseq, delta.highestmodseq);
    // Everything up to here has been reported once.
    std::erase_if(own_changes_, [&](const auto& c) { return c.second <= info_.highestmodseq; });
    if (own_changes_.empty()) {
      own_changes_.shrink_to_fit();  // a STORE on many messages leaves no lasting cost
    }
  }
  return out;
}

}  // namespace copper::imap
