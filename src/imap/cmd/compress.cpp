// COMPRESS (RFC 4978): DEFLATE in both directions from right after the OK.
// The layer sits in net::stream, above TLS when TLS is on (RFC 4978 3:
// compress first, then encrypt).
#include <spdlog/spdlog.h>

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::cmd_compress(const command& c) {
  if (c.args.size() != 1 || !c.args[0].is_atom()) {
    bad(c, "Syntax: COMPRESS DEFLATE");
    co_return;
  }
  if (!c.args[0].equals("DEFLATE")) {
    bad(c, "Unknown compression mechanism");
    co_return;
  }
  if (conn_->stream().is_compressed()) {
    no(c, "[COMPRESSIONACTIVE] DEFLATE is already active");
    co_return;
  }
  ok(c, "DEFLATE active");
  // A named local on purpose: g++ 12 miscompiled `if (!co_await ...)` as the
  // last statement of this coroutine (SIGILL on resume).
  bool started = co_await conn_->start_compression();
  if (!started) {
    // The client now sends compressed data we cannot read: end the session.
    spdlog::warn("session={} event=compress_failed", id_);
    logout_ = true;
  }
}

}  // namespace copper::imap
