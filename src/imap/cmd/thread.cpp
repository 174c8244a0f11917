// THREAD and UID THREAD (RFC 5256 3): the search of SEARCH, then the hits
// threaded by ORDEREDSUBJECT or REFERENCES.
#include "imap/order/thread.h"

#include "imap/session.h"

namespace copper::imap {

asio::awaitable<void> session::thread(const command& c, bool by_uid) {
  if (c.args.empty() || !c.args[0].is_atom()) {
    bad(c, "Syntax: THREAD algorithm charset search");
    co_return;
  }
  bool references = c.args[0].equals("REFERENCES");
  if (!references && !c.args[0].equals("ORDEREDSUBJECT")) {
    bad(c, "Unknown threading algorithm");
    co_return;
  }
  auto key = parse_sorting_search(c);
  if (!key) {
    co_return;
  }
  auto seqs = co_await run_search(*key);
  auto facts = co_await gather_facts(seqs, by_uid);
  auto tree = references ? thread_references(facts) : thread_ordered_subject(facts);
  std::string threads = render_threads(tree);
  untagged(threads.empty() ? "THREAD" : "THREAD " + threads);
  co_await sync_selected(by_uid);
  ok(c, "THREAD completed");
}

asio::awaitable<void> session::cmd_thread(const command& c) { co_await thread(c, false); }

asio::awaitable<void> session::cmd_uid_thread(const command& c) { co_await thread(c, true); }

}  // namespace copper::imap
