// LIST and LSUB (RFC 9051 6.3.9, RFC 3501 6.3.9) with "/" as the hierarchy
// separator, CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes.
#include <fmt/format.h>

#include "imap/protocol/response.h"
#include "imap/session.h"

namespace copper::imap {
namespace {

// RFC 9051 6.3.9: "*" matches anything, "%" anything but the separator.
bool matches(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) {
    return name.empty();
  }
  char p = pattern.front();
  if (p == '*' || p == '%') {
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (matches(pattern.substr(1), name.substr(i))) {
        return true;
      }
      if (i < name.size() && p == '%' && name[i] == '/') {
        return false;
      }
    }
    return false;
  }
  return !name.empty() && name.front() == p && matches(pattern.substr(1), name.substr(1));
}

bool has_children(const std::vector<store::mailbox_info>& all, const std::string& name) {
  std::string prefix = name + "/";
  for (const auto& m : all) {
    if (m.name.compare(0, prefix.size(), prefix) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

asio::awaitable<void> session::cmd_list(const command& c) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) {
    bad(c, "Syntax: LIST reference pattern (LIST-EXTENDED is not supported)");
    co_return;
  }
  std::string pattern = c.args[0].text + c.args[1].text;
  if (c.args[1].text.empty()) {
    // RFC 9051 6.3.9: an empty pattern asks for the separator and root.
    untagged(R"(LIST (\Noselect) "/" "")");
    ok(c, "LIST completed");
    co_return;
  }
  auto id = account();
  auto all = *co_await blocking([&] { return svc_.mailboxes.list_mailboxes(id); });
  // "INBOX" matches case-insensitively (RFC 9051 5.1).
  std::string inbox_pattern = normalize_mailbox_name(pattern.substr(0, 5)) + pattern.substr(std::min<std::size_t>(5, pattern.size()));
  for (const auto& m : all) {
    bool hit = matches(pattern, m.name) || (m.name == "INBOX" && matches(inbox_pattern, m.name));
    if (!hit) {
      continue;
    }
    std::string attrs = has_children(all, m.name) ? "\\HasChildren" : "\\HasNoChildren";
    if (!m.special_use.empty()) {
      attrs += " " + m.special_use;
    }
    std::string line = fmt::format("LIST ({}) \"/\" ", attrs);
    append_astring(line, m.name);
    untagged(line);
  }
  ok(c, "LIST completed");
}

asio::awaitable<void> session::cmd_lsub(const command& c) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring()) {
    bad(c, "Syntax: LSUB reference pattern");
    co_return;
  }
  std::string pattern = c.args[0].text + c.args[1].text;
  auto id = account();
  auto all = *co_await blocking([&] { return svc_.mailboxes.list_mailboxes(id); });
  for (const auto& m : all) {
    if (m.subscribed && matches(pattern, m.name)) {
      std::string line = "LSUB () \"/\" ";
      append_astring(line, m.name);
      untagged(line);
    }
  }
  ok(c, "LSUB completed");
}

}  // namespace copper::imap
