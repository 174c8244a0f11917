// Mailbox management: CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE
// (RFC 9051 6.3.4-6.3.8) and STATUS (6.3.11, STATUS=SIZE RFC 8438,
// HIGHESTMODSEQ RFC 7162 3.1.6).
#include <fmt/format.h>

#include "imap/protocol/response.h"
#include "imap/session.h"
#include "imap/status_items.h"

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

// The special use of CREATE's parameter list "(USE (\\Sent))". An unknown
// parameter is a syntax error (RFC 4466 2.2); a use this server cannot give
// is a NO with USEATTR (RFC 6154 3).
result<std::string> special_use_param(const value& params) {
  if (params.items.size() != 2 || !params.items[0].equals("USE") || !params.items[1].is_list()) {
    return make_error("Unknown CREATE parameter");
  }
  const auto& uses = params.items[1].items;
  if (uses.empty()) {
    return std::string();
  }
  if (uses.size() > 1) {
    return make_error("One special use per mailbox", "USEATTR");
  }
  const auto& use = uses.front();
  if (!use.is_atom() || use.text.empty() || use.text.front() != '\\') {
    return make_error("Invalid special-use attribute");
  }
  // \All and \Flagged name virtual mailboxes (RFC 6154 2), which this
  // store does not have; an ordinary mailbox marked so would mislead.
  if (use.equals("\\ALL") || use.equals("\\FLAGGED")) {
    return make_error(use.text + " not supported", "USEATTR");
  }
  return use.text;  // the store checks the rest and refuses with USEATTR
}

}  // namespace

asio::awaitable<void> session::cmd_create(const command& c) {
  // CREATE mailbox [(USE (attr ...))]: RFC 4466 2.2 create parameters, the
  // one this server knows being USE (RFC 6154 3, CREATE-SPECIAL-USE).
  if (c.args.empty() || c.args.size() > 2 || !c.args[0].is_astring() ||
      (c.args.size() == 2 && !c.args[1].is_list())) {
    bad(c, "Syntax: CREATE mailbox [(USE (attributes))]");
    co_return;
  }
  auto use = c.args.size() == 2 ? special_use_param(c.args[1]) : result<std::string>(std::string());
  if (!use) {
    if (use.err().code.empty()) {
      bad(c, use.err().message);
    } else {
      fail(c, use.err());
    }
    co_return;
  }
  std::string name = normalize_mailbox_name(strip_trailing_separator(c.args[0].text));
  std::string special_use = *use;
  auto id = account();
  auto r = *co_await blocking([&] { return svc_.mailboxes.create_mailbox(id, name, special_use); });
  if (!r) {
    fail(c, r.err());
    co_return;
  }
  ok(c, fmt::format("[MAILBOXID (F{})] CREATE completed", *r));  // RFC 8474 4.1
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
  auto r = *co_await blocking([&] { return svc_.mailboxes.rename_mailbox(id, from, to); });
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
  if (auto valid = check_status_items(c.args[1].items); !valid) {
    bad(c, valid.err().message);
    co_return;
  }
  auto info = co_await find_mailbox(c.args[0].text);
  if (!info) {
    no(c, "[NONEXISTENT] No such mailbox");
    co_return;
  }
  for (const auto& item : c.args[1].items) {
    if (item.equals("HIGHESTMODSEQ")) {
      enable_condstore();  // RFC 7162 3.1: a CONDSTORE enabling command
    }
  }
  untagged(status_response(c.args[1].items, *info, svc_.cfg.smtp.max_message_size));
  ok(c, "STATUS completed");
}

}  // namespace copper::imap
