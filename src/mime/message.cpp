#include "mime/message.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "core/text.h"
#include "mime/lex.h"

namespace copper::mime {

std::string_view part::charset() const {
  if (const param* p = find_param(type_params, "charset"); p != nullptr && !p->is_extended) {
    return p->value;
  }
  return is_text() ? "us-ascii" : "";
}

namespace {

// A position at a line start with the line-end counts up to it.
struct mark {
  std::size_t pos = 0;
  std::size_t lf = 0;
  std::size_t bare = 0;
};

// A boundary delimiter line: whose boundary, and whether it closes.
struct delimiter {
  std::size_t level = 0;  // index into parser::boundaries_
  bool close = false;     // "--boundary--"
};

// Why an entity ended: a boundary line of some enclosing multipart, or the
// end of the input.
struct stop {
  bool found = false;
  std::size_t level = 0;  // index into parser::boundaries_
  bool close = false;     // "--boundary--"
  mark end;               // where the enclosed content ends
};

// The header fields the parser reads (RFC 2045 3: all start with "Content-").
enum class content_field {
  type,
  encoding,
  id,
  description,
  disposition,
  language,
  location,
  md5,
  none
};
constexpr std::size_t content_field_count = static_cast<std::size_t>(content_field::none);

content_field classify(std::string_view name) {
  if (name.size() < 10 || ascii_lower(name[0]) != 'c' ||
      !iequals_ascii(name.substr(0, 8), "content-")) {
    return content_field::none;
  }
  std::string_view rest = name.substr(8);
  struct entry {
    std::string_view name;
    content_field field;
  };
  static constexpr entry table[] = {
      {"type", content_field::type},
      {"transfer-encoding", content_field::encoding},
      {"id", content_field::id},
      {"description", content_field::description},
      {"disposition", content_field::disposition},
      {"language", content_field::language},
      {"location", content_field::location},
      {"md5", content_field::md5},
  };
  for (const entry& e : table) {
    if (iequals_ascii(rest, e.name)) {
      return e.field;
    }
  }
  return content_field::none;
}

// The raw values of one header's Content-* fields; the first of each counts.
struct content_fields {
  std::array<std::optional<std::string_view>, content_field_count> values;

  void set(content_field f, std::string_view v) {
    auto& slot = values[static_cast<std::size_t>(f)];
    if (!slot) {
      slot = v;
    }
  }
  const std::optional<std::string_view>& operator[](content_field f) const {
    return values[static_cast<std::size_t>(f)];
  }
};

class parser {
 public:
  parser(std::string_view raw, const limits& lim) : raw_(raw), lim_(lim) {}

  message run() {
    message m;
    (void)parse_entity(m.root, 0, false);
    m.part_count = parts_;
    m.limit_reached = limit_reached_;
    return m;
  }

 private:
  mark here() const { return {pos_, lf_, bare_}; }

  // Moves past the current line and its LF, counting it.
  void next_line() {
    const std::size_t n = raw_.size();
    const void* p = std::memchr(raw_.data() + pos_, '\n', n - pos_);
    if (p == nullptr) {
      pos_ = n;
      return;
    }
    std::size_t lf = static_cast<const char*>(p) - raw_.data();
    ++lf_;
    if (lf == 0 || raw_[lf - 1] != '\r') {
      ++bare_;
    }
    pos_ = lf + 1;
  }

  // Is the line at pos_ a boundary delimiter line (RFC 2046 5.1.1)? As the
  // RFC's note to implementors says, the boundary need only be a prefix of
  // the line. Of several matching boundaries the longest wins, innermost
  // first, and an exact match (ignoring a final "--") ends the search: that is
  // how nested boundaries that prefix each other are told apart, and what
  // Dovecot does.
  std::optional<delimiter> boundary_at() const {
    if (overflow_ || boundaries_.empty()) {
      return std::nullopt;
    }
    const std::size_t n = raw_.size();
    if (n - pos_ < 2 || raw_[pos_] != '-' || raw_[pos_ + 1] != '-') {
      return std::nullopt;
    }
    const char* data = raw_.data() + pos_ + 2;
    const std::size_t size = n - pos_ - 2;
    const std::size_t max_line = lim_.max_boundary + 4;
    const void* lf = std::memchr(data, '\n', std::min(size, max_line + 1));
    std::size_t find_size = size;
    bool trailing_dashes = false;
    if (lf != nullptr) {
      find_size = static_cast<const char*>(lf) - data;
      if (find_size > 0 && data[find_size - 1] == '\r') {
        --find_size;
      }
      trailing_dashes = find_size > 2 && data[find_size - 1] == '-' && data[find_size - 2] == '-';
    } else if (find_size > max_line) {
      find_size = max_line;
    }
    std::size_t best = boundaries_.size();
    for (std::size_t i = boundaries_.size(); i-- > 0;) {
      std::string_view b = boundaries_[i];
      if (b.size() <= find_size && std::memcmp(b.data(), data, b.size()) == 0 &&
          (best == boundaries_.size() || boundaries_[best].size() < b.size())) {
        best = i;
        if (b.size() == find_size || (trailing_dashes && b.size() == find_size - 2)) {
          break;
        }
      }
    }
    if (best == boundaries_.size()) {
      return std::nullopt;
    }
    std::size_t len = boundaries_[best].size();
    return delimiter{best, size >= len + 2 && data[len] == '-' && data[len + 1] == '-'};
  }

