// SEARCH and UID SEARCH (RFC 9051 6.4.4, RFC 3501 6.4.4) with ESEARCH's
// RETURN options (RFC 4731), SEARCHRES (RFC 5182) and MODSEQ (RFC 7162 3.1.5).
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <numeric>

#include "imap/batch.h"
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
  auto total = selected_->exists();
  auto seqs = candidates(key, indexed);
  auto msgs = co_await metas_of(seqs);
  // The blobs a criterion needs come a batch at a time (imap/batch.h).
  for (std::size_t first = 0; first < seqs.size();) {
    std::size_t last =
        batch_end(first, seqs.size(), body, [&](std::size_t i) { return msgs[i].size; });
    std::vector<std::optional<std::string>> blobs;
    if (body) {
      std::vector<std::int64_t> ids;
      for (std::size_t i = first; i < last; ++i) {
        ids.push_back(msgs[i].blob_id);
      }
      auto read = *co_await blocking([&] { return svc_.mailboxes.read_blobs(ids); });
      blobs = std::move(read);
    }
    for (std::size_t i = first; i < last; ++i) {
      if (msgs[i].id == 0) {
        continue;  // expunged meanwhile: nothing left to match
      }
      const std::string* raw = body && blobs[i - first] ? &*blobs[i - first] : nullptr;
      search_subject subject{seqs[i], total, selected_->max_uid(), msgs[i], raw, &indexed};
      if (matches(key, subject)) {
        hits.push_back(seqs[i]);
      }
    }
    first = last;
  }
  co_return hits;
}

std::vector<std::uint32_t> session::candidates(
    const search_key& key, const std::map<const search_key*, std::vector<std::uint32_t>>& indexed) {
  // A message matches an AND only if it is among the hits of each of its
  // full-text criteria (a lone criterion is an AND of one): only those need
  // their flags, sizes and dates read. Anything else may match anywhere.
  std::vector<const search_key*> musts;
  if (key.what == search_key::kind::indexed) {
    musts.push_back(&key);
  } else if (key.what == search_key::kind::and_) {
    for (const auto& child : key.children) {
      if (child.what == search_key::kind::indexed) {
        musts.push_back(&child);
      }
    }
  }
  auto every_message = [&] {
    std::vector<std::uint32_t> all(selected_->exists());
    std::iota(all.begin(), all.end(), 1u);
    return all;
  };
  if (musts.empty()) {
    return every_message();
  }
  std::vector<std::uint32_t> uids = indexed.at(musts.front());
  for (std::size_t i = 1; i < musts.size(); ++i) {
    const auto& more = indexed.at(musts[i]);
    std::vector<std::uint32_t> both;
    std::set_intersection(uids.begin(), uids.end(), more.begin(), more.end(),
                          std::back_inserter(both));
    uids = std::move(both);
  }
  // Reading a quarter of the mailbox message by message costs about what
  // one scan of all of it does (session::metas_of).
  if (uids.size() * 4 > selected_->exists()) {
    return every_message();
  }
  std::vector<std::uint32_t> seqs;
  for (auto uid : uids) {
    if (auto seq = selected_->seq_of_uid(uid)) {
      seqs.push_back(*seq);
    }
  }
  return seqs;
}

// RFC 4731 3.1 result options; `esearch` when the reply is ESEARCH, which
// IMAP4rev2 makes the only form (RFC 9051 6.4.4).
struct session::search_return {
  bool esearch = false;
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
  bool save = false;  // RFC 5182 2.1
};

