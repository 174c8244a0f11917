// mailbox_store: the cached IMAP structure of a message and the full-text
// index (migration 3, store/message_index.h) read back for FETCH and SEARCH.
#include <algorithm>
#include <iterator>
#include <string>

#include "mime/casefold.h"
#include "store/search_document.h"
#include "store/sqlite/model.h"
#include "store/sqlite/sqlite_store.h"

namespace copper::store::sqlite {
namespace {

// Blobs summarised per writer job while backfilling: small enough that
// deliveries queued behind a job do not wait long.
constexpr int backfill_batch = 200;

// Up to this many messages, a header field criterion reads the mailbox's
// rows of search_fields rather than asking the trigram index: a scan of
// 1,000 subjects takes well under a millisecond, while a MATCH for a word
// common in the whole store (not just this mailbox) takes ten or more.
constexpr int header_scan_limit = 5000;

bool is_header_field(text_field field) {
  return field != text_field::body && field != text_field::text;
}

// Whether `mailbox` has at most `limit` messages, without counting past it.
bool at_most(database& db, mailbox_id mailbox, int limit) {
  auto st =
      db.prepare("SELECT count(*) FROM (SELECT 1 FROM messages WHERE mailbox_id = ? LIMIT ?)");
  st.bind(1, mailbox).bind(2, limit + 1);
  return st.step() && st.int64(0) <= limit;
}

// The search_text columns of a field (as an FTS5 column filter).
std::string_view columns_of(text_field field) {
  switch (field) {
    case text_field::from:
      return "hfrom";
    case text_field::to:
      return "hto";
    case text_field::cc:
      return "hcc";
    case text_field::bcc:
      return "hbcc";
    case text_field::subject:
      return "subject";
    case text_field::body:
      return "body";
    case text_field::text:
      return "headers body";
  }
  return "body";
}

// An FTS5 phrase (a string in double quotes, quotes doubled): with the
// trigram tokenizer it matches wherever the needle occurs as a substring.
std::string fts_query(text_field field, std::string_view needle) {
  std::string q = "{";
  q += columns_of(field);
  q += "} : \"";
  for (char c : needle) {
    q += c;
    if (c == '"') {
      q += '"';
    }
  }
  q += '"';
  return q;
}

// A needle too short for a trigram: instr() over the stored text instead,
// the columns of table alias `s` (search_text or search_fields).
std::string scan_condition(text_field field) {
  std::string cond;
  std::string_view cols = columns_of(field);
  while (!cols.empty()) {
    auto sp = cols.find(' ');
    if (!cond.empty()) {
      cond += " OR ";
    }
    cond += "instr(s.";
    cond += cols.substr(0, sp);
    cond += ", ?1) > 0";
    cols = sp == std::string_view::npos ? std::string_view() : cols.substr(sp + 1);
  }
  return cond;
}

// The messages of `mailbox` whose blob the index lacks yet, matched by
// reading their text here: right after a delivery, or while the indexer
// works through a burst.
std::vector<std::uint32_t> pending_matches(database& db, mailbox_id mailbox, text_field field,
                                           std::string_view needle) {
  // From the short pending list to the messages (CROSS JOIN fixes the
  // order): the planner, without statistics, would walk the whole mailbox.
  auto st = db.prepare(
      "SELECT m.uid, b.data FROM search_pending p CROSS JOIN messages m ON m.blob_id = p.blob_id "
      "CROSS JOIN blobs b ON b.id = p.blob_id WHERE m.mailbox_id = ? ORDER BY m.uid");
  st.bind(1, mailbox);
  auto extract = is_header_field(field) ? extract_search_fields : extract_search_document;
  std::vector<std::uint32_t> out;
  while (st.step()) {
    if (document_contains(extract(st.blob(1)), field, needle)) {
      out.push_back(static_cast<std::uint32_t>(st.int64(0)));
    }
  }
  return out;
}

std::vector<std::uint32_t> collect_uids(statement& st) {
  std::vector<std::uint32_t> out;
  while (st.step()) {
    out.push_back(static_cast<std::uint32_t>(st.int64(0)));
  }
  return out;
}

}  // namespace

std::optional<message_structure> sqlite_store::read_summary(std::int64_t message_id) {
  auto db = readers_.acquire();
  auto st = db->prepare(
      "SELECT s.envelope, s.bodystructure, s.body FROM messages m "
      "JOIN message_summaries s ON s.blob_id = m.blob_id WHERE m.id = ?");
  st.bind(1, message_id);
  if (!st.step()) {
    return std::nullopt;
  }
  return message_structure{st.text(0), st.text(1), st.text(2)};
}

std::vector<std::optional<message_structure>> sqlite_store::read_summaries(
    const std::vector<std::int64_t>& message_ids) {
  auto db = readers_.acquire();
  read_transaction snapshot(*db);
  auto st = db->prepare(
      "SELECT s.envelope, s.bodystructure, s.body FROM messages m "
      "JOIN message_summaries s ON s.blob_id = m.blob_id WHERE m.id = ?");
  std::vector<std::optional<message_structure>> out;
  out.reserve(message_ids.size());
  for (auto id : message_ids) {
    st.bind(1, id);
    if (st.step()) {
      out.emplace_back(message_structure{st.text(0), st.text(1), st.text(2)});
    } else {
      out.emplace_back(std::nullopt);
    }
    st.reset();
  }
  return out;
}

std::vector<std::uint32_t> sqlite_store::search_text(mailbox_id mailbox, text_field field,
                                                     std::string_view needle) {
  auto db = readers_.acquire();
  if (needle.empty()) {
    auto st = db->prepare("SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid");
    st.bind(1, mailbox);
    return collect_uids(st);
  }
  // The list of blobs the index lacks is read first, the index after: a
  // blob leaves the list only once the index has it (search_index.h), so
  // this order never misses one that moves between the two meanwhile.
  read_transaction snapshot(*db);
  auto pending = pending_matches(*db, mailbox, field, needle);
  std::vector<std::uint32_t> indexed;
  bool trigrams = mime::code_points(needle) >= 3;
  bool header_scan =
      is_header_field(field) && (!trigrams || at_most(*db, mailbox, header_scan_limit));
  if (trigrams && !header_scan) {
    // The index first, then the messages that use the matching blobs. As a
    // join, SQLite walks the mailbox and runs the MATCH once per message
    // (800 ms for 5,000); the unary "+" keeps it off the (mailbox_id, uid)
    // index so it looks the few matching blobs up by messages_blob instead.
    auto st = db->prepare(
        "SELECT m.uid FROM messages m WHERE +m.mailbox_id = ?2 AND m.blob_id IN "
        "(SELECT rowid FROM search.search_text WHERE search_text MATCH ?1) "
        "AND m.blob_id NOT IN (SELECT blob_id FROM search_pending) ORDER BY m.uid");
    st.bind(1, fts_query(field, needle)).bind(2, mailbox);
    indexed = collect_uids(st);
  } else {
    // A scan of the mailbox's stored text: the short header fields, or the
    // index's content for a needle too short for a trigram.
    std::string source = header_scan ? "search.search_fields s ON s.blob_id = m.blob_id"
                                     : "search.search_text s ON s.rowid = m.blob_id";
    auto st = db->prepare(
        "SELECT m.uid FROM messages m JOIN " + source +
        " WHERE m.mailbox_id = ?2 AND m.blob_id NOT IN (SELECT blob_id FROM search_pending) "
        "AND (" +
        scan_condition(field) + ") ORDER BY m.uid");
    st.bind(1, needle).bind(2, mailbox);
    indexed = collect_uids(st);
  }
  std::vector<std::uint32_t> out;
  out.reserve(indexed.size() + pending.size());
  std::merge(indexed.begin(), indexed.end(), pending.begin(), pending.end(),
             std::back_inserter(out));
  return out;
}

void sqlite_store::backfill_index() {
  while (true) {
    std::vector<std::pair<std::int64_t, message_index>> batch;
    {
      auto db = readers_.acquire();
      auto st = db->prepare(
          "SELECT b.id, b.data FROM blobs b WHERE b.id IN (SELECT m.blob_id FROM messages m "
          "LEFT JOIN message_summaries s ON s.blob_id = m.blob_id WHERE s.blob_id IS NULL "
          "LIMIT ?)");
      st.bind(1, backfill_batch);
      while (st.step()) {
        batch.emplace_back(st.int64(0), index_message(st.blob(1)));
      }
    }
    if (batch.empty()) {
      return;
    }
    auto r = writer_.call<void>([&](database& db) -> result<void> {
      for (const auto& [blob, index] : batch) {
        put_blob_index(db, blob, index);
      }
      return {};
    });
    if (!r.ok()) {
      return;  // the store still works; FETCH then parses, SEARCH misses these
    }
  }
}

}  // namespace copper::store::sqlite