  // The content end for a boundary line at pos_: the line break before the
  // line belongs to the boundary (RFC 2046 5.1.1), unless the content is empty.
  mark content_end(const mark& region) const {
    mark m = here();
    if (pos_ == region.pos) {
      return m;
    }
    bool crlf = pos_ >= 2 && raw_[pos_ - 2] == '\r';
    m.pos = pos_ - (crlf ? 2 : 1);
    m.lf -= 1;
    if (!crlf) {
      m.bare -= 1;
    }
    return m;
  }

  // Scans lines from pos_ to the next boundary line of any enclosing
  // multipart, which it consumes, or to the end of the input.
  stop scan(const mark& region) {
    const std::size_t n = raw_.size();
    if (overflow_ || boundaries_.empty()) {
      while (pos_ < n) {
        next_line();
      }
      return stop{false, 0, false, here()};
    }
    while (pos_ < n) {
      if (auto d = boundary_at()) {
        stop s{true, d->level, d->close, content_end(region)};
        next_line();  // the rest of the boundary line is transport padding
        return s;
      }
      next_line();
    }
    return stop{false, 0, false, here()};
  }

  void pop_to(std::size_t level) {
    if (boundaries_.size() > level) {
      boundaries_.resize(level);
    }
  }

  stop parse_entity(part& p, std::size_t depth, bool in_digest) {
    const std::size_t n = raw_.size();
    const mark header_begin = here();
    p.header.begin = pos_;
    content_fields fields;
    stop cut;  // a boundary line inside the header ends the whole entity
    bool header_cut = false;
    while (pos_ < n) {
      if (auto d = boundary_at()) {
        cut = stop{true, d->level, d->close, content_end(header_begin)};
        next_line();
        header_cut = true;
        break;
      }
      const char first = raw_[pos_];
      if (first == '\n' || (first == '\r' && pos_ + 1 < n && raw_[pos_ + 1] == '\n')) {
        next_line();  // the blank line ends the header (RFC 5322 2.1)
        break;
      }
      const std::size_t start = pos_;
      next_line();
      while (pos_ < n && lex::is_wsp(raw_[pos_])) {
        next_line();  // continuation lines (RFC 5322 2.2.3) never start with "--"
      }
      if (ascii_lower(first) == 'c') {
        note_field(fields, raw_.substr(start, pos_ - start));
      }
    }
    apply(p, fields, in_digest);

    if (header_cut) {
      p.header.end = cut.end.pos;
      p.body = {cut.end.pos, cut.end.pos};
      if (p.is_message()) {
        make_child(p, depth);  // an empty message stands in for the one the boundary cut off
        if (!p.children.empty()) {
          part& c = p.children.front();
          c.header = c.body = p.body;
        }
      }
      return cut;
    }
    p.header.end = pos_;
    p.body.begin = pos_;
    const mark body_begin = here();

    stop s;
    const param* boundary = p.is_multipart() ? find_param(p.type_params, "boundary") : nullptr;
    if (boundary != nullptr && (boundary->is_extended || boundary->value.empty())) {
      boundary = nullptr;
    }
    if (p.is_multipart() && depth >= lim_.max_depth) {
      p.truncated = true;
      limit_reached_ = true;
      s = scan(body_begin);
    } else if (p.is_multipart() && boundary != nullptr) {
      s = parse_multipart(p, depth, std::string_view(boundary->value).substr(0, lim_.max_boundary),
                          body_begin);
    } else if (p.is_message()) {
      if (make_child(p, depth)) {
        s = parse_entity(p.children.front(), depth + 1, false);
      } else {
        s = scan(body_begin);
      }
    } else {
      // A leaf, or a multipart without a usable boundary: RFC 2046 5.1.1
      // requires one, so no body part can be found and the content stays in
      // the body (Dovecot reports such a multipart the same way).
      s = scan(body_begin);
    }
    p.body.end = s.end.pos;
    p.body_lines = s.end.lf - body_begin.lf;
    p.body_bare_lf = s.end.bare - body_begin.bare;
    return s;
  }

  // Adds the child part of a message/rfc822 part, within the limits.
  bool make_child(part& p, std::size_t depth) {
    if (depth >= lim_.max_depth || parts_ >= lim_.max_parts) {
      p.truncated = true;
      limit_reached_ = true;
      return false;
    }
    if (++parts_ >= lim_.max_parts) {
      overflow_ = true;  // the last part allowed runs to the end of the message
      limit_reached_ = true;
    }
    p.children.emplace_back();
    return true;
  }

