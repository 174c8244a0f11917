#include "imap/fetch_item.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>

#include "imap/selected.h"
#include "mime/imap.h"

namespace copper::imap {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// The header block ends at the first empty line (RFC 5322 2.1); a message
// without one is all header.
std::size_t header_end(std::string_view raw) {
  auto pos = raw.find("\r\n\r\n");
  if (pos != std::string_view::npos) {
    return pos + 4;
  }
  if (raw.substr(0, 2) == "\r\n") {
    return 2;
  }
  return raw.size();
}

// Header fields whose names are (or, with `invert`, are not) in `names`,
// followed by the blank line that ends a header (RFC 9051 6.4.5).
std::string filter_header(std::string_view header, const std::vector<std::string>& names,
                          bool invert) {
  std::string out;
  std::size_t pos = 0;
  while (pos < header.size()) {
    // One field: its first line and any continuation lines.
    std::size_t end = pos;
    do {
      auto eol = header.find("\r\n", end);
      end = eol == std::string_view::npos ? header.size() : eol + 2;
    } while (end < header.size() && (header[end] == ' ' || header[end] == '\t'));
    std::string_view field = header.substr(pos, end - pos);
    pos = end;
    if (field == "\r\n") {
      break;
    }
    auto colon = field.find(':');
    std::string name = upper(field.substr(0, colon));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
      name.pop_back();
    }
    bool listed = std::find(names.begin(), names.end(), name) != names.end();
    if (colon != std::string_view::npos && listed != invert) {
      out += field;
    }
  }
  out += "\r\n";
  return out;
}

result<body_section> parse_section(std::string_view item, bool peek) {
  // item is "BODY[...]<...>" or "BODY.PEEK[...]<...>".
  auto open = item.find('[');
  auto close = item.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return make_error("bad section");
  }
  body_section s;
  s.peek = peek;
  s.spec = std::string(item.substr(open + 1, close - open - 1));
  std::string_view after = item.substr(close + 1);
  if (!after.empty()) {
    // "<start.length>" (RFC 9051 6.4.5 partial).
    if (after.front() != '<' || after.back() != '>') {
      return make_error("bad partial");
    }
    std::string_view nums = after.substr(1, after.size() - 2);
    auto dot = nums.find('.');
    std::uint64_t start = 0;
    std::uint64_t length = 0;
    auto a = std::from_chars(
        nums.data(), nums.data() + (dot == std::string_view::npos ? nums.size() : dot), start);
    if (a.ec != std::errc() || dot == std::string_view::npos) {
      return make_error("bad partial");
    }
    auto b = std::from_chars(nums.data() + dot + 1, nums.data() + nums.size(), length);
    if (b.ec != std::errc() || b.ptr != nums.data() + nums.size() || length == 0) {
      return make_error("bad partial");
    }
    s.partial_start = start;
    s.partial_length = length;
  }
  std::string spec = upper(s.spec);
  // Leading part numbers: "1.2.HEADER" -> path {1, 2}, rest "HEADER".
  while (!spec.empty() && spec[0] >= '1' && spec[0] <= '9') {
    std::size_t dot = spec.find('.');
    std::string_view number = std::string_view(spec).substr(0, dot);
    std::uint32_t n = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    if (ec != std::errc() || ptr != number.data() + number.size() || s.path.size() >= 100) {
      return make_error("bad part number");
    }
    s.path.push_back(n);
    spec = dot == std::string::npos ? std::string() : spec.substr(dot + 1);
    if (dot != std::string::npos && spec.empty()) {
      return make_error("bad section");
    }
  }
  if (!s.path.empty() && spec == "MIME") {
    s.mime_header = true;
    spec.clear();
  }
  if (spec.empty()) {
    s.what = body_section::kind::full;
  } else if (spec == "HEADER") {
    s.what = body_section::kind::header;
  } else if (spec == "TEXT") {
    s.what = body_section::kind::text;
  } else if (spec.rfind("HEADER.FIELDS", 0) == 0) {
    bool inverted = spec.rfind("HEADER.FIELDS.NOT", 0) == 0;
    s.what = inverted ? body_section::kind::header_fields_not : body_section::kind::header_fields;
    auto lp = spec.find('(');
    auto rp = spec.rfind(')');
    if (lp == std::string::npos || rp == std::string::npos || rp < lp) {
      return make_error("bad header list");
    }
    std::string_view list = std::string_view(spec).substr(lp + 1, rp - lp - 1);
    while (!list.empty()) {
      auto sp = list.find(' ');
      std::string_view name = list.substr(0, sp);
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
      }
      if (!name.empty()) {
        s.fields.emplace_back(name);
      }
      list = sp == std::string_view::npos ? std::string_view() : list.substr(sp + 1);
    }
    if (s.fields.empty()) {
      return make_error("empty header list");
    }
  } else {
    return make_error("unsupported section " + s.spec);
  }
  return s;
}

