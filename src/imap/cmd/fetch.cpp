// FETCH and UID FETCH (RFC 9051 6.4.5, 6.4.9), with MODSEQ, CHANGEDSINCE
// (RFC 7162 3.1.4) and VANISHED (RFC 7162 3.2.6).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "imap/batch.h"
#include "imap/fetch_item.h"
#include "imap/session.h"

namespace copper::imap {
namespace {

struct fetch_modifiers {
  std::optional<std::uint64_t> changedsince;
  bool vanished = false;
};

// RFC 7162 3.1.4.1, 3.2.6: (CHANGEDSINCE modseq [VANISHED]) after the items.
result<fetch_modifiers> parse_fetch_modifiers(const command& c) {
  fetch_modifiers m;
  if (c.args.size() < 3) {
    return m;
  }
  const auto& items = c.args[2].items;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].equals("VANISHED") && !m.vanished) {
      m.vanished = true;
    } else if (items[i].equals("CHANGEDSINCE") && !m.changedsince && i + 1 < items.size()) {
      const auto& s = items[++i].text;
      std::uint64_t n = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (!items[i].is_atom() || s.empty() || ec != std::errc() || ptr != s.data() + s.size() ||
          n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return make_error("CHANGEDSINCE needs a mod-sequence");
      }
      m.changedsince = n;
    } else {
      return make_error("Unknown FETCH modifier");
    }
  }
  return m;
}

}  // namespace

asio::awaitable<void> session::report_vanished_earlier(const value& set_arg, std::uint64_t since) {
  auto mailbox = selected_->info().id;
  auto changes = *co_await blocking([&] { return svc_.mailboxes.changes_since(mailbox, since); });
  // "$" names the saved UIDs; "*" in a UID set reaches past the last
  // message, which may itself be gone.
  auto parsed = set_arg.text == "$"
                    ? std::optional<sequence_set>()
                    : std::optional<sequence_set>(*sequence_set::parse(set_arg.text));
  const auto& saved = selected_->saved_uids();
  std::vector<std::uint32_t> gone;
  for (auto uid : changes.vanished) {
    bool named = parsed ? parsed->contains(uid, std::numeric_limits<std::uint32_t>::max())
                        : std::binary_search(saved.begin(), saved.end(), uid);
    if (named) {
      gone.push_back(uid);
    }
  }
  if (!gone.empty()) {
    untagged("VANISHED (EARLIER) " + sequence_set::from_numbers(gone).to_string());
  }
}

asio::awaitable<bool> session::any_unknown_cte(const fetch_request& req,
                                               const std::vector<store::message_meta>& metas) {
  for (std::size_t first = 0; first < metas.size();) {
    std::size_t last =
        batch_end(first, metas.size(), true, [&](std::size_t i) { return metas[i].size; });
    std::vector<std::int64_t> blob_ids;
    for (std::size_t i = first; i < last; ++i) {
      blob_ids.push_back(metas[i].blob_id);
    }
    auto blobs = *co_await blocking([&] { return svc_.mailboxes.read_blobs(blob_ids); });
    for (const auto& raw : blobs) {
      if (raw) {
        auto parsed = mime::parse(*raw);
        if (has_unknown_cte(req, &parsed)) {
          co_return true;
        }
      }
    }
    first = last;
  }
  co_return false;
}

