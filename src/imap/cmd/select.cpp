// SELECT, EXAMINE, CLOSE and UNSELECT (RFC 9051 6.3.2, 6.3.3, 6.4.1, 6.4.2).
#include <fmt/format.h>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::select(const command& c, bool read_only) {
  if (c.args.size() != 1 || !c.args[0].is_astring()) {
    bad(c, "Syntax: SELECT mailbox");
    co_return;
  }
  // RFC 9051 6.3.2: a failed SELECT still leaves the old mailbox deselected.
  selected_.reset();
  state_ = state::authenticated;
  auto info = co_await find_mailbox(c.args[0].text);
  if (!info) {
    no(c, "[NONEXISTENT] No such mailbox");
    co_return;
  }
  auto mailbox = info->id;
  auto messages = *co_await blocking([&] { return svc_.mailboxes.messages(mailbox); });
  selected_ = std::make_unique<selected_mailbox>(*info, read_only, std::move(messages));
  state_ = state::selected;

  const auto& msgs = selected_->messages();
  untagged(fmt::format("{} EXISTS", msgs.size()));
  untagged("0 RECENT");  // required by IMAP4rev1 clients; no \Recent tracking
  untagged(R"(FLAGS (\Answered \Flagged \Deleted \Seen \Draft))");
  untagged(read_only ? "OK [PERMANENTFLAGS ()] Read-only mailbox"
                     : "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] "
                       "Flags permitted");
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    if (!has_flag(msgs[i], "\\Seen")) {
      untagged(fmt::format("OK [UNSEEN {}] First unseen", i + 1));
      break;
    }
  }
  untagged(fmt::format("OK [UIDVALIDITY {}] UIDs valid", info->uidvalidity));
  untagged(fmt::format("OK [UIDNEXT {}] Predicted next UID", info->uidnext));
  // RFC 8474 4.2; mailbox ids are never reused and survive RENAME.
  untagged(fmt::format("OK [MAILBOXID (F{})] Ok", info->id));
  ok(c, read_only ? "[READ-ONLY] EXAMINE completed" : "[READ-WRITE] SELECT completed");
}

asio::awaitable<void> session::cmd_select(const command& c) { co_await select(c, false); }

asio::awaitable<void> session::cmd_examine(const command& c) { co_await select(c, true); }

asio::awaitable<void> session::cmd_close(const command& c) {
  if (!selected_->read_only()) {
    // RFC 9051 6.4.1: remove \Deleted messages silently.
    std::vector<std::uint32_t> doomed;
    for (const auto& m : selected_->messages()) {
      if (has_flag(m, "\\Deleted")) {
        doomed.push_back(m.uid);
      }
    }
    if (!doomed.empty()) {
      auto mailbox = selected_->info().id;
      auto r = *co_await blocking(
          [&] { return svc_.mailboxes.expunge(mailbox, doomed); });
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
