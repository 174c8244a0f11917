// QUOTA (RFC 9208): one quota root, "", per account covering all of its
// mailboxes, with the STORAGE and MESSAGE resources. Limits are the
// administrator's (copper user quota), so SETQUOTA is refused.
#include <fmt/format.h>

#include "imap/protocol/response.h"
#include "imap/session.h"

namespace copper::imap {
namespace {

// RFC 9208 4.2.1: only the resources that have a limit; STORAGE in units of
// 1024 octets (5.1), the usage rounded up so that a few bytes do not show
// as nothing, the limit rounded down so that it is never overstated.
std::string quota_line(const store::quota_usage& q) {
  std::string resources;
  if (q.quota_bytes != 0) {
    resources = fmt::format("STORAGE {} {}", (q.used_bytes + 1023) / 1024, q.quota_bytes / 1024);
  }
  if (q.quota_messages != 0) {
    if (!resources.empty()) {
      resources += ' ';
    }
    resources += fmt::format("MESSAGE {} {}", q.used_messages, q.quota_messages);
  }
  return fmt::format("QUOTA \"\" ({})", resources);
}

bool has_limits(const store::quota_usage& q) { return q.quota_bytes != 0 || q.quota_messages != 0; }

}  // namespace

asio::awaitable<void> session::cmd_getquotaroot(const command& c) {
  if (c.args.size() != 1 || !c.args[0].is_astring()) {
    bad(c, "Syntax: GETQUOTAROOT mailbox");
    co_return;
  }
  auto info = co_await find_mailbox(c.args[0].text);
  if (!info) {
    no(c, "[NONEXISTENT] No such mailbox");
    co_return;
  }
  auto id = account();
  auto q = *co_await blocking([&] { return svc_.mailboxes.quota(id); });
  std::string line = "QUOTAROOT ";
  append_astring(line, info->name);
  // RFC 9208 4.2.2: a mailbox without limits has no quota root.
  if (has_limits(q)) {
    line += " \"\"";
  }
  untagged(line);
  if (has_limits(q)) {
    untagged(quota_line(q));
  }
  ok(c, "GETQUOTAROOT completed");
}

asio::awaitable<void> session::cmd_getquota(const command& c) {
  if (c.args.size() != 1 || !c.args[0].is_astring()) {
    bad(c, "Syntax: GETQUOTA root");
    co_return;
  }
  auto id = account();
  auto q = *co_await blocking([&] { return svc_.mailboxes.quota(id); });
  // RFC 9208 4.1.1: a root that does not exist is a tagged NO.
  if (!c.args[0].text.empty() || !has_limits(q)) {
    no(c, "[NONEXISTENT] No such quota root");
    co_return;
  }
  untagged(quota_line(q));
  ok(c, "GETQUOTA completed");
}

asio::awaitable<void> session::cmd_setquota(const command& c) {
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_list()) {
    bad(c, "Syntax: SETQUOTA root (resource limit ...)");
    co_return;
  }
  // RFC 9208 4.1.3: a server may refuse to change limits; no QUOTASET is
  // advertised.
  no(c, "[NOPERM] Quotas are set by the administrator");
  co_return;
}

}  // namespace copper::imap
