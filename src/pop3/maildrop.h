// The maildrop of one POP3 session (RFC 1939 5): the INBOX as it was at
// login, numbered from 1 for the whole session whatever other sessions do,
// with the deletion marks that QUIT applies and the messages RETR has read.
// No I/O; the session writes the outcome to the store at QUIT.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/mailbox_store.h"

namespace copper::pop3 {

class maildrop {
 public:
  maildrop(store::mailbox_info inbox, std::vector<store::message_meta> messages);

  struct totals {
    std::uint32_t count = 0;
    std::uint64_t octets = 0;
  };
  // Messages not marked deleted (RFC 1939 5 STAT, RSET).
  totals stat() const;

  std::uint32_t size() const { return static_cast<std::uint32_t>(messages_.size()); }
  bool exists(std::uint32_t n) const { return n >= 1 && n <= size(); }
  // Both require exists(n).
  bool deleted(std::uint32_t n) const { return deleted_[n - 1]; }
  const store::message_meta& at(std::uint32_t n) const { return messages_[n - 1]; }
  // RFC 1939 7 UIDL: printable, at most 70 octets, the same in every session
  // as long as the message stays in the INBOX (UIDVALIDITY and UID).
  std::string unique_id(std::uint32_t n) const;

  void mark_deleted(std::uint32_t n) { deleted_[n - 1] = true; }
  void mark_read(std::uint32_t n) { read_[n - 1] = true; }
  void reset() { deleted_.assign(deleted_.size(), false); }

  store::mailbox_id mailbox() const { return inbox_.id; }
  std::vector<std::uint32_t> deleted_uids() const;
  // Read in this session, still there, and not \Seen at login.
  std::vector<std::uint32_t> newly_read_uids() const;

 private:
  store::mailbox_info inbox_;
  std::vector<store::message_meta> messages_;
  std::vector<bool> deleted_;
  std::vector<bool> read_;
};

}  // namespace copper::pop3
