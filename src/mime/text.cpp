#include "mime/text.h"

#include "core/text.h"
#include "mime/charset.h"
#include "mime/decode.h"
#include "mime/lex.h"

namespace copper::mime {

namespace {

// Starts with `prefix`, ignoring ASCII case.
bool starts_with_ci(std::string_view s, std::size_t at, std::string_view prefix) {
  return istarts_with_ascii(s.substr(at), prefix);
}

// Decodes the character reference at html[i] ('&'); returns the index after it.
std::size_t append_reference(std::string& out, std::string_view html, std::size_t i) {
  // References are short: look no further, so that "&&&&..." stays linear.
  std::size_t semi = html.substr(0, i + 12).find(';', i);
  if (semi == std::string_view::npos) {
    out += '&';
    return i + 1;
  }
  std::string_view name = html.substr(i + 1, semi - i - 1);
  if (!name.empty() && name[0] == '#') {
    unsigned long cp = 0;
    bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    std::string_view digits = name.substr(hex ? 2 : 1);
    bool ok = !digits.empty();
    for (char c : digits) {
      int v = (c >= '0' && c <= '9')          ? c - '0'
              : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                              : -1;
      if (v < 0) {
        ok = false;
        break;
      }
      cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(v);
    }
    if (ok) {
      append_code_point(out, cp);
      return semi + 1;
    }
  }
  struct entity {
    std::string_view name;
    std::string_view text;
  };
  static constexpr entity entities[] = {
      {"amp", "&"},         {"lt", "<"},         {"gt", ">"},
      {"quot", "\""},       {"apos", "'"},       {"nbsp", " "},
      {"copy", "\xC2\xA9"}, {"reg", "\xC2\xAE"}, {"euro", "\xE2\x82\xAC"},
  };
  for (const entity& e : entities) {
    if (name == e.name) {
      out += e.text;
      return semi + 1;
    }
  }
  out += '&';
  return i + 1;
}

void append_header_text(std::string& out, std::string_view raw, span header, std::size_t max) {
  field_reader reader(header.of(raw));
  while (out.size() < max) {
    auto f = reader.next();
    if (!f) {
      break;
    }
    append_valid_utf8(out, f->name);
    out += ": ";
    out += decode_header_value(f->value);
    out += '\n';
  }
}

class collector {
 public:
  collector(std::string_view raw, std::size_t max) : raw_(raw), max_(max) {}

  void walk(const part& p) {
    if (full()) {
      return;
    }
    if (p.is_multipart()) {
      for (const part& c : p.children) {
        walk(c);
      }
    } else if (p.is_message() && !p.children.empty()) {
      append_header_text(out_, raw_, p.children.front().header, max_);
      walk(p.children.front());
    } else if (p.is_text()) {
      // Decode only as much as can still be kept: a quoted-printable or
      // base64 body shrinks when decoded, and a charset at most triples.
      std::size_t budget = (max_ - out_.size()) * 4 + 16;
      std::string_view body = p.body.of(raw_).substr(0, budget);
      std::string text = to_utf8(decode_transfer(body, p.encoding), p.charset());
      if (p.subtype == "html") {
        text = html_to_text(text);
      }
      if (!text.empty()) {
        out_ += text;
        out_ += '\n';
      }
    }
  }

  std::string take() {
    if (out_.size() > max_) {
      // Cut at a character boundary: never leave half a UTF-8 sequence.
      std::size_t cut = max_;
      while (cut > 0 && (static_cast<unsigned char>(out_[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      out_.resize(cut);
    }
    return std::move(out_);
  }

  std::string& out() { return out_; }
  bool full() const { return out_.size() >= max_; }

 private:
  std::string_view raw_;
  std::size_t max_;
  std::string out_;
};

}  // namespace

std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    char c = html[i];
    if (c == '&') {
      i = append_reference(out, html, i);
      continue;
    }
    if (c != '<') {
      out += c;
      ++i;
      continue;
    }
    if (starts_with_ci(html, i, "<!--")) {
      std::size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    // The content of script and style elements is not text.
    for (std::string_view element : {std::string_view("script"), std::string_view("style")}) {
      if (starts_with_ci(html, i + 1, element)) {
        std::size_t k = i + 1 + element.size();
        while (k < html.size()) {
          std::size_t lt = html.find("</", k);
          if (lt == std::string_view::npos) {
            k = html.size();
            break;
          }
          if (starts_with_ci(html, lt + 2, element)) {
            k = lt;
            break;
          }
          k = lt + 2;
        }
        i = k;
        break;
      }
    }
    std::size_t gt = html.find('>', i);
    i = gt == std::string_view::npos ? html.size() : gt + 1;
    out += ' ';  // a tag separates words
  }
  return out;
}

std::string decoded_text(std::string_view raw, const message& m, std::size_t max_size) {
  collector c(raw, max_size);
  append_header_text(c.out(), raw, m.root.header, max_size);
  c.walk(m.root);
  return c.take();
}

std::string decoded_body_text(std::string_view raw, const message& m, std::size_t max_size) {
  collector c(raw, max_size);
  c.walk(m.root);
  return c.take();
}

}  // namespace copper::mime
