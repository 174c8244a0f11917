#include "mime/charset.h"

#include <iconv.h>

#include <cerrno>
#include <string>

#include "core/text.h"
#include "mime/lex.h"

namespace copper::mime {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// Owns an iconv conversion descriptor (STYLE.md: an RAII wrapper per C handle).
class iconv_handle {
 public:
  explicit iconv_handle(const std::string& from) : h_(iconv_open("UTF-8", from.c_str())) {}
  ~iconv_handle() {
    if (ok()) {
      iconv_close(h_);
    }
  }
  iconv_handle(const iconv_handle&) = delete;
  iconv_handle& operator=(const iconv_handle&) = delete;

  // iconv_open reports failure as (iconv_t)-1.
  bool ok() const {
    return h_ != reinterpret_cast<iconv_t>(-1);  // NOLINT(performance-no-int-to-ptr)
  }
  iconv_t get() const { return h_; }

 private:
  iconv_t h_;
};

// Length of the valid UTF-8 sequence at s[i], or 0 (RFC 3629 4: no overlong
// forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    return 1;
  }
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + len > s.size()) {
    return 0;
  }
  if (b(i + 1) < lo || b(i + 1) > hi) {
    return 0;
  }
  for (std::size_t k = 2; k < len; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) {
      return 0;
    }
  }
  return len;
}

// Lower case, quotes and an RFC 2231 5 "*language" suffix removed, and the
// labels that senders use for a superset mapped to that superset.
std::string normalize_charset(std::string_view charset) {
  while (!charset.empty() && (lex::is_space(charset.front()) || charset.front() == '"')) {
    charset.remove_prefix(1);
  }
  while (!charset.empty() && (lex::is_space(charset.back()) || charset.back() == '"')) {
    charset.remove_suffix(1);
  }
  if (auto star = charset.find('*'); star != std::string_view::npos) {
    charset = charset.substr(0, star);
  }
  std::string name = to_lower_ascii(charset);
  struct alias {
    std::string_view from;
    std::string_view to;
  };
  // Mail labelled ISO-8859-1 is in practice Windows-1252 (the WHATWG Encoding
  // Standard maps it so); GB2312 and GBK mail uses GB18030's repertoire.
  static constexpr alias aliases[] = {
      {"iso-8859-1", "windows-1252"}, {"iso8859-1", "windows-1252"}, {"latin1", "windows-1252"},
      {"l1", "windows-1252"},         {"gb2312", "gb18030"},         {"gbk", "gb18030"},
      {"x-gbk", "gb18030"},           {"ks_c_5601-1987", "cp949"},   {"iso-8859-8-i", "iso-8859-8"},
      {"x-sjis", "shift_jis"},        {"shift-jis", "shift_jis"},    {"unicode-1-1-utf-7", "utf-7"},
      {"windows-874", "cp874"},       {"x-mac-roman", "macintosh"},
  };
  for (const alias& a : aliases) {
    if (name == a.from) {
      return std::string(a.to);
    }
  }
  return name;
}

bool is_utf8_label(std::string_view name) {
  return name.empty() || name == "utf-8" || name == "utf8" || name == "us-ascii" ||
         name == "ascii" || name == "us_ascii" || name == "ansi_x3.4-1968" || name == "7bit" ||
         name == "8bit" || name == "x-unknown" || name == "unknown-8bit";
}

}  // namespace

void append_code_point(std::string& out, unsigned long cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out += replacement;
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void append_valid_utf8(std::string& out, std::string_view text) {
  std::size_t i = 0;
  std::size_t run = 0;  // start of the pending valid run
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = utf8_sequence(text, i);
    if (len != 0) {
      i += len;
      continue;
    }
    out.append(text.substr(run, i - run));
    out += replacement;
    run = ++i;
  }
  out.append(text.substr(run));
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = utf8_sequence(text, i);
    if (len == 0) {
      return false;
    }
    i += len;
  }
  return true;
}

std::string to_utf8(std::string_view text, std::string_view charset) {
  std::string out;
  std::string name = normalize_charset(charset);
  if (is_utf8_label(name)) {
    append_valid_utf8(out, text);
    return out;
  }
  iconv_handle cd(name);
  if (!cd.ok()) {
    append_valid_utf8(out, text);  // unknown charset: UTF-8 is the best guess today
    return out;
  }
  out.reserve(text.size() + text.size() / 2);
  char buffer[4096];
  // iconv's interface takes a non-const input pointer but does not write through it.
  char* in = const_cast<char*>(text.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  std::size_t in_left = text.size();
  while (true) {
    char* o = buffer;
    std::size_t o_left = sizeof buffer;
    std::size_t r = iconv(cd.get(), in_left > 0 ? &in : nullptr, &in_left, &o, &o_left);
    int err = errno;
    out.append(buffer, static_cast<std::size_t>(o - buffer));
    if (r != static_cast<std::size_t>(-1)) {
      if (in_left == 0) {
        // Flush the shift state of stateful charsets (ISO-2022-JP).
        o = buffer;
        o_left = sizeof buffer;
        iconv(cd.get(), nullptr, nullptr, &o, &o_left);
        out.append(buffer, static_cast<std::size_t>(o - buffer));
        break;
      }
      continue;
    }
    if (err == E2BIG) {
      continue;
    }
    out += replacement;
    if (err == EILSEQ && in_left > 0) {
      ++in;  // skip the byte that does not convert and carry on
      --in_left;
      continue;
    }
    break;  // EINVAL: an incomplete sequence at the end
  }
  return out;
}

}  // namespace copper::mime
