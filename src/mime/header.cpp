#include "mime/header.h"

#include <algorithm>

#include "core/text.h"
#include "mime/charset.h"
#include "mime/lex.h"

namespace copper::mime {

using lex::cursor;

std::optional<field> field_reader::next() {
  const std::size_t n = text_.size();
  while (pos_ < n) {
    const std::size_t start = pos_;
    const char first = text_[start];
    if (first == '\n' || (first == '\r' && start + 1 < n && text_[start + 1] == '\n')) {
      pos_ = n;  // the blank line that ends the header block
      return std::nullopt;
    }
    // The field runs over its continuation lines (RFC 5322 2.2.3).
    std::size_t line_end = text_.find('\n', start);
    std::size_t end = line_end == std::string_view::npos ? n : line_end + 1;
    while (end < n && lex::is_wsp(text_[end])) {
      std::size_t lf = text_.find('\n', end);
      end = lf == std::string_view::npos ? n : lf + 1;
    }
    pos_ = end;
    if (lex::is_wsp(first)) {
      continue;  // a continuation line with no field before it
    }
    std::string_view first_line =
        text_.substr(start, (line_end == std::string_view::npos ? n : line_end) - start);
    std::size_t colon = first_line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    std::string_view name = first_line.substr(0, colon);
    // RFC 5322 4.5 (obs-subject etc.): whitespace may precede the colon.
    while (!name.empty() && lex::is_wsp(name.back())) {
      name.remove_suffix(1);
    }
    if (name.empty()) {
      continue;
    }
    std::string_view value = text_.substr(start + colon + 1, end - start - colon - 1);
    if (!value.empty() && value.back() == '\n') {
      value.remove_suffix(1);
      if (!value.empty() && value.back() == '\r') {
        value.remove_suffix(1);
      }
    }
    return field{name, value};
  }
  return std::nullopt;
}

std::optional<std::string_view> find_header(std::string_view raw, span header,
                                            std::string_view name) {
  if (header.begin > raw.size() || header.end > raw.size() || header.begin > header.end) {
    return std::nullopt;
  }
  field_reader reader(header.of(raw));
  while (auto f = reader.next()) {
    if (iequals_ascii(f->name, name)) {
      return f->value;
    }
  }
  return std::nullopt;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  std::size_t i = 0;
  while (i < value.size() && lex::is_wsp(value[i])) {
    ++i;
  }
  for (; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\n' || (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n')) {
      continue;
    }
    out += c;
  }
  return out;
}

const param* find_param(const std::vector<param>& params, std::string_view name) {
  for (const param& p : params) {
    if (iequals_ascii(p.name, name)) {
      return &p;
    }
  }
  return nullptr;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

// RFC 2231 4: charset'language'%XX-encoded text, to UTF-8.
std::string decode_extended(std::string_view text) {
  std::string_view charset;
  std::size_t q1 = text.find('\'');
  std::size_t q2 = q1 == std::string_view::npos ? q1 : text.find('\'', q1 + 1);
  if (q2 != std::string_view::npos) {
    charset = text.substr(0, q1);
    text.remove_prefix(q2 + 1);
  }
  std::string bytes;
  bytes.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    int hi = 0;
    int lo = 0;
    if (text[i] == '%' && i + 2 < text.size() && (hi = hex_value(text[i + 1])) >= 0 &&
        (lo = hex_value(text[i + 2])) >= 0) {
      bytes += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      bytes += text[i];
    }
  }
  return to_utf8(bytes, charset);
}

struct raw_param {
  std::string_view name;
  std::string value;
};

struct section {
  std::string_view base;
  unsigned index = 0;
  bool extended = false;
  std::string value;
};

// Splits "name*3*" into base "name", index 3, extended; nullopt if the name
// is not an RFC 2231 one.
std::optional<section> split_section(std::string_view name) {
  std::size_t star = name.find('*');
  if (star == std::string_view::npos || star == 0) {
    return std::nullopt;
  }
  section s;
  s.base = name.substr(0, star);
  std::string_view rest = name.substr(star + 1);
  s.index = 0;
  if (rest.empty()) {
    s.extended = true;  // "name*": one extended section (RFC 2231 4)
    return s;
  }
  std::size_t i = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && i < 6) {
    s.index = s.index * 10 + static_cast<unsigned>(rest[i] - '0');
    ++i;
  }
  s.extended = i < rest.size() && rest[i] == '*';
  if (s.extended) {
    ++i;
  }
  if (i != rest.size() || (!s.extended && i == 0)) {
    return std::nullopt;
  }
  return s;
}

void escape_percent(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '%') {
      out += "%25";
    } else {
      out += c;
    }
  }
}