  stop parse_multipart(part& p, std::size_t depth, std::string_view boundary,
                       const mark& body_begin) {
    const std::size_t level = boundaries_.size();
    boundaries_.push_back(boundary);
    const bool digest = p.subtype == "digest";
    stop s = scan(body_begin);  // the preamble
    while (true) {
      if (!s.found || s.level < level) {
        pop_to(level);  // the input ended, or an enclosing boundary ends this multipart too
        return s;
      }
      if (s.close) {
        pop_to(level);
        return scan(here());  // the epilogue runs to an enclosing boundary or the end
      }
      if (parts_ >= lim_.max_parts) {
        // No more parts: stop looking for boundaries, and the rest of the
        // message belongs to this multipart.
        overflow_ = true;
        limit_reached_ = true;
        return scan(here());
      }
      ++parts_;
      if (parts_ >= lim_.max_parts) {
        // The last part allowed: it runs to the end of the message, since no
        // boundary may start another one (Dovecot does the same).
        overflow_ = true;
        limit_reached_ = true;
      }
      part& child = p.children.emplace_back();
      s = parse_entity(child, depth + 1, digest);
    }
  }

  void note_field(content_fields& fields, std::string_view text) {
    std::size_t colon = text.find(':');
    std::size_t eol = text.find('\n');
    if (colon == std::string_view::npos || (eol != std::string_view::npos && colon > eol)) {
      return;
    }
    std::string_view name = text.substr(0, colon);
    while (!name.empty() && lex::is_wsp(name.back())) {
      name.remove_suffix(1);
    }
    content_field f = classify(name);
    if (f == content_field::none) {
      return;
    }
    std::string_view value = text.substr(colon + 1);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
      value.remove_suffix(1);
    }
    fields.set(f, value.substr(0, lim_.max_field_size));
  }

  void apply(part& p, const content_fields& fields, bool in_digest) {
    std::optional<media_type> mt;
    if (const auto& v = fields[content_field::type]) {
      mt = parse_content_type(*v, lim_.max_params);
    }
    if (mt) {
      p.written_type = std::move(mt->type);
      p.written_subtype = std::move(mt->subtype);
      p.type_params = std::move(mt->params);
    } else if (in_digest) {
      // RFC 2046 5.1.5: in a digest the default is message/rfc822.
      p.written_type = "message";
      p.written_subtype = "rfc822";
    }
    p.type = to_lower_ascii(p.written_type);
    p.subtype = to_lower_ascii(p.written_subtype);

    if (const auto& v = fields[content_field::encoding]) {
      std::string mechanism = parse_transfer_encoding(*v);
      if (!mechanism.empty()) {
        p.transfer_encoding_name = std::move(mechanism);
      }
    }
    p.encoding = encoding_of(p.transfer_encoding_name);
    if (const auto& v = fields[content_field::id]) {
      p.id = unfold(*v);
    }
    if (const auto& v = fields[content_field::description]) {
      p.description = unfold(*v);
    }
    if (const auto& v = fields[content_field::md5]) {
      p.md5 = unfold(*v);
    }
    if (const auto& v = fields[content_field::location]) {
      p.location = unfold(*v);
    }
    if (const auto& v = fields[content_field::language]) {
      p.languages = parse_languages(*v, lim_.max_languages);
    }
    if (const auto& v = fields[content_field::disposition]) {
      if (auto d = parse_disposition(*v, lim_.max_params)) {
        p.has_disposition = true;
        p.disposition = std::move(d->type);
        p.disposition_params = std::move(d->params);
      }
    }
  }

  std::string_view raw_;
  const limits& lim_;
  std::vector<std::string_view> boundaries_;  // of the enclosing multiparts, innermost last
  std::size_t pos_ = 0;
  std::size_t lf_ = 0;
  std::size_t bare_ = 0;
  std::size_t parts_ = 1;
  bool overflow_ = false;
  bool limit_reached_ = false;
};

}  // namespace

message parse(std::string_view raw, const limits& lim) { return parser(raw, lim).run(); }

span header_at(std::string_view raw, std::size_t begin, span within) {
  std::size_t end = within.end < raw.size() ? within.end : raw.size();
  std::size_t pos = begin < end ? begin : end;
  while (pos < end) {
    if (raw[pos] == '\n') {
      return {begin, pos + 1};
    }
    if (raw[pos] == '\r' && pos + 1 < end && raw[pos + 1] == '\n') {
      return {begin, pos + 2};
    }
    const void* lf = std::memchr(raw.data() + pos, '\n', end - pos);
    pos = lf == nullptr ? end : static_cast<const char*>(lf) - raw.data() + 1;
  }
  return {begin < end ? begin : end, end};
}

}  // namespace copper::mime
