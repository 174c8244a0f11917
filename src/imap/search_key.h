// SEARCH criteria (RFC 9051 6.4.4, RFC 3501 6.4.4): parsed into a tree once,
// then matched against each message. BODY, TEXT, FROM, TO, CC, BCC and
// SUBJECT go through the store's full-text index (decoded, case-folded by
// i;unicode-casemap, RFC 5051); their hits are looked up before matching.
// HEADER compares the raw field values, encoded words decoded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "imap/protocol/parser.h"
#include "imap/protocol/sequence_set.h"
#include "store/mailbox_store.h"

namespace copper::imap {

struct search_key {
  enum class kind {
    all,
    and_,
    or_,
    not_,
    seq,
    uid,
    flag,
    no_flag,
    larger,
    smaller,
    before,
    on,
    since,
    header,
    indexed,  // a text_field through the full-text index
    emailid,
    threadid,  // RFC 8474 6: `number` is the id, -1 for one we never gave out
    modseq,    // RFC 7162 3.1.5: MODSEQ n matches messages with a mod-sequence >= n
  };
  kind what = kind::all;
  std::vector<search_key> children;
  sequence_set set;
  std::string flag;         // for flag / no_flag
  std::string field;        // header name (upper case) for header
  std::string needle;       // case-folded (mime/casefold.h)
  std::int64_t number = 0;  // size, or a day as unix seconds at 00:00 UTC
  store::text_field text_field = store::text_field::text;  // for indexed
  std::uint64_t modseq = 0;                                // for modseq
  // "$" (RFC 5182) as a sequence set, kind uid: the session fills `set` with
  // the saved result before evaluating (fill_saved_result).
  bool saved = false;

  bool needs_body() const;
  // Whether MODSEQ appears anywhere: the reply then carries the highest
  // mod-sequence of the hits (RFC 7162 3.1.5).
  bool uses_modseq() const;
};

// Replaces every "$" in the tree with the given UIDs (ascending).
void fill_saved_result(search_key& key, const std::vector<std::uint32_t>& uids);

result<search_key> parse_search(const std::vector<value>& args, std::size_t first);

struct search_subject {
  std::uint32_t seq;
  std::uint32_t largest_seq;
  std::uint32_t largest_uid;
  const store::message_meta& meta;
  const std::string* raw;  // null unless needs_body()
  // UIDs (ascending) each indexed key matched in the mailbox; an indexed key
  // missing here matches nothing.
  const std::map<const search_key*, std::vector<std::uint32_t>>* indexed_hits = nullptr;
};

// Calls `f` on every indexed key of the tree.
void for_each_indexed(const search_key& key, const std::function<void(const search_key&)>& f);

bool matches(const search_key& key, const search_subject& s);

}  // namespace copper::imap