// RFC 9051 6.4.5 part numbering: the parts of a multipart are numbered from
// 1; a non-multipart message or part has only part 1, its body; the parts of
// a message/rfc822 part are those of the message it encapsulates.
const mime::part* resolve_part(const mime::part& root, const std::vector<std::uint32_t>& path) {
  const mime::part* cur = &root;
  bool top = true;
  for (auto n : path) {
    const mime::part* container = cur;
    if (!top && cur->is_message() && !cur->children.empty()) {
      container = &cur->children.front();
    }
    top = false;
    if (container->is_multipart()) {
      if (n < 1 || n > container->children.size()) {
        return nullptr;
      }
      cur = &container->children[n - 1];
    } else if (n == 1) {
      cur = container;
    } else {
      return nullptr;
    }
  }
  return cur;
}

std::string_view section_bytes(const body_section& s, std::string_view raw,
                               const mime::message* parsed, std::string& scratch) {
  if (!s.path.empty()) {
    const mime::part* p = parsed != nullptr ? resolve_part(parsed->root, s.path) : nullptr;
    if (p == nullptr) {
      return {};  // a part that does not exist is empty (RFC 9051 6.4.5)
    }
    if (s.mime_header) {
      return p->header.of(raw);
    }
    if (s.what == body_section::kind::full) {
      return p->body.of(raw);
    }
    // HEADER, TEXT and HEADER.FIELDS of a part address its encapsulated message.
    if (!p->is_message() || p->children.empty()) {
      return {};
    }
    raw = raw.substr(p->children.front().header.begin,
                     p->children.front().body.end - p->children.front().header.begin);
  }
  std::size_t split = header_end(raw);
  switch (s.what) {
    case body_section::kind::full:
      return raw;
    case body_section::kind::header:
      return raw.substr(0, split);
    case body_section::kind::text:
      return raw.substr(split);
    case body_section::kind::header_fields:
    case body_section::kind::header_fields_not:
      scratch = filter_header(raw.substr(0, split), s.fields,
                              s.what == body_section::kind::header_fields_not);
      return scratch;
  }
  return {};
}

void append_literal(std::string& out, std::string_view bytes) {
  out += fmt::format("{{{}}}\r\n", bytes.size());
  out += bytes;
}

// A literal holds no NUL (RFC 9051 9: literal = ... *CHAR8, and 4.3.1: only
// BINARY may send one, in a literal8). A stored message can hold NULs (a
// literal8 APPEND, RFC 3516 4.4, or mail over SMTP), so BODY[] and RFC822*
// send each NUL as 0x80, as Dovecot does: one octet for one, so the count,
// RFC822.SIZE and partial offsets stay true and nothing else changes.
void append_text_literal(std::string& out, std::string_view bytes) {
  std::size_t start = out.size() + fmt::formatted_size("{{{}}}\r\n", bytes.size());
  append_literal(out, bytes);
  std::replace(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '\0', '\x80');
}

// BINARY[section-part] (RFC 3516 7): part numbers only, or nothing.
result<body_section> parse_binary_section(std::string_view item, body_section::binary_kind kind,
                                          bool peek) {
  auto s = parse_section(item, peek);
  if (!s) {
    return s;
  }
  if (s->what != body_section::kind::full || s->mime_header) {
    return make_error("BINARY takes part numbers only");
  }
  if (kind == body_section::binary_kind::size && s->partial_start) {
    return make_error("BINARY.SIZE takes no partial");
  }
  s->binary = kind;
  return s;
}

// Every line end, bare LF, bare CR or CRLF, as CRLF.
std::string crlf_line_ends(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r' || c == '\n') {
      out += "\r\n";
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
      }
    } else {
      out += c;
    }
  }
  return out;
}

// The part a BINARY section names: null for the whole message.
const mime::part* binary_part(const body_section& s, const mime::message* parsed) {
  if (s.path.empty() || parsed == nullptr) {
    return nullptr;
  }
  return resolve_part(parsed->root, s.path);
}

