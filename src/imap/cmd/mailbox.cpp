// Mailbox management: CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE
// (RFC 9051 6.3.4-6.3.8) and STATUS (6.3.11, STATUS=SIZE RFC 8438,
// HIGHESTMODSEQ RFC 7162 3.1.6).
#include <fmt/format.h>

#include "imap/protocol/response.h"
#include "imap/session.h"

namespace copper::imap {
namespace {

bool one_name(const command& c) { return c.args.size() == 1 && c.args[0].is_astring(); }

// RFC 9051 6.3.4: a trailing separator is a hint, not part of the name.
std::string strip_trailing_separator(std::string name) {
  while (name.size() > 1 && name.back() == '/') {
    name.pop_back();
  }
  return name;
}

}  // namespace

asio::awaitable<void> session::cmd_create(const command& c) {
  if (!one_name(c)) {
    bad(c, "Syntax: CREATE mailbox");
    co_return;
  }
  std::string name = normalize_mailbox_name(strip_trailing_separator(c.args[0].text));
  auto id = account();
  auto r = *co_await blocking(
      [&] { return svc_.mailboxes.create_mailbox(id, name, ""); });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  ok(c, "CREATE completed");
}

asio::awaitable<void> session::cmd_delete(const command& c) {
  if (!one_name(c)) {
    bad(c, "Syntax: DELETE mailbox");
    co_return;
  }
  std::string name = normalize_mailbox_name(c.args[0].text);
  if (selected_ && selected_->info().name == name) {
    selected_.reset();  // deleting the selected mailbox deselects it
    state_ = state::authenticated;
  }
  auto id = account();
  auto r = *co_await blocking([&] { return svc_.mailboxes.delete_mailbox(id, name); });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  ok(c, "DELETE completed");
}

asio::awaitable<void> session::cmd_rename(const command& c) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) {
    bad(c, "Syntax: RENAME from to");
    co_return;
  }
  std::string from = normalize_mailbox_name(c.args[0].text);
  std::string to = normalize_mailbox_name(strip_trailing_separator(c.args[1].text));
  auto id = account();
  auto r = *co_await blocking(
      [&] { return svc_.mailboxes.rename_mailbox(id, from, to); });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  ok(c, "RENAME completed");
}

asio::awaitable<void> session::cmd_subscribe(const command& c) {
  if (!one_name(c)) {
    bad(c, "Syntax: SUBSCRIBE mailbox");
    co_return;
  }
  std::string name = normalize_mailbox_name(c.args[0].text);
  auto id = account();
  auto r = *co_await blocking([&] { return svc_.mailboxes.subscribe(id, name, true); });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  ok(c, "SUBSCRIBE completed");
}

asio::awaitable<void> session::cmd_unsubscribe(const command& c) {
  if (!one_name(c)) {
    bad(c, "Syntax: UNSUBSCRIBE mailbox");
    co_return;
  }
  std::string name = normalize_mailbox_name(c.args[0].text);
  auto id = account();
  auto r = *co_await blocking([&] { return svc_.mailboxes.subscribe(id, name, false); });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  ok(c, "UNSUBSCRIBE completed");
}

asio::awaitable<void> session::cmd_status(const command& c) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_list() ||
      c.args[1].items.empty()) {
    bad(c, "Syntax: STATUS mailbox (items)");
    co_return;
  }
  auto info = co_await find_mailbox(c.args[0].text);
  if (!info) {
    no(c, "[NONEXISTENT] No such mailbox");
    co_return;
  }
  std::string items;
  for (const auto& item : c.args[1].items) {
    std::string value;
    if (item.equals("MESSAGES")) {
      value = std::to_string(info->messages);
    } else if (item.equals("UIDNEXT")) {
      value = std::to_string(info->uidnext);
    } else if (item.equals("UIDVALIDITY")) {
      value = std::to_string(info->uidvalidity);
    } else if (item.equals("UNSEEN")) {
      value = std::to_string(info->unseen);
    } else if (item.equals("DELETED")) {
      value = std::to_string(info->deleted);
    } else if (item.equals("SIZE")) {
      value = std::to_string(info->size);
    } else if (item.equals("HIGHESTMODSEQ")) {
      value = std::to_string(info->highestmodseq);
      enable_condstore();  // RFC 7162 3.1: a CONDSTORE enabling command
    } else if (item.equals("RECENT")) {
      value = "0";  // IMAP4rev1 only; this server does not track \Recent
    } else {
      bad(c, "Unknown STATUS item " + item.text);
      co_return;
    }
    if (!items.empty()) {
      items += ' ';
    }
    std::string upper = item.text;
    for (char& ch : upper) {
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    items += upper;
    items += ' ';
    items += value;
  }
  std::string line = "STATUS ";
  append_astring(line, info->name);
  untagged(line + " (" + items + ")");
  ok(c, "STATUS completed");
}

}  // namespace copper::imap