asio::awaitable<void> session::fetch(const command& c, bool by_uid) {
  if (c.args.size() < 2 || c.args.size() > 3 || !c.args[0].is_atom() ||
      (c.args.size() == 3 && !c.args[2].is_list())) {
    bad(c, "Syntax: FETCH sequence-set items [(CHANGEDSINCE modseq [VANISHED])]");
    co_return;
  }
  auto resolved = resolve_set(c.args[0], by_uid);
  if (!resolved) {
    bad(c, resolved.err().message);
    co_return;
  }
  auto req = parse_fetch_items(c.args[1]);
  if (!req) {
    bad(c, req.err().message);
    co_return;
  }
  auto mods = parse_fetch_modifiers(c);
  if (!mods) {
    bad(c, mods.err().message);
    co_return;
  }
  // RFC 7162 3.2.6: VANISHED only in UID FETCH with CHANGEDSINCE, after ENABLE QRESYNC.
  if (mods->vanished && (!by_uid || !mods->changedsince || !enabled_.qresync)) {
    bad(c, "VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC");
    co_return;
  }
  req->uid = req->uid || by_uid;  // RFC 9051 6.4.9: UID FETCH always returns UID
  auto seqs = std::move(resolved).value();
  if (mods->changedsince) {
    // RFC 7162 3.1.4.1: only messages changed since, with their MODSEQ. The
    // view must be current for that; expunges still wait (RFC 9051 7.4.1).
    co_await sync_selected(false);
    req->modseq = true;
  }
  auto metas = co_await metas_of(seqs);
  if (mods->changedsince) {
    std::vector<std::uint32_t> kept_seqs;
    std::vector<store::message_meta> kept;
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      if (metas[i].modseq > *mods->changedsince) {
        kept_seqs.push_back(seqs[i]);
        kept.push_back(std::move(metas[i]));
      }
    }
    seqs = std::move(kept_seqs);
    metas = std::move(kept);
  }
  if (req->modseq) {
    enable_condstore();
  }
  if (mods->vanished) {
    co_await report_vanished_earlier(c.args[0], *mods->changedsince);
  }

  // RFC 3516 4.3: a part we cannot decode fails the whole command, so it
  // is found before anything is sent or \Seen is set.
  if (req->decodes_parts() && co_await any_unknown_cte(*req, metas)) {
    no(c, "[UNKNOWN-CTE] Cannot decode the content transfer encoding of that part");
    co_return;
  }
  // RFC 9051 6.4.5: BODY[] without .PEEK sets \Seen, and the new FLAGS are
  // part of the response.
  if (req->sets_seen() && !selected_->read_only()) {
    std::vector<std::uint32_t> unseen;
    for (const auto& meta : metas) {
      if (meta.id != 0 && !has_flag(meta, "\\Seen")) {
        unseen.push_back(meta.uid);
      }
    }
    std::sort(unseen.begin(), unseen.end());
    if (!unseen.empty()) {
      auto mailbox = selected_->info().id;
      auto r = *co_await blocking([&] {
        return svc_.mailboxes.store_flags(mailbox, unseen, store::flag_operation::add, {"\\Seen"},
                                          0);
      });
      if (r) {
        for (const auto& change : r->changed) {
          selected_->note_own_change(change.uid, change.modseq);
          // resolve_set gives ascending sequence numbers, so UIDs ascend too.
          auto it = std::lower_bound(
              metas.begin(), metas.end(), change.uid,
              [](const store::message_meta& m, std::uint32_t uid) { return m.uid < uid; });
          if (it != metas.end() && it->uid == change.uid) {
            it->flags = change.flags;
            it->modseq = change.modseq;
          }
        }
      }
      req->flags = true;
      // RFC 7162 3.2.4: an implicit \Seen change carries UID and MODSEQ.
      req->uid = req->uid || enabled_.condstore;
      req->modseq = req->modseq || enabled_.condstore;
    }
  }

  // The summaries and blobs of a batch come in one store call each, not
  // one per message (imap/batch.h).
  bool with_blobs = req->needs_body();
  for (std::size_t first = 0; first < seqs.size();) {
    std::size_t last =
        batch_end(first, seqs.size(), with_blobs, [&](std::size_t i) { return metas[i].size; });
    // ENVELOPE, BODYSTRUCTURE and BODY as computed at delivery; a message
    // without a summary (gone meanwhile, or not yet backfilled) is parsed.
    std::vector<std::optional<store::message_structure>> structures(last - first);
    if (req->needs_structure()) {
      std::vector<std::int64_t> ids;
      for (std::size_t i = first; i < last; ++i) {
        ids.push_back(metas[i].id);
      }
      auto read = *co_await blocking([&] { return svc_.mailboxes.read_summaries(ids); });
      structures = std::move(read);
    }
    std::vector<std::int64_t> blob_ids;
    for (std::size_t i = first; i < last; ++i) {
      if (with_blobs || (req->needs_structure() && !structures[i - first])) {
        blob_ids.push_back(metas[i].blob_id);
      }
    }
    std::vector<std::optional<std::string>> blobs;
    if (!blob_ids.empty()) {
      auto read = *co_await blocking([&] { return svc_.mailboxes.read_blobs(blob_ids); });
      blobs = std::move(read);
    }
    std::size_t next_blob = 0;
    for (std::size_t i = first; i < last; ++i) {
      auto seq = seqs[i];
      const auto& structure = structures[i - first];
      bool parse_structure = req->needs_structure() && !structure;
      std::optional<std::string> raw;
      if (with_blobs || parse_structure) {
        // Expunged meanwhile: empty, never an error mid-response.
        raw = std::move(blobs[next_blob++]).value_or(std::string());
      }
      std::optional<mime::message> parsed;
      if (raw && (req->needs_mime() || parse_structure)) {
        parsed = mime::parse(*raw);
      }
      conn_->write(fmt::format(
          "* {} FETCH ({})\r\n", seq,
          render_fetch(*req, metas[i], raw ? &*raw : nullptr, parsed ? &*parsed : nullptr,
                       structure ? &*structure : nullptr)));
      // Bodies can be large: let them go out as we go rather than pile up.
      if (raw && !co_await conn_->flush()) {
        co_return;
      }
    }
    first = last;
  }
  // RFC 9051 7.4.1: no EXPUNGE responses during FETCH, but UID FETCH may.
  co_await sync_selected(by_uid);
  ok(c, "FETCH completed");
}

asio::awaitable<void> session::cmd_fetch(const command& c) { co_await fetch(c, false); }

asio::awaitable<void> session::cmd_uid_fetch(const command& c) { co_await fetch(c, true); }

}  // namespace copper::imap
