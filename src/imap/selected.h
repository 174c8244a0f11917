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
  selected_mailbox(store::mailbox_info info, bool read_only,
                   std::vector<store::message_meta> messages);

  const store::mailbox_info& info() const { return info_; }
  bool read_only() const { return read_only_; }
  std::uint32_t exists() const { return static_cast<std::uint32_t>(messages_.size()); }
  const std::vector<store::message_meta>& messages() const { return messages_; }
  std::uint32_t max_uid() const { return messages_.empty() ? 0 : messages_.back().uid; }

  // Sequence numbers (1-based) of the messages a set names, by sequence
  // number or by UID.
  std::vector<std::uint32_t> resolve(const sequence_set& set, bool by_uid) const;
  // False when a set of sequence numbers names a message beyond EXISTS, or
  // "*" in an empty mailbox: RFC 9051 9 (seq-number) asks for a tagged BAD.
  bool seqs_in_range(const sequence_set& set) const;
  std::optional<std::uint32_t> seq_of_uid(std::uint32_t uid) const;
  const store::message_meta& at(std::uint32_t seq) const { return messages_[seq - 1]; }
  void set_flags(std::uint32_t seq, std::vector<std::string> flags, std::uint64_t modseq);

  // Applies the store's current state and returns the untagged responses for
  // it. With allow_expunge false, removed messages stay in the view.
  std::string refresh(std::vector<store::message_meta> current, std::uint64_t highestmodseq,
                      bool allow_expunge);
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
  std::string flags_update(std::uint32_t seq) const;

  // The SEARCHRES result (RFC 5182) as UIDs, so that expunges drop out of it
  // by themselves (RFC 5182 2.1); a new selection starts empty.
  const std::vector<std::uint32_t>& saved_uids() const { return saved_uids_; }
  void save_uids(std::vector<std::uint32_t> uids) { saved_uids_ = std::move(uids); }

 private:
  store::mailbox_info info_;
  bool read_only_;
  std::vector<store::message_meta> messages_;
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