// RFC 2231 3 and 4: joins the sections of each parameter. Plain parameters
// keep their order and come first, then the joined ones sorted by name, as
// Dovecot reports them.
std::vector<param> join_sections(std::vector<raw_param>&& raws) {
  std::vector<param> out;
  std::vector<section> sections;
  for (raw_param& r : raws) {
    if (auto s = split_section(r.name)) {
      s->value = std::move(r.value);
      sections.push_back(std::move(*s));
    } else {
      out.push_back(param{std::string(r.name), std::move(r.value), {}, false});
    }
  }
  // Parameter names are case-insensitive (RFC 2045 5.1).
  auto name_less = [](std::string_view a, std::string_view b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      return ascii_lower(x) < ascii_lower(y);
    });
  };
  std::stable_sort(sections.begin(), sections.end(), [&](const section& a, const section& b) {
    if (name_less(a.base, b.base) || name_less(b.base, a.base)) {
      return name_less(a.base, b.base);
    }
    return a.index < b.index;
  });
  for (std::size_t i = 0; i < sections.size();) {
    std::size_t j = i;
    bool contiguous = true;
    bool any_extended = false;
    for (; j < sections.size() && iequals_ascii(sections[j].base, sections[i].base); ++j) {
      contiguous = contiguous && sections[j].index == j - i;
      any_extended = any_extended || sections[j].extended;
    }
    if (!contiguous) {
      for (std::size_t k = i; k < j; ++k) {
        const section& s = sections[k];
        std::string name(s.base);
        name += '*';
        name += std::to_string(s.index);
        if (s.extended) {
          name += '*';
        }
        out.push_back(param{std::move(name), s.value, {}, false});
      }
    } else if (!any_extended) {
      param p{std::string(sections[i].base), {}, {}, false};
      for (std::size_t k = i; k < j; ++k) {
        p.value += sections[k].value;
      }
      out.push_back(std::move(p));
    } else {
      // RFC 2231 4.1: unencoded sections mix with encoded ones; a value that
      // begins unencoded gets an empty charset and language.
      param p{std::string(sections[i].base), {}, {}, true};
      if (!sections[i].extended) {
        p.extended = "''";
      }
      for (std::size_t k = i; k < j; ++k) {
        if (sections[k].extended) {
          p.extended += sections[k].value;
        } else {
          escape_percent(p.extended, sections[k].value);
        }
      }
      p.value = decode_extended(p.extended);
      out.push_back(std::move(p));
    }
    i = j;
  }
  return out;
}

std::vector<param> parse_params_at(cursor& c, std::size_t max_params) {
  std::vector<raw_param> raws;
  while (true) {
    c.skip_cfws();
    if (c.done()) {
      break;
    }
    if (c.peek() != ';') {
      c.skip_past_semicolon();  // junk where a parameter should start
      continue;
    }
    c.advance();
    c.skip_cfws();
    std::string_view name = c.token();
    if (name.empty()) {
      continue;
    }
    c.skip_cfws();
    if (c.peek() != '=') {
      continue;
    }
    c.advance();
    c.skip_cfws();
    std::string value;
    if (c.peek() == '"') {
      value = c.quoted_string();
    } else if (c.peek() == '=') {
      // name==?utf-8?b?...?= : an unquoted encoded word, common in the wild
      // (Dovecot reads it the same way).
      while (!c.done() && c.peek() != ';' && !lex::is_space(c.peek())) {
        value += c.peek();
        c.advance();
      }
    } else {
      value = std::string(c.token());
    }
    if (raws.size() < max_params) {
      raws.push_back(raw_param{name, std::move(value)});
    }
  }
  return join_sections(std::move(raws));
}

}  // namespace

std::vector<param> parse_params(std::string_view text, std::size_t max_params) {
  cursor c(text);
  return parse_params_at(c, max_params);
}

std::optional<media_type> parse_content_type(std::string_view value, std::size_t max_params) {
  cursor c(value);
  c.skip_cfws();
  std::string_view type = c.token();
  c.skip_cfws();
  if (type.empty() || c.peek() != '/') {
    return std::nullopt;
  }
  c.advance();
  c.skip_cfws();
  std::string_view subtype = c.token();
  c.skip_cfws();
  if (subtype.empty() || (!c.done() && c.peek() != ';')) {
    return std::nullopt;
  }
  return media_type{std::string(type), std::string(subtype), parse_params_at(c, max_params)};
}

std::optional<disposition> parse_disposition(std::string_view value, std::size_t max_params) {
  cursor c(value);
  c.skip_cfws();
  if (c.done()) {
    return std::nullopt;
  }
  std::string type(c.token());
  return disposition{std::move(type), parse_params_at(c, max_params)};
}

std::string parse_transfer_encoding(std::string_view value) {
  cursor c(value);
  c.skip_cfws();
  std::string_view token = c.token();
  c.skip_cfws();
  if (!c.done()) {
    return {};
  }
  return std::string(token);
}

std::vector<std::string> parse_languages(std::string_view value, std::size_t max_tags) {
  std::vector<std::string> out;
  cursor c(value);
  while (true) {
    c.skip_cfws();
    if (c.done()) {
      break;
    }
    std::string_view tag = c.token();
    if (tag.empty()) {
      c.advance();  // ',' or junk
      continue;
    }
    if (out.size() < max_tags) {
      out.emplace_back(tag);
    }
  }
  return out;
}

namespace {
constexpr std::size_t max_id_length = 250;
}  // namespace

std::vector<std::string> parse_msg_ids(std::string_view value, std::size_t max_ids) {
  std::vector<std::string> ids;
  std::size_t pos = 0;
  while (ids.size() < max_ids) {
    auto open = value.find('<', pos);
    if (open == std::string_view::npos) {
      break;
    }
    auto close = value.find('>', open + 1);
    if (close == std::string_view::npos) {
      break;
    }
    // RFC 5256 3: <"a b"@c> and <a b@c> are the same id: drop quoting,
    // escapes and whitespace.
    std::string id;
    for (char c : value.substr(open + 1, close - open - 1)) {
      if (c != '"' && c != '\\' && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        id.push_back(c);
      }
    }
    auto at = id.find('@');
    if (at != std::string::npos && at > 0 && at + 1 < id.size() && id.size() <= max_id_length &&
        id.find('<') == std::string::npos) {
      ids.push_back(std::move(id));
    }
    pos = close + 1;
  }
  return ids;
}

}  // namespace copper::mime