// RFC 3516 4.2: the section with its transfer encoding removed. A multipart
// or message part has no encoding of its own (RFC 2045 6.4) and comes as is,
// as does BINARY[], the whole message.
std::string binary_bytes(const body_section& s, std::string_view raw, const mime::message* parsed) {
  if (s.path.empty()) {
    return std::string(raw);
  }
  const mime::part* p = binary_part(s, parsed);
  if (p == nullptr) {
    return {};
  }
  if (p->is_multipart() || p->is_message()) {
    return std::string(p->body.of(raw));
  }
  std::string decoded = mime::decode_transfer(p->body.of(raw), p->encoding);
  // RFC 3516 6, RFC 9051 7.5.2: textual (text/*) sections go out with CRLF
  // line ends whatever the stored or decoded form; other types are octets.
  return p->is_text() ? crlf_line_ends(decoded) : decoded;
}

}  // namespace

bool fetch_request::needs_mime() const {
  return std::any_of(sections.begin(), sections.end(),
                     [](const body_section& s) { return !s.path.empty(); });
}

bool fetch_request::decodes_parts() const {
  return std::any_of(sections.begin(), sections.end(), [](const body_section& s) {
    return s.binary != body_section::binary_kind::none && !s.path.empty();
  });
}

bool has_unknown_cte(const fetch_request& req, const mime::message* parsed) {
  return std::any_of(req.sections.begin(), req.sections.end(), [&](const body_section& s) {
    const mime::part* p =
        s.binary != body_section::binary_kind::none ? binary_part(s, parsed) : nullptr;
    return p != nullptr && !p->is_multipart() && !p->is_message() &&
           p->encoding == mime::transfer_encoding::other;
  });
}

bool fetch_request::sets_seen() const {
  return rfc822 || rfc822_text ||
         std::any_of(sections.begin(), sections.end(),
                     [](const body_section& s) { return !s.peek; });
}

std::string imap_date_time(std::int64_t unix_seconds, std::int32_t zone_minutes) {
  std::time_t t = unix_seconds + std::int64_t{zone_minutes} * 60;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%d-%b-%Y %H:%M:%S", &tm);
  std::int32_t offset = zone_minutes < 0 ? -zone_minutes : zone_minutes;
  return fmt::format("{} {}{:02}{:02}", buf, zone_minutes < 0 ? '-' : '+', offset / 60,
                     offset % 60);
}

result<fetch_request> parse_fetch_items(const value& items) {
  fetch_request req;
  std::vector<const value*> list;
  if (items.is_list()) {
    for (const auto& v : items.items) {
      list.push_back(&v);
    }
  } else {
    list.push_back(&items);
  }
  for (const value* v : list) {
    if (!v->is_atom()) {
      return make_error("bad fetch item");
    }
    std::string name = upper(v->text);
    if (name == "ALL" || name == "FAST" || name == "FULL") {
      // RFC 9051 6.4.5 macros.
      req.flags = req.internal_date = req.size = true;
      req.envelope = name != "FAST";
      req.body = name == "FULL";
    } else if (name == "ENVELOPE") {
      req.envelope = true;
    } else if (name == "BODYSTRUCTURE") {
      req.bodystructure = true;
    } else if (name == "BODY") {
      req.body = true;
    } else if (name == "EMAILID") {
      req.emailid = true;
    } else if (name == "THREADID") {
      req.threadid = true;
    } else if (name == "UID") {
      req.uid = true;
    } else if (name == "FLAGS") {
      req.flags = true;
    } else if (name == "INTERNALDATE") {
      req.internal_date = true;
    } else if (name == "RFC822.SIZE") {
      req.size = true;
    } else if (name == "MODSEQ") {
      req.modseq = true;
    } else if (name == "RFC822") {
      req.rfc822 = true;
    } else if (name == "RFC822.HEADER") {
      req.rfc822_header = true;
    } else if (name == "RFC822.TEXT") {
      req.rfc822_text = true;
    } else if (name.rfind("BINARY[", 0) == 0 || name.rfind("BINARY.PEEK[", 0) == 0) {
      auto s = parse_binary_section(v->text, body_section::binary_kind::content,
                                    name.rfind("BINARY.PEEK[", 0) == 0);
      if (!s) {
        return s.err();
      }
      req.sections.push_back(std::move(s).value());
    } else if (name.rfind("BINARY.SIZE[", 0) == 0) {
      auto s = parse_binary_section(v->text, body_section::binary_kind::size, true);
      if (!s) {
        return s.err();
      }
      req.sections.push_back(std::move(s).value());
    } else if (name.rfind("BODY[", 0) == 0 || name.rfind("BODY.PEEK[", 0) == 0) {
      auto s = parse_section(v->text, name.rfind("BODY.PEEK[", 0) == 0);
      if (!s) {
        return s.err();
      }
      req.sections.push_back(std::move(s).value());
    } else {
      return make_error("unsupported fetch item " + v->text);
    }
  }
  return req;
}

