#include "imap/search_key.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <limits>

#include "imap/selected.h"
#include "mime/casefold.h"
#include "mime/decode.h"

namespace copper::imap {
namespace {

constexpr std::size_t max_keys = 1000;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// RFC 9051 9 date: "1-Feb-1994" (optionally quoted), as 00:00 UTC that day.
std::optional<std::int64_t> parse_date(std::string_view s) {
  std::tm tm{};
  std::string text(s);
  const char* end = strptime(text.c_str(), "%d-%b-%Y", &tm);
  if (end == nullptr || *end != '\0') {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

// An EMAILID ("M123") or THREADID ("T123") as fetch_item.cpp renders them;
// -1 for anything else, which then matches no message (RFC 8474 6).
std::int64_t parse_object_id(std::string_view id, char prefix) {
  std::int64_t n = -1;
  if (id.size() < 2 || id.front() != prefix) {
    return -1;
  }
  auto [ptr, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  return ec == std::errc() && ptr == id.data() + id.size() && n > 0 ? n : -1;
}

// RFC 7162 7: mod-sequence-valzer, 0 to 2^63-1, digits only.
std::optional<std::uint64_t> parse_modseq(std::string_view s) {
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || s.size() > 19 || ec != std::errc() || ptr != s.data() + s.size() ||
      n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::nullopt;
  }
  return n;
}

std::int64_t day_of(std::int64_t t) { return t - ((t % 86400) + 86400) % 86400; }

// RFC 9051 6.4.4 BEFORE, ON, SINCE: the internal date's day "disregarding
// time and timezone", that is the day as written in its own zone.
std::int64_t internal_day(const store::message_meta& m) {
  return day_of(m.internal_date + std::int64_t{m.internal_zone} * 60);
}

class key_parser {
 public:
  key_parser(const std::vector<value>& args, std::size_t pos) : args_(args), pos_(pos) {}

  result<search_key> all() {
    search_key root;
    root.what = search_key::kind::and_;
    while (pos_ < args_.size()) {
      auto k = one();
      if (!k) {
        return k.err();
      }
      root.children.push_back(std::move(k).value());
    }
    if (root.children.empty()) {
      return make_error("missing search criteria");
    }
    return root;
  }

 private:
  result<const value*> next() {
    if (pos_ >= args_.size()) {
      return make_error("missing search argument");
    }
    return &args_[pos_++];
  }

  result<std::string> next_string() {
    auto v = next();
    if (!v || !(*v)->is_astring()) {
      return make_error("search criterion needs a string");
    }
    return (*v)->text;
  }

  result<search_key> one() {
    if (++count_ > max_keys) {
      return make_error("too many search criteria");
    }
    auto vr = next();
    if (!vr) {
      return vr.err();
    }
    const value& v = **vr;
    search_key k;
    if (v.is_list()) {
      key_parser inner(v.items, 0);
      inner.count_ = count_;
      auto r = inner.all();
      count_ = inner.count_;
      return r;
    }
    if (!v.is_atom()) {
      return make_error("unexpected string in search");
    }
    std::string name = upper(v.text);
    using K = search_key::kind;
    auto flag_key = [&](K what, std::string flag) {
      k.what = what;
      k.flag = std::move(flag);
      return k;
    };
    if (name == "ALL") {
      k.what = K::all;
      return k;
    }
    // The flag criteria (RFC 9051 6.4.4). No \Recent tracking: NEW is
    // UNSEEN, OLD and RECENT follow from that.
    struct flag_criterion {
      std::string_view name;
      K what;
      std::string_view flag;
    };
    static constexpr flag_criterion flag_criteria[] = {
        {"SEEN", K::flag, "\\Seen"},         {"UNSEEN", K::no_flag, "\\Seen"},
        {"ANSWERED", K::flag, "\\Answered"}, {"UNANSWERED", K::no_flag, "\\Answered"},
        {"DELETED", K::flag, "\\Deleted"},   {"UNDELETED", K::no_flag, "\\Deleted"},
        {"FLAGGED", K::flag, "\\Flagged"},   {"UNFLAGGED", K::no_flag, "\\Flagged"},
        {"DRAFT", K::flag, "\\Draft"},       {"UNDRAFT", K::no_flag, "\\Draft"},
        {"NEW", K::no_flag, "\\Seen"}};
    for (const auto& c : flag_criteria) {
      if (name == c.name) {
        return flag_key(c.what, std::string(c.flag));
      }
    }
    if (name == "OLD") {
      k.what = K::all;
      return k;
    }
    if (name == "RECENT") {
      k.what = K::not_;
      k.children.push_back(search_key{});
      return k;
    }
    if (name == "KEYWORD" || name == "UNKEYWORD") {
      auto s = next_string();
      if (!s) {
        return s.err();
      }
      return flag_key(name == "KEYWORD" ? K::flag : K::no_flag, *s);
    }
    if (name == "NOT") {
      auto inner = one();
      if (!inner) {
        return inner;
      }
      k.what = K::not_;
      k.children.push_back(std::move(inner).value());
      return k;
    }
    if (name == "OR") {
      auto a = one();
      if (!a) {
        return a;
      }
      auto b = one();
      if (!b) {
        return b;
      }
      k.what = K::or_;
      k.children.push_back(std::move(a).value());
      k.children.push_back(std::move(b).value());
      return k;
    }
    if (name == "LARGER" || name == "SMALLER") {
      auto s = next_string();
      std::int64_t n = 0;
      if (!s || std::from_chars(s->data(), s->data() + s->size(), n).ec != std::errc()) {
        return make_error("LARGER/SMALLER need a number");
      }
      k.what = name == "LARGER" ? K::larger : K::smaller;
      k.number = n;
      return k;
    }
    if (name == "BEFORE" || name == "ON" || name == "SINCE" || name == "SENTBEFORE" ||
        name == "SENTON" || name == "SENTSINCE") {
      auto s = next_string();
      auto d = s ? parse_date(*s) : std::nullopt;
      if (!d) {
        return make_error("bad date in search");
      }
      // SENT* compare the Date: header; the internal date stands in for now.
      std::string base = name.rfind("SENT", 0) == 0 ? name.substr(4) : name;
      k.what = base == "BEFORE" ? K::before : base == "ON" ? K::on : K::since;
      k.number = *d;
      return k;
    }
    if (name == "FROM" || name == "TO" || name == "CC" || name == "BCC" || name == "SUBJECT" ||
        name == "BODY" || name == "TEXT") {
      auto s = next_string();
      if (!s) {
        return s.err();
      }
      using F = store::text_field;
      k.what = K::indexed;
      k.text_field = name == "FROM"      ? F::from
                     : name == "TO"      ? F::to
                     : name == "CC"      ? F::cc
                     : name == "BCC"     ? F::bcc
                     : name == "SUBJECT" ? F::subject
                     : name == "BODY"    ? F::body
                                         : F::text;
      k.needle = mime::casefold(*s);
      return k;
    }
    if (name == "EMAILID" || name == "THREADID") {
      auto s = next_string();
      if (!s) {
        return s.err();
      }
      k.what = name == "EMAILID" ? K::emailid : K::threadid;
      k.number = parse_object_id(*s, name == "EMAILID" ? 'M' : 'T');
      return k;
    }
    if (name == "HEADER") {
      auto f = next_string();
      auto s = f ? next_string() : f;
      if (!f || !s) {
        return make_error("HEADER needs a field name and a string");
      }
      k.what = K::header;
      k.field = upper(*f);
      k.needle = mime::casefold(*s);
      return k;
    }
    if (name == "MODSEQ") {
      return modseq_key();
    }
    if (name == "$" || (name == "UID" && pos_ < args_.size() && args_[pos_].is_atom() &&
                        args_[pos_].text == "$")) {
      // RFC 5182 2.1: "$" and "UID $" both name the saved messages.
      pos_ += name == "UID" ? 1 : 0;
      k.what = K::uid;
      k.saved = true;
      return k;
    }
    if (name == "UID") {
      auto s = next_string();
      auto set = s ? sequence_set::parse(*s) : result<sequence_set>(make_error("UID needs a set"));
      if (!set) {
        return set.err();
      }
      k.what = K::uid;
      k.set = std::move(set).value();
      return k;
    }
    auto set = sequence_set::parse(v.text);
    if (set) {
      k.what = K::seq;
      k.set = std::move(set).value();
      return k;
    }
    return make_error("unknown search criterion " + v.text);
  }

  // RFC 7162 3.1.5: MODSEQ [entry-name entry-type-req] mod-sequence-valzer.
  // Flags have no mod-sequences of their own here, so the entry is checked
  // for syntax and the message's MODSEQ stands in for it.
  result<search_key> modseq_key() {
    search_key k;
    k.what = search_key::kind::modseq;
    if (pos_ + 2 < args_.size() && args_[pos_].is_string()) {
      std::string type = upper(args_[pos_ + 1].is_atom() ? args_[pos_ + 1].text : "");
      if (type != "PRIV" && type != "SHARED" && type != "ALL") {
        return make_error("MODSEQ entry type must be priv, shared or all");
      }
      pos_ += 2;
    }
    auto s = next_string();
    auto n = s ? parse_modseq(*s) : std::nullopt;
    if (!n) {
      return make_error("MODSEQ needs a mod-sequence");
    }
    k.modseq = *n;
    return k;
  }

  const std::vector<value>& args_;
  std::size_t pos_;
  std::size_t count_ = 0;
};

std::size_t header_length(std::string_view raw) {
  auto pos = raw.find("\r\n\r\n");
  return pos == std::string_view::npos ? raw.size() : pos + 2;
}

// Any field named `field` (upper case) whose unfolded value contains the needle.
bool header_matches(std::string_view header, const std::string& field, std::string_view needle) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = pos;
    do {
      auto eol = header.find("\r\n", end);
      end = eol == std::string_view::npos ? header.size() : eol + 2;
    } while (end < header.size() && (header[end] == ' ' || header[end] == '\t'));
    std::string_view line = header.substr(pos, end - pos);
    pos = end;
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon != field.size()) {
      continue;
    }
    if (upper(line.substr(0, colon)) != field) {
      continue;
    }
    // Encoded words decoded and case-folded, like the needle (RFC 5051).
    std::string value = mime::casefold(mime::decode_header_value(line.substr(colon + 1)));
    if (value.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool search_key::needs_body() const {
  if (what == kind::header) {
    return true;
  }
  return std::any_of(children.begin(), children.end(),
                     [](const search_key& k) { return k.needs_body(); });
}

void for_each_indexed(const search_key& key, const std::function<void(const search_key&)>& f) {
  if (key.what == search_key::kind::indexed) {
    f(key);
  }
  for (const auto& child : key.children) {
    for_each_indexed(child, f);
  }
}

bool search_key::uses_modseq() const {
  return what == kind::modseq || std::any_of(children.begin(), children.end(),
                                             [](const search_key& k) { return k.uses_modseq(); });
}

void fill_saved_result(search_key& key, const std::vector<std::uint32_t>& uids) {
  if (key.saved) {
    key.set = sequence_set::from_numbers(uids);
  }
  for (auto& child : key.children) {
    fill_saved_result(child, uids);
  }
}

result<search_key> parse_search(const std::vector<value>& args, std::size_t first) {
  return key_parser(args, first).all();
}

bool matches(const search_key& key, const search_subject& s) {
  using K = search_key::kind;
  std::string_view raw = s.raw != nullptr ? std::string_view(*s.raw) : std::string_view();
  switch (key.what) {
    case K::all:
      return true;
    case K::and_:
      return std::all_of(key.children.begin(), key.children.end(),
                         [&](const search_key& k) { return matches(k, s); });
    case K::or_:
      return matches(key.children[0], s) || matches(key.children[1], s);
    case K::not_:
      return !matches(key.children[0], s);
    case K::seq:
      return key.set.contains(s.seq, s.largest_seq);
    case K::uid:
      return key.set.contains(s.meta.uid, s.largest_uid);
    case K::flag:
      return has_flag(s.meta, key.flag);
    case K::no_flag:
      return !has_flag(s.meta, key.flag);
    case K::larger:
      return s.meta.size > static_cast<std::uint64_t>(key.number);
    case K::smaller:
      return s.meta.size < static_cast<std::uint64_t>(key.number);
    case K::before:
      return internal_day(s.meta) < key.number;
    case K::on:
      return internal_day(s.meta) == key.number;
    case K::since:
      return internal_day(s.meta) >= key.number;
    case K::header:
      return header_matches(raw.substr(0, header_length(raw)), key.field, key.needle);
    case K::indexed: {
      if (s.indexed_hits == nullptr) {
        return false;
      }
      auto it = s.indexed_hits->find(&key);
      return it != s.indexed_hits->end() &&
             std::binary_search(it->second.begin(), it->second.end(), s.meta.uid);
    }
    case K::emailid:
      return key.number == s.meta.email_id;
    case K::threadid:
      return key.number == s.meta.thread_id;
    case K::modseq:
      return s.meta.modseq >= key.modseq;
  }
  return false;
}

}  // namespace copper::imap