void session::search_reply(const command& c, bool by_uid, const search_return& ret,
                           const search_key& key, const std::vector<std::uint32_t>& seqs,
                           const std::vector<store::message_meta>& metas) {
  auto number = [&](std::uint32_t seq) { return by_uid ? selected_->uid_at(seq) : seq; };
  auto highest_modseq = [&](const std::vector<std::uint32_t>& of) {
    std::uint64_t top = 0;
    for (auto seq : of) {
      auto at = std::lower_bound(seqs.begin(), seqs.end(), seq) - seqs.begin();
      top = std::max(top, metas[at].modseq);
    }
    return top;
  };
  // RFC 7162 3.1.5: MODSEQ in the criteria adds the highest MODSEQ of what
  // is returned; nothing when nothing matched.
  bool with_modseq = key.uses_modseq() && !seqs.empty();
  if (!ret.esearch) {
    std::string hits;
    for (auto seq : seqs) {
      hits += fmt::format(" {}", number(seq));
    }
    if (with_modseq) {
      hits += fmt::format(" (MODSEQ {})", highest_modseq(seqs));
    }
    untagged("SEARCH" + hits);
    return;
  }
  // With only MIN and/or MAX, those are what is reported, saved and counted
  // for MODSEQ (RFC 5182 2.1, RFC 7162 3.1.5).
  std::vector<std::uint32_t> reported = seqs;
  if ((ret.min || ret.max) && !ret.all && !ret.count && !seqs.empty()) {
    reported.clear();
    if (ret.min) {
      reported.push_back(seqs.front());
    }
    if (ret.max && (!ret.min || seqs.back() != seqs.front())) {
      reported.push_back(seqs.back());
    }
  }
  if (ret.save) {
    std::vector<std::uint32_t> uids;
    uids.reserve(reported.size());
    for (auto seq : reported) {
      uids.push_back(selected_->uid_at(seq));
    }
    selected_->save_uids(std::move(uids));
    if (!ret.min && !ret.max && !ret.all && !ret.count) {
      return;  // RFC 5182 2.4: SAVE alone sends no ESEARCH
    }
  }
  std::string line = fmt::format("ESEARCH (TAG \"{}\")", c.tag);
  if (by_uid) {
    line += " UID";
  }
  // RFC 4731 3.1: MIN, MAX and ALL are left out when nothing matched.
  if (ret.min && !seqs.empty()) {
    line += fmt::format(" MIN {}", number(seqs.front()));
  }
  if (ret.max && !seqs.empty()) {
    line += fmt::format(" MAX {}", number(seqs.back()));
  }
  if (ret.all && !seqs.empty()) {
    std::vector<std::uint32_t> numbers;
    numbers.reserve(seqs.size());
    for (auto seq : seqs) {
      numbers.push_back(number(seq));  // ascending for UIDs too
    }
    line += " ALL " + sequence_set::from_numbers(numbers).to_string();
  }
  if (ret.count) {
    line += fmt::format(" COUNT {}", seqs.size());
  }
  if (with_modseq) {
    line += fmt::format(" MODSEQ {}", highest_modseq(reported));
  }
  untagged(line);
}

asio::awaitable<void> session::search(const command& c, bool by_uid) {
  // SEARCH [RETURN (options)] [CHARSET name] criteria (RFC 4731 3.1).
  search_return ret;
  std::size_t first = 0;
  if (!c.args.empty() && c.args[0].equals("RETURN")) {
    if (c.args.size() < 2 || !c.args[1].is_list()) {
      bad(c, "Syntax: SEARCH RETURN (options) criteria");
      co_return;
    }
    for (const auto& opt : c.args[1].items) {
      bool* flag = opt.equals("MIN")     ? &ret.min
                   : opt.equals("MAX")   ? &ret.max
                   : opt.equals("ALL")   ? &ret.all
                   : opt.equals("COUNT") ? &ret.count
                   : opt.equals("SAVE")  ? &ret.save
                                         : nullptr;
      if (flag == nullptr) {
        bad(c, "Unknown SEARCH RETURN option");
        co_return;
      }
      *flag = true;
    }
    // RFC 4731 3.1: RETURN () means RETURN (ALL).
    ret.all = ret.all || c.args[1].items.empty();
    ret.esearch = true;
    first = 2;
  } else if (enabled_.rev2) {
    ret.esearch = true;  // RFC 9051 6.4.4: ESEARCH, ALL by default
    ret.all = true;
  }
  auto key = parse_search_command(c, first);
  if (!key) {
    if (ret.save) {
      selected_->save_uids({});  // RFC 5182 2.1: a failed SAVE empties "$"
    }
    co_return;
  }
  fill_saved_result(*key, selected_->saved_uids());
  if (key->uses_modseq()) {
    enable_condstore();  // RFC 7162 3.1: SEARCH MODSEQ is an enabling command
  }
  auto seqs = co_await run_search(*key);
  std::vector<store::message_meta> metas;
  if (key->uses_modseq()) {
    metas = co_await metas_of(seqs);  // RFC 7162 3.1.5: the MODSEQ of what matched
  }
  search_reply(c, by_uid, ret, *key, seqs, metas);
  co_await sync_selected(by_uid);
  ok(c, "SEARCH completed");
}

asio::awaitable<void> session::cmd_search(const command& c) { co_await search(c, false); }

asio::awaitable<void> session::cmd_uid_search(const command& c) { co_await search(c, true); }

}  // namespace copper::imap
