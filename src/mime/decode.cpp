#include "mime/decode.h"

#include <optional>

#include "core/text.h"
#include "mime/charset.h"
#include "mime/header.h"
#include "mime/lex.h"

namespace copper::mime {

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

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

struct encoded_word {
  std::size_t end = 0;  // just past "?="
  std::string_view charset;
  std::string bytes;  // decoded, still in `charset`
};

// RFC 2047 2: "=?" charset "?" encoding "?" encoded-text "?=" at text[at].
std::optional<encoded_word> parse_word(std::string_view text, std::size_t at) {
  // Charset names are short; looking no further keeps text full of "=?"
  // linear to scan.
  constexpr std::size_t max_charset = 100;
  std::size_t i = at + 2;
  std::size_t q1 = text.substr(0, i + max_charset).find('?', i);
  if (q1 == std::string_view::npos || q1 == i || q1 + 2 >= text.size() || text[q1 + 2] != '?') {
    return std::nullopt;
  }
  std::string_view charset = text.substr(i, q1 - i);
  for (char c : charset) {
    if (!lex::is_token_char(c)) {
      return std::nullopt;
    }
  }
  char enc = ascii_lower(text[q1 + 1]);
  if (enc != 'b' && enc != 'q') {
    return std::nullopt;
  }
  std::size_t start = q1 + 3;
  // encoded-text holds no '?', so the first one must begin the "?=".
  std::size_t close = text.find('?', start);
  if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != '=') {
    return std::nullopt;
  }
  std::string_view payload = text.substr(start, close - start);
  for (char c : payload) {
    // RFC 2047 2: encoded-text holds no SPACE.
    if (lex::is_space(c)) {
      return std::nullopt;
    }
  }
  encoded_word w;
  if (enc == 'b') {
    for (char c : payload) {
      if (base64_value(c) < 0 && c != '=') {
        return std::nullopt;
      }
    }
    w.bytes = decode_base64(payload);
  } else {
    // RFC 2047 4.2: "_" is a space, "=XX" a byte.
    for (std::size_t k = 0; k < payload.size(); ++k) {
      char c = payload[k];
      int hi = 0;
      int lo = 0;
      if (c == '_') {
        w.bytes += ' ';
      } else if (c == '=' && k + 2 < payload.size() && (hi = hex_value(payload[k + 1])) >= 0 &&
                 (lo = hex_value(payload[k + 2])) >= 0) {
        w.bytes += static_cast<char>(hi * 16 + lo);
        k += 2;
      } else {
        w.bytes += c;
      }
    }
  }
  w.charset = charset;
  w.end = close + 2;
  return w;
}

bool only_whitespace(std::string_view s) {
  for (char c : s) {
    if (!lex::is_space(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace

transfer_encoding encoding_of(std::string_view mechanism) {
  if (iequals_ascii(mechanism, "7bit") || mechanism.empty()) {
    return transfer_encoding::seven_bit;
  }
  if (iequals_ascii(mechanism, "8bit")) {
    return transfer_encoding::eight_bit;
  }
  if (iequals_ascii(mechanism, "binary")) {
    return transfer_encoding::binary;
  }
  if (iequals_ascii(mechanism, "quoted-printable")) {
    return transfer_encoding::quoted_printable;
  }
  if (iequals_ascii(mechanism, "base64")) {
    return transfer_encoding::base64;
  }
  return transfer_encoding::other;
}

std::string decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  unsigned accumulator = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') {
      break;
    }
    int v = base64_value(c);
    if (v < 0) {
      continue;
    }
    accumulator = (accumulator << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> bits) & 0xFF);
    }
  }
  return out;
}

std::string decode_quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '=') {
      out += c;
      continue;
    }
    // A soft line break: '=', optional transport padding, then the line end.
    std::size_t k = i + 1;
    while (k < text.size() && lex::is_wsp(text[k])) {
      ++k;
    }
    if (k < text.size() && text[k] == '\n') {
      i = k;
      continue;
    }
    if (k + 1 < text.size() && text[k] == '\r' && text[k + 1] == '\n') {
      i = k + 1;
      continue;
    }
    if (k == text.size()) {
      break;  // "=" at the very end: a soft break before end of part
    }
    int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
    if (lo >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += '=';
    }
  }
  return out;
}

std::string decode_transfer(std::string_view body, transfer_encoding encoding) {
  switch (encoding) {
    case transfer_encoding::base64:
      return decode_base64(body);
    case transfer_encoding::quoted_printable:
      return decode_quoted_printable(body);
    default:
      return std::string(body);
  }
}

std::string decode_words(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::string pending;  // bytes of adjacent encoded words in one charset
  std::string_view pending_charset;
  auto flush = [&] {
    if (!pending.empty() || !pending_charset.empty()) {
      out += to_utf8(pending, pending_charset);
      pending.clear();
      pending_charset = {};
    }
  };
  std::size_t i = 0;
  std::size_t last_word_end = std::string_view::npos;
  while (i < text.size()) {
    std::size_t at = text.find("=?", i);
    if (at == std::string_view::npos) {
      break;
    }
    std::optional<encoded_word> w = parse_word(text, at);
    if (!w) {
      flush();
      append_valid_utf8(out, text.substr(i, at + 2 - i));
      i = at + 2;
      last_word_end = std::string_view::npos;
      continue;
    }
    std::string_view gap = text.substr(i, at - i);
    // RFC 2047 6.2: whitespace between adjacent encoded words is not shown.
    if (!(last_word_end == i && only_whitespace(gap))) {
      flush();
      append_valid_utf8(out, gap);
    } else if (!iequals_ascii(pending_charset, w->charset)) {
      flush();
    }
    pending_charset = w->charset;
    pending += w->bytes;
    i = w->end;
    last_word_end = i;
  }
  flush();
  if (i < text.size()) {
    append_valid_utf8(out, text.substr(i));
  }
  return out;
}

std::string decode_header_value(std::string_view raw_value) {
  std::string unfolded = unfold(raw_value);
  while (!unfolded.empty() && lex::is_space(unfolded.back())) {
    unfolded.pop_back();
  }
  return decode_words(unfolded);
}

}  // namespace copper::mime
