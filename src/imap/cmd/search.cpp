// SEARCH and UID SEARCH (RFC 9051 6.4.4, RFC 3501 6.4.4).
#include <fmt/format.h>

#include "imap/search_key.h"
#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::search(const command& c, bool by_uid) {
  std::size_t first = 0;
  if (!c.args.empty() && c.args[0].equals("CHARSET")) {
    if (c.args.size() < 2 || !c.args[1].is_astring()) {
      bad(c, "CHARSET needs a name");
      co_return;
    }
    std::string cs = c.args[1].text;
    for (char& ch : cs) {
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    if (cs != "UTF-8" && cs != "US-ASCII") {
      no(c, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
      co_return;
    }
    first = 2;
  }
  auto key = parse_search(c.args, first);
  if (!key) {
    bad(c, key.err().message);
    co_return;
  }
  std::string hits;
  bool body = key->needs_body();
  const auto& msgs = selected_->messages();
  for (std::uint32_t seq = 1; seq <= msgs.size(); ++seq) {
    const auto& meta = msgs[seq - 1];
    std::optional<std::string> raw;
    if (body) {
      auto blob = meta.blob_id;
      raw = *co_await blocking([&] { return svc_.mailboxes.read_blob(blob); });
    }
    search_subject subject{seq, static_cast<std::uint32_t>(msgs.size()), selected_->max_uid(), meta,
                           raw ? &*raw : nullptr};
    if (matches(*key, subject)) {
      hits += fmt::format(" {}", by_uid ? meta.uid : seq);
    }
  }
  untagged("SEARCH" + hits);
  co_await sync_selected(by_uid);
  ok(c, "SEARCH completed");
}

asio::awaitable<void> session::cmd_search(const command& c) { co_await search(c, false); }

asio::awaitable<void> session::cmd_uid_search(const command& c) { co_await search(c, true); }

}  // namespace copper::imap
