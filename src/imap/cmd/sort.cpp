// SORT and UID SORT (RFC 5256 3): the search of SEARCH, then the hits
// ordered by the sort program.
#include "imap/order/sort.h"

#include <fmt/format.h>

#include "imap/batch.h"
#include "imap/session.h"

namespace copper::imap {
std::optional<search_key> session::parse_sorting_search(const command& c) {
  // RFC 5256 3: the charset is mandatory and comes before the criteria.
  if (c.args.size() < 3 || !c.args[1].is_astring()) {
    bad(c, fmt::format("Syntax: {} program charset criteria", c.name));
    return std::nullopt;
  }
  std::string cs = c.args[1].text;
  for (char& ch : cs) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  if (cs != "UTF-8" && cs != "US-ASCII") {
    no(c, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
    return std::nullopt;
  }
  return parse_search_command(c, 2);
}

asio::awaitable<std::vector<message_facts>> session::gather_facts(
    const std::vector<std::uint32_t>& seqs, bool by_uid) {
  std::vector<message_facts> facts;
  facts.reserve(seqs.size());
  auto metas = co_await metas_of(seqs);
  // Only the header blocks, a batch at a time (imap/batch.h).
  for (std::size_t first = 0; first < seqs.size();) {
    std::size_t last =
        batch_end(first, seqs.size(), false, [](std::size_t) { return std::uint64_t{0}; });
    std::vector<std::int64_t> ids;
    for (std::size_t i = first; i < last; ++i) {
      ids.push_back(metas[i].blob_id);
    }
    auto headers = *co_await blocking([&] { return svc_.mailboxes.read_headers(ids); });
    for (std::size_t i = first; i < last; ++i) {
      const auto& meta = metas[i];
      facts.push_back(facts_from_header(headers[i - first], by_uid ? meta.uid : seqs[i],
                                        meta.internal_date, meta.size));
    }
    first = last;
  }
  co_return facts;
}

asio::awaitable<void> session::sort(const command& c, bool by_uid) {
  if (c.args.empty()) {
    bad(c, "Syntax: SORT (criteria) charset search");
    co_return;
  }
  auto criteria = parse_sort_criteria(c.args[0]);
  if (!criteria) {
    bad(c, criteria.err().message);
    co_return;
  }
  auto key = parse_sorting_search(c);
  if (!key) {
    co_return;
  }
  auto seqs = co_await run_search(*key);
  auto facts = co_await gather_facts(seqs, by_uid);
  std::string out = "SORT";
  for (auto n : sort_messages(facts, *criteria)) {
    out += fmt::format(" {}", n);
  }
  untagged(out);
  // RFC 5256 3: no EXPUNGE during SORT, but UID SORT may have them.
  co_await sync_selected(by_uid);
  ok(c, "SORT completed");
}

asio::awaitable<void> session::cmd_sort(const command& c) { co_await sort(c, false); }

asio::awaitable<void> session::cmd_uid_sort(const command& c) { co_await sort(c, true); }

}  // namespace copper::imap
