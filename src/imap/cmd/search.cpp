// SEARCH and UID SEARCH (RFC 9051 6.4.4, RFC 3501 6.4.4).
#include <fmt/format.h>

#include <map>

#include "imap/search_key.h"
#include "imap/session.h"

namespace copper::imap {

std::optional<search_key> session::parse_search_command(const command& c, std::size_t first) {
  if (first < c.args.size() && c.args[first].equals("CHARSET")) {
    if (c.args.size() < first + 2 || !c.args[first + 1].is_astring()) {
      bad(c, "CHARSET needs a name");
      return std::nullopt;
    }
    std::string cs = c.args[first + 1].text;
    for (char& ch : cs) {
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    if (cs != "UTF-8" && cs != "US-ASCII") {
      no(c, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
      return std::nullopt;
    }
    first += 2;
  }
  auto key = parse_search(c.args, first);
  if (!key) {
    bad(c, key.err().message);
    return std::nullopt;
  }
  return std::move(key).value();
}

asio::awaitable<std::vector<std::uint32_t>> session::run_search(const search_key& key) {
  // The text criteria first, one index query each over the whole mailbox;
  // the rest is matched in memory against each message.
  std::map<const search_key*, std::vector<std::uint32_t>> indexed;
  std::vector<const search_key*> text_keys;
  for_each_indexed(key, [&](const search_key& k) { text_keys.push_back(&k); });
  auto mailbox = selected_->info().id;
  for (const search_key* k : text_keys) {
    auto field = k->text_field;
    const std::string& needle = k->needle;
    indexed[k] =
        *co_await blocking([&] { return svc_.mailboxes.search_text(mailbox, field, needle); });
  }
  std::vector<std::uint32_t> hits;
  bool body = key.needs_body();
  const auto& msgs = selected_->messages();
  for (std::uint32_t seq = 1; seq <= msgs.size(); ++seq) {
    const auto& meta = msgs[seq - 1];
    std::optional<std::string> raw;
    if (body) {
      auto blob = meta.blob_id;
      raw = *co_await blocking([&] { return svc_.mailboxes.read_blob(blob); });
    }
    search_subject subject{seq,
                           static_cast<std::uint32_t>(msgs.size()),
                           selected_->max_uid(),
                           meta,
                           raw ? &*raw : nullptr,
                           &indexed};
    if (matches(key, subject)) {
      hits.push_back(seq);
    }
  }
  co_return hits;
}

asio::awaitable<void> session::search(const command& c, bool by_uid) {
  auto key = parse_search_command(c, 0);
  if (!key) {
    co_return;
  }
  auto seqs = co_await run_search(*key);
  std::string hits;
  for (auto seq : seqs) {
    hits += fmt::format(" {}", by_uid ? selected_->at(seq).uid : seq);
  }
  untagged("SEARCH" + hits);
  co_await sync_selected(by_uid);
  ok(c, "SEARCH completed");
}

asio::awaitable<void> session::cmd_search(const command& c) { co_await search(c, false); }

asio::awaitable<void> session::cmd_uid_search(const command& c) { co_await search(c, true); }

}  // namespace copper::imap
