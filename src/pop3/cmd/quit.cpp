// QUIT (RFC 1939 6): in the TRANSACTION state the session enters UPDATE and
// removes the messages marked deleted from the INBOX through the store, so
// IMAP sees the expunges; the +OK comes only after that commit. Messages
// read with RETR get \Seen here too, in one write for the session.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "pop3/session.h"

namespace copper::pop3 {

asio::awaitable<void> session::cmd_quit(const command& c) {
  if (!c.args.empty()) {
    bad("Syntax: QUIT");
    co_return;
  }
  stop_ = true;
  if (state_ == state::authorization) {
    ok("Copper POP3 signing off");
    co_return;
  }
  auto mailbox = drop_->mailbox();
  auto doomed = drop_->deleted_uids();
  auto read = drop_->newly_read_uids();
  auto expunged = *co_await blocking([&] {
    return doomed.empty() ? result<std::vector<std::uint32_t>>(std::vector<std::uint32_t>{})
                          : svc_.mailboxes.expunge(mailbox, doomed);
  });
  if (!expunged) {
    spdlog::error("session={} event=update_failed user={} error={}", id_, user_->address,
                  expunged.err().message);
    err(resp_code::sys_temp, "Some deleted messages not removed");
    co_return;
  }
  if (!read.empty()) {
    auto seen = *co_await blocking([&] {
      return svc_.mailboxes.store_flags(mailbox, read, store::flag_operation::add, {"\\Seen"}, 0);
    });
    if (!seen) {
      // The deletions are done; a lost \Seen is not worth failing QUIT for.
      spdlog::warn("session={} event=seen_failed user={} error={}", id_, user_->address,
                   seen.err().message);
    }
  }
  spdlog::info("session={} event=quit user={} deleted={} seen={}", id_, user_->address,
               expunged->size(), read.size());
  ok(fmt::format("Copper POP3 signing off ({} messages deleted)", expunged->size()));
}

}  // namespace copper::pop3
