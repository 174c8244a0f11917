#include "imap/order/facts.h"

#include <array>
#include <cctype>
#include <ctime>

#include "mime/address.h"
#include "mime/decode.h"
#include "mime/header.h"

namespace copper::imap {
namespace {

// A References field can be long; the root and the nearest ancestors matter.
constexpr std::size_t max_references = 500;

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool starts_with_ci(std::string_view s, std::size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (upper(s[pos + i]) != upper(prefix[i])) {
      return false;
    }
  }
  return true;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; its length at `pos`, or 0.
std::size_t blob_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || s[pos] != '[') {
    return 0;
  }
  std::size_t i = pos + 1;
  while (i < s.size() && s[i] != '[' && s[i] != ']') {
    ++i;
  }
  if (i >= s.size() || s[i] != ']') {
    return 0;
  }
  ++i;
  while (i < s.size() && is_wsp(s[i])) {
    ++i;
  }
  return i - pos;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; its length at `pos`, or 0.
std::size_t refwd_at(std::string_view s, std::size_t pos) {
  for (std::string_view word : {"re", "fwd", "fw"}) {
    if (!starts_with_ci(s, pos, word)) {
      continue;
    }
    std::size_t i = pos + word.size();
    while (i < s.size() && is_wsp(s[i])) {
      ++i;
    }
    i += blob_at(s, i);
    if (i < s.size() && s[i] == ':') {
      return i + 1 - pos;
    }
  }
  return 0;
}

// subj-leader = (*subj-blob subj-refwd) / WSP; its length at the start, or 0.
std::size_t leader_length(std::string_view s) {
  if (!s.empty() && is_wsp(s[0])) {
    return 1;
  }
  std::size_t i = 0;
  while (std::size_t b = blob_at(s, i)) {
    i += b;
  }
  std::size_t r = refwd_at(s, i);
  return r == 0 ? 0 : i + r;
}

// Step (1): tabs and line breaks to spaces, runs of spaces to one.
std::string collapse_whitespace(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    if (c == '\t' || c == '\r' || c == '\n') {
      c = ' ';
    }
    if (c == ' ' && !out.empty() && out.back() == ' ') {
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string unfold_trim(std::string_view raw) {
  std::string v = mime::unfold(raw);
  while (!v.empty() && (is_wsp(v.back()) || v.back() == '\r' || v.back() == '\n')) {
    v.pop_back();
  }
  return v;
}

// [IMAP] addr-mailbox of the first address: the local part, or the group
// name for a group (which ENVELOPE also reports in the mailbox field).
std::string first_mailbox(std::string_view value) {
  auto list = mime::parse_address_list(value, 4);
  if (list.empty()) {
    return {};
  }
  const auto& a = list.front();
  return a.what == mime::address::kind::group_start ? a.name : a.mailbox;
}

// RFC 5322 3.3 zone names and the military zones of 4.3 (those are unreliable:
// 4.3 says to treat them as -0000, i.e. UTC).
std::optional<int> zone_offset(std::string_view z) {
  if (z.size() == 5 && (z[0] == '+' || z[0] == '-')) {
    int v = 0;
    for (std::size_t i = 1; i < 5; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(z[i]))) {
        return std::nullopt;
      }
      v = v * 10 + (z[i] - '0');
    }
    int seconds = (v / 100) * 3600 + (v % 100) * 60;
    return z[0] == '+' ? seconds : -seconds;
  }
  struct named {
    std::string_view name;
    int hours;
  };
  static constexpr std::array<named, 10> names = {{{"UT", 0},
                                                   {"GMT", 0},
                                                   {"EST", -5},
                                                   {"EDT", -4},
                                                   {"CST", -6},
                                                   {"CDT", -5},
                                                   {"MST", -7},
                                                   {"MDT", -6},
                                                   {"PST", -8},
                                                   {"PDT", -7}}};
  for (const auto& n : names) {
    if (z.size() == n.name.size() && starts_with_ci(z, 0, n.name)) {
      return n.hours * 3600;
    }
  }
  return std::nullopt;
}

std::optional<int> number(std::string_view t) {
  if (t.empty() || t.size() > 9) {
    return std::nullopt;
  }
  int v = 0;
  for (char c : t) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return std::nullopt;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<int> month_of(std::string_view t) {
  static constexpr std::array<std::string_view, 12> months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (t.size() >= 3 && starts_with_ci(t, 0, months[i])) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

}  // namespace

int casemap_compare(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(upper(a[i]));
    auto y = static_cast<unsigned char>(upper(b[i]));
    if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

base_subject_result base_subject(std::string_view decoded_subject) {
  base_subject_result r;
  std::string s = collapse_whitespace(decoded_subject);
  for (;;) {
    // (2) subj-trailer = "(fwd)" / WSP, repeatedly.
    for (;;) {
      if (!s.empty() && is_wsp(s.back())) {
        s.pop_back();
      } else if (s.size() >= 5 && starts_with_ci(s, s.size() - 5, "(fwd)")) {
        s.resize(s.size() - 5);
        r.reply_or_forward = true;
      } else {
        break;
      }
    }
    // (3), (4), (5): leaders, then a blob that does not leave the base empty.
    for (;;) {
      if (std::size_t n = leader_length(s)) {
        r.reply_or_forward = r.reply_or_forward || !is_wsp(s[0]);
        s.erase(0, n);
        continue;
      }
      std::size_t b = blob_at(s, 0);
      if (b > 0 && b < s.size()) {
        s.erase(0, b);
        continue;
      }
      break;
    }
    // (6) "[fwd:" subject "]": unwrap and start over from (2).
    if (s.size() >= 6 && starts_with_ci(s, 0, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      r.reply_or_forward = true;
      continue;
    }
    break;
  }
  r.text = std::move(s);
  return r;
}

std::optional<std::int64_t> parse_sent_date(std::string_view value) {
  // Tokens without comments; ',' separates like a space.
  std::vector<std::string> tokens;
  std::string cur;
  int depth = 0;
  for (char c : value) {
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',')) {
      if (!cur.empty()) {
        tokens.push_back(std::move(cur));
        cur.clear();
      }
    } else if (depth == 0) {
      cur.push_back(c);
    }
    if (tokens.size() > 16) {
      return std::nullopt;
    }
  }
  if (!cur.empty()) {
    tokens.push_back(std::move(cur));
  }
  std::size_t i = 0;
  if (i < tokens.size() && !number(tokens[i]) && !month_of(tokens[i])) {
    ++i;  // day-of-week
  }
  if (tokens.size() < i + 3) {
    return std::nullopt;
  }
  auto day = number(tokens[i]);
  auto month = month_of(tokens[i + 1]);
  auto year = number(tokens[i + 2]);
  if (!day || !month || !year || *day < 1 || *day > 31) {
    return std::nullopt;
  }
  int y = *year;
  if (tokens[i + 2].size() <= 2) {
    y += y < 50 ? 2000 : 1900;  // RFC 5322 4.3 obs-year
  } else if (tokens[i + 2].size() == 3) {
    y += 1900;
  }
  if (y > 9999) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_mday = *day;
  tm.tm_mon = *month;
  tm.tm_year = y - 1900;
  int offset = 0;
  if (tokens.size() > i + 3) {
    // hh:mm[:ss]; RFC 5256 2.2: an invalid time is 00:00:00.
    std::string_view t = tokens[i + 3];
    int parts[3] = {0, 0, 0};
    int n = 0;
    bool valid = true;
    while (n < 3) {
      auto colon = t.find(':');
      auto v = number(t.substr(0, colon));
      if (!v) {
        valid = false;
        break;
      }
      parts[n++] = *v;
      if (colon == std::string_view::npos) {
        break;
      }
      t.remove_prefix(colon + 1);
    }
    if (valid && n >= 2 && parts[0] < 24 && parts[1] < 60 && parts[2] < 61) {
      tm.tm_hour = parts[0];
      tm.tm_min = parts[1];
      tm.tm_sec = parts[2];
      if (tokens.size() > i + 4) {
        offset = zone_offset(tokens[i + 4]).value_or(0);  // unknown zone: UTC
      }
    }
  }
  return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

message_facts facts_from_header(std::string_view header, std::uint32_t number,
                                std::int64_t internal_date, std::uint64_t size) {
  message_facts f;
  f.number = number;
  f.internal_date = internal_date;
  f.size = size;
  f.sent_date = internal_date;
  std::optional<std::string_view> subject, date, from, to, cc, message_id, references, in_reply_to;
  mime::field_reader reader(header);
  while (auto field = reader.next()) {
    auto take = [&](std::optional<std::string_view>& slot, std::string_view name) {
      if (!slot && field->name.size() == name.size() && starts_with_ci(field->name, 0, name)) {
        slot = field->value;
      }
    };
    take(subject, "Subject");
    take(date, "Date");
    take(from, "From");
    take(to, "To");
    take(cc, "Cc");
    take(message_id, "Message-ID");
    take(references, "References");
    take(in_reply_to, "In-Reply-To");
  }
  if (subject) {
    auto b = base_subject(mime::decode_header_value(*subject));
    f.base_subject = std::move(b.text);
    f.reply_or_forward = b.reply_or_forward;
  }
  if (date) {
    if (auto d = parse_sent_date(unfold_trim(*date))) {
      f.sent_date = *d;
    }
  }
  f.from = from ? first_mailbox(*from) : std::string();
  f.to = to ? first_mailbox(*to) : std::string();
  f.cc = cc ? first_mailbox(*cc) : std::string();
  if (message_id) {
    auto ids = mime::parse_msg_ids(*message_id, 1);
    if (!ids.empty()) {
      f.message_id = std::move(ids.front());
    }
  }
  // RFC 5256 3, REFERENCES: References, else the first id of In-Reply-To.
  if (references) {
    f.references = mime::parse_msg_ids(*references, references->size());
    if (f.references.size() > max_references) {
      // Keep the root and the nearest ancestors: the middle matters least.
      f.references.erase(f.references.begin() + 1,
                         f.references.end() - static_cast<std::ptrdiff_t>(max_references - 1));
    }
  }
  if (f.references.empty() && in_reply_to) {
    f.references = mime::parse_msg_ids(*in_reply_to, 1);
  }
  return f;
}

}  // namespace copper::imap
