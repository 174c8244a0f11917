// ENABLE (RFC 5161, RFC 9051 6.3.1): per-session extensions. CONDSTORE,
// QRESYNC (RFC 7162 3.2.3) and IMAP4rev2 (RFC 9051) can be enabled; other
// names are ignored, as RFC 5161 3.1 asks. Valid in the authenticated state
// only (RFC 9051 6.3.1, 6.4; the command table refuses it once a mailbox is
// selected), so a mailbox is always selected after its extensions are on.
#include <fmt/format.h>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::cmd_enable(const command& c) {
  if (c.args.empty() ||
      !std::all_of(c.args.begin(), c.args.end(), [](const value& v) { return v.is_atom(); })) {
    bad(c, "Syntax: ENABLE capability...");
    co_return;
  }
  // RFC 5161 3.1: ENABLED lists only what this command switched on.
  std::string now;
  auto add = [&](bool& flag, std::string_view name) {
    if (!flag) {
      flag = true;
      now += ' ';
      now += name;
    }
  };
  for (const auto& v : c.args) {
    if (v.equals("CONDSTORE")) {
      add(enabled_.condstore, "CONDSTORE");
    } else if (v.equals("QRESYNC")) {
      // RFC 7162 3.2.3: QRESYNC implies CONDSTORE.
      enabled_.condstore = true;
      add(enabled_.qresync, "QRESYNC");
    } else if (v.equals("IMAP4REV2")) {
      add(enabled_.rev2, "IMAP4rev2");
    }
  }
  untagged("ENABLED" + now);
  ok(c, "ENABLE completed");
  co_return;
}

}  // namespace copper::imap
