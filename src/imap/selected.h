// The selected mailbox as one session sees it (RFC 9051 2.3.1.2, 7.4.1):
// the sequence-number to UID map, and the untagged EXISTS, EXPUNGE and
// FETCH FLAGS responses that bring the client up to date with the store.
// Expunges are only reported when the command allows it, so sequence
// numbers never diverge between client and server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imap/protocol/sequence_set.h"
#include "store/mailbox_store.h"

namespace copper::imap {

class selected_mailbox {
 public:
  // `uids` ascending, as of the store's MODSEQ info.highestmodseq.
  selected_mailbox(store::mailbox_info info, bool read_only, std::vector<std::uint32_t> uids);

  const store::mailbox_info& info() const { return info_; }
  bool read_only() const { return read_only_; }
  std::uint32_t exists() const { return static_cast<std::uint32_t>(uids_.size()); }
  std::uint32_t max_uid() const { return uids_.empty() ? 0 : uids_.back(); }
  // Expunges the store made that no command could report yet.
  bool holds_expunges() const { return !expunge_pending_.empty(); }
  std::uint32_t uid_at(std::uint32_t seq) const { return uids_[seq - 1]; }

  // Sequence numbers (1-based) of the messages a set names, by sequence
  // number or by UID.
  std::vector<std::uint32_t> resolve(const sequence_set& set, bool by_uid) const;
  // False when a set of sequence numbers names a message beyond EXISTS, or
  // "*" in an empty mailbox: RFC 9051 9 (seq-number) asks for a tagged BAD.
  bool seqs_in_range(const sequence_set& set) const;
  std::optional<std::uint32_t> seq_of_uid(std::uint32_t uid) const;
  // A flag change this session has reported itself (STORE, FETCH's
  // implicit \Seen): the next delta does not report it again.
  void note_own_change(std::uint32_t uid, std::uint64_t modseq);

  // Applies the store's current state and returns the untagged responses for
  // it. With allow_expunge false, removed messages stay in the view. Only
  // for when no delta can be had (the mailbox is gone): flag changes are
  // told by MODSEQ above info().highestmodseq.
  std::string refresh(std::vector<store::message_meta> current, std::uint64_t highestmodseq,
                      bool allow_expunge);
  // The same from what changed since info().highestmodseq (the store's
  // changes_since): O(changes), not O(mailbox). An empty delta still
  // reports expunges held back earlier once allow_expunge is true.
  std::string apply_changes(const store::mailbox_changes& delta, bool allow_expunge);
  // Removes the given UIDs now and returns the EXPUNGE responses (VANISHED
  // once QRESYNC is on).
  std::string expunge_uids(const std::vector<std::uint32_t>& uids);

  // How untagged updates look: with CONDSTORE on, flag changes carry MODSEQ
  // (RFC 7162 3.1.4.1, 3.2.4); with QRESYNC on, expunges are reported as
  // VANISHED (RFC 7162 3.2.10).
  void report_modseq(bool on) { report_modseq_ = on; }
  void report_vanished(bool on) { report_vanished_ = on; }
  bool reports_modseq() const { return report_modseq_; }
  // "* 3 FETCH (UID 7 FLAGS (\\Seen) MODSEQ (12))" for an untagged flag update.
  std::string flags_update(std::uint32_t seq, const std::vector<std::string>& flags,
                           std::uint64_t modseq) const;

  // The SEARCHRES result (RFC 5182) as UIDs, so that expunges drop out of it
  // by themselves (RFC 5182 2.1); a new selection starts empty.
  const std::vector<std::uint32_t>& saved_uids() const { return saved_uids_; }
  void save_uids(std::vector<std::uint32_t> uids) { saved_uids_ = std::move(uids); }

 private:
  store::mailbox_info info_;
  bool read_only_;
  // The sequence-number map, 4 bytes a message: flags, sizes and dates stay
  // in the store and are read per command for the messages it names, so
  // an idle session costs little (bench/README.md "IMAP").
  std::vector<std::uint32_t> uids_;
  // UIDs in the view (ascending) that the store has expunged and that no
  // command allowed to report yet (RFC 9051 7.5.1): the delta that told us
  // is not repeated once the view's MODSEQ moves past it.
  std::vector<std::uint32_t> expunge_pending_;
  // (UID, MODSEQ) of changes this session reported itself since the last
  // delta it applied.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> own_changes_;
  bool report_modseq_ = false;
  bool report_vanished_ = false;
  std::vector<std::uint32_t> saved_uids_;
};

// A flag as given by a client in canonical form: system flags in their RFC
// case ("\\seen" -> "\\Seen"), keywords as given; nullopt for \\Recent, unknown
// system flags and over-long keywords (RFC 9051 2.3.2).
std::optional<std::string> canonical_flag(std::string_view f);

// Flags arrive from the store in canonical case ("\\Seen").
bool has_flag(const store::message_meta& m, std::string_view flag);

// "(\\Seen $Forwarded)".
std::string format_flags(const std::vector<std::string>& flags);

}  // namespace copper::imap
