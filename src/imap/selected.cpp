#include "imap/selected.h"

#include <algorithm>
#include <fmt/format.h>

namespace copper::imap {

std::optional<std::string> canonical_flag(std::string_view f) {
  static constexpr std::string_view system[] = {"\\Answered", "\\Flagged", "\\Deleted",
                                                "\\Seen", "\\Draft"};
  if (!f.empty() && f.front() == '\\') {
    for (auto s : system) {
      if (s.size() == f.size() && std::equal(s.begin(), s.end(), f.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
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
  return "(" + fmt::format("{}", fmt::join(flags, " ")) + ")";
}

selected_mailbox::selected_mailbox(store::mailbox_info info, bool read_only,
                                   std::vector<store::message_meta> messages)
    : info_(std::move(info)), read_only_(read_only), messages_(std::move(messages)) {}

std::vector<std::uint32_t> selected_mailbox::resolve(const sequence_set& set, bool by_uid) const {
  std::vector<std::uint32_t> seqs;
  if (!by_uid) {
    return set.expand(exists());
  }
  // RFC 9051 6.4.9: "*" in a UID set is the largest UID in use; a range may
  // name UIDs that do not exist, which are ignored.
  std::uint32_t largest = max_uid();
  for (std::uint32_t seq = 1; seq <= exists(); ++seq) {
    if (set.contains(messages_[seq - 1].uid, largest)) {
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
  auto it = std::lower_bound(messages_.begin(), messages_.end(), uid,
                             [](const store::message_meta& m, std::uint32_t u) { return m.uid < u; });
  if (it == messages_.end() || it->uid != uid) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(it - messages_.begin() + 1);
}

void selected_mailbox::set_flags(std::uint32_t seq, std::vector<std::string> flags,
                                 std::uint64_t modseq) {
  auto& m = messages_[seq - 1];
  m.flags = std::move(flags);
  m.modseq = modseq;
}

std::string selected_mailbox::flags_update(std::uint32_t seq) const {
  const auto& m = at(seq);
  if (report_modseq_) {
    return fmt::format("* {} FETCH (UID {} FLAGS {} MODSEQ ({}))\r\n", seq, m.uid,
                       format_flags(m.flags), m.modseq);
  }
  return fmt::format("* {} FETCH (UID {} FLAGS {})\r\n", seq, m.uid, format_flags(m.flags));
}

std::string selected_mailbox::expunge_uids(const std::vector<std::uint32_t>& uids) {
  std::string out;
  if (report_vanished_) {
    // RFC 7162 3.2.10: VANISHED replaces EXPUNGE once QRESYNC is enabled.
    std::vector<std::uint32_t> gone;
    for (auto uid : uids) {
      if (auto seq = seq_of_uid(uid)) {
        gone.push_back(uid);
        messages_.erase(messages_.begin() + *seq - 1);
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
    messages_.erase(messages_.begin() + seq - 1);
  }
  return out;
}

std::string selected_mailbox::refresh(std::vector<store::message_meta> current,
                                      std::uint64_t highestmodseq, bool allow_expunge) {
  std::string out;
  // Messages in our view that the store no longer has.
  std::vector<std::uint32_t> gone;
  std::size_t j = 0;
  for (const auto& m : messages_) {
    while (j < current.size() && current[j].uid < m.uid) {
      ++j;
    }
    if (j >= current.size() || current[j].uid != m.uid) {
      gone.push_back(m.uid);
    }
  }
  if (allow_expunge && !gone.empty()) {
    out += expunge_uids(gone);
  }
  // Flag changes of messages still in view. With QRESYNC, a MODSEQ sent
  // while a VANISHED is held back could carry the client's cached
  // HIGHESTMODSEQ past that expunge, and a later resync would miss it
  // (RFC 7162 3.2): such flag updates wait for the expunges.
  bool hold_flags = report_vanished_ && !allow_expunge && !gone.empty();
  std::size_t k = 0;
  for (std::uint32_t seq = 1; seq <= exists() && !hold_flags; ++seq) {
    auto& m = messages_[seq - 1];
    while (k < current.size() && current[k].uid < m.uid) {
      ++k;
    }
    if (k < current.size() && current[k].uid == m.uid && current[k].modseq != m.modseq) {
      bool flags_changed = current[k].flags != m.flags;
      m.flags = current[k].flags;
      m.modseq = current[k].modseq;
      if (flags_changed) {
        out += flags_update(seq);
      }
    }
  }
  // New messages: UIDs above everything we have seen.
  std::uint32_t before = exists();
  std::uint32_t top = max_uid();
  for (auto& m : current) {
    if (m.uid > top) {
      messages_.push_back(std::move(m));
    }
  }
  if (exists() != before) {
    out += fmt::format("* {} EXISTS\r\n", exists());
  }
  if (!hold_flags) {
    info_.highestmodseq = std::max(info_.highestmodseq, highestmodseq);
  }
  return out;
}

}  // namespace copper::imap