std::string render_fetch(const fetch_request& req, const store::message_meta& meta,
                         const std::string* raw, const mime::message* parsed,
                         const store::message_structure* structure) {
  std::vector<std::string> parts;
  if (req.uid) {
    parts.push_back(fmt::format("UID {}", meta.uid));
  }
  if (req.flags) {
    parts.push_back("FLAGS " + format_flags(meta.flags));
  }
  if (req.internal_date) {
    parts.push_back(
        fmt::format("INTERNALDATE \"{}\"", imap_date_time(meta.internal_date, meta.internal_zone)));
  }
  if (req.size) {
    parts.push_back(fmt::format("RFC822.SIZE {}", meta.size));
  }
  if (req.modseq) {
    parts.push_back(fmt::format("MODSEQ ({})", meta.modseq));
  }
  std::string_view body = raw != nullptr ? std::string_view(*raw) : std::string_view();
  auto literal_item = [&](std::string label, std::string_view bytes) {
    std::string out = std::move(label) + " ";
    append_text_literal(out, bytes);
    parts.push_back(std::move(out));
  };
  // RFC 8474 5.3; the "M" and "T" prefixes keep EMAILIDs and THREADIDs
  // apart (5.2: never the same ObjectID for both).
  if (req.emailid) {
    parts.push_back(fmt::format("EMAILID (M{})", meta.email_id));
  }
  if (req.threadid) {
    parts.push_back(fmt::format("THREADID (T{})", meta.thread_id));
  }
  if (structure != nullptr) {
    if (req.envelope) {
      parts.push_back("ENVELOPE " + structure->envelope);
    }
    if (req.body) {
      parts.push_back("BODY " + structure->body);
    }
    if (req.bodystructure) {
      parts.push_back("BODYSTRUCTURE " + structure->bodystructure);
    }
  } else if (parsed != nullptr) {
    if (req.envelope) {
      parts.push_back("ENVELOPE " + mime::imap_envelope(body, *parsed));
    }
    if (req.body) {
      parts.push_back("BODY " + mime::imap_bodystructure(body, *parsed, false));
    }
    if (req.bodystructure) {
      parts.push_back("BODYSTRUCTURE " + mime::imap_bodystructure(body, *parsed, true));
    }
  }
  if (req.rfc822) {
    literal_item("RFC822", body);
  }
  if (req.rfc822_header) {
    literal_item("RFC822.HEADER", body.substr(0, header_end(body)));
  }
  if (req.rfc822_text) {
    literal_item("RFC822.TEXT", body.substr(header_end(body)));
  }
  for (const auto& s : req.sections) {
    if (s.binary != body_section::binary_kind::none) {
      std::string decoded = binary_bytes(s, body, parsed);
      std::string label = "BINARY[" + s.spec + "]";
      if (s.binary == body_section::binary_kind::size) {
        parts.push_back(fmt::format("BINARY.SIZE[{}] {}", s.spec, decoded.size()));
        continue;
      }
      std::string_view bytes = decoded;
      if (s.partial_start) {
        label += fmt::format("<{}>", *s.partial_start);  // offsets into the decoded data
        bytes = *s.partial_start >= bytes.size()
                    ? std::string_view()
                    : bytes.substr(static_cast<std::size_t>(*s.partial_start),
                                   static_cast<std::size_t>(s.partial_length));
      }
      // RFC 3516 4.3: literal8 only when the data holds a NUL.
      std::string out = label + (bytes.find('\0') == std::string_view::npos ? " " : " ~");
      append_literal(out, bytes);
      parts.push_back(std::move(out));
      continue;
    }
    std::string scratch;
    std::string_view bytes = section_bytes(s, body, parsed, scratch);
    std::string label = "BODY[" + s.spec + "]";
    if (s.partial_start) {
      // RFC 9051 6.4.5: the response names only the start of a partial.
      label += fmt::format("<{}>", *s.partial_start);
      bytes = *s.partial_start >= bytes.size()
                  ? std::string_view()
                  : bytes.substr(static_cast<std::size_t>(*s.partial_start),
                                 static_cast<std::size_t>(s.partial_length));
    }
    literal_item(std::move(label), bytes);
  }
  return fmt::format("{}", fmt::join(parts, " "));
}

}  // namespace copper::imap
