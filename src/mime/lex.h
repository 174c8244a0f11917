// Lexical pieces shared by the structured-header parsers of the mime module
// (RFC 5322 3.2, RFC 2045 5.1): CFWS, MIME tokens, atoms, quoted strings.
// Internal to src/mime/. Lenient on purpose: 8-bit bytes count as text
// (RFC 6532 3.2) and line breaks count as folding whitespace.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace copper::mime::lex {

inline bool is_wsp(char c) { return c == ' ' || c == '\t'; }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 2045 5.1 token: any CHAR but SPACE, CTLs and tspecials; 8-bit accepted.
inline bool is_token_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  constexpr std::string_view tspecials = "()<>@,;:\\\"/[]?=";
  return c >= 0x80 || (c > 0x20 && c != 0x7f && tspecials.find(ch) == std::string_view::npos);
}

// RFC 5322 3.2.3 atext plus '.', so that obs-phrase words such as "Q." and
// dotted local parts come out as one atom; 8-bit accepted (RFC 6532 3.2).
inline bool is_atom_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  constexpr std::string_view specials = "()<>@,;:\\\"[]";
  return c >= 0x80 || (c > 0x20 && c != 0x7f && specials.find(ch) == std::string_view::npos);
}

class cursor {
 public:
  explicit cursor(std::string_view text) : s_(text) {}

  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  void advance() {
    if (!done()) {
      ++i_;
    }
  }
  std::size_t pos() const { return i_; }
  std::string_view rest() const { return s_.substr(i_); }

  // Skips whitespace, line breaks and nested comments (RFC 5322 3.2.2);
  // true if there was a comment. The text of the last one, quoted-pairs
  // resolved, goes to *comment.
  bool skip_cfws(std::string* comment = nullptr) {
    bool seen = false;
    while (!done()) {
      char c = s_[i_];
      if (is_space(c)) {
        ++i_;
      } else if (c == '(') {
        skip_comment(comment);
        seen = true;
      } else {
        break;
      }
    }
    return seen;
  }

  std::string_view token() { return take_while(is_token_char); }
  std::string_view atom() { return take_while(is_atom_char); }

  // At '"': the content of a quoted-string with quoted-pairs resolved and
  // line breaks removed (RFC 5322 3.2.4). An unterminated one runs to the end.
  std::string quoted_string() {
    std::string out;
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') {
        return out;
      }
      if (c == '\\' && i_ < s_.size()) {
        out += s_[i_++];
      } else if (c != '\r' && c != '\n') {
        out += c;
      }
    }
    return out;
  }

  // At '[': a domain-literal kept with its brackets, whitespace removed.
  std::string domain_literal() {
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        out += s_[i_++];
        continue;
      }
      if (!is_space(c)) {
        out += c;
      }
      if (c == ']') {
        break;
      }
    }
    return out;
  }

  // Skips to just past the next ';' (or to the end): junk in a parameter list.
  void skip_past_semicolon() {
    while (i_ < s_.size() && s_[i_] != ';') {
      ++i_;
    }
  }

 private:
  template <class Pred>
  std::string_view take_while(Pred pred) {
    std::size_t start = i_;
    while (i_ < s_.size() && pred(s_[i_])) {
      ++i_;
    }
    return s_.substr(start, i_ - start);
  }

  void skip_comment(std::string* comment) {
    std::string text;
    int level = 0;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        text += s_[i_++];
        continue;
      }
      if (c == '(') {
        if (level++ == 0) {
          continue;
        }
      } else if (c == ')') {
        if (--level == 0) {
          break;
        }
      } else if (c == '\r' || c == '\n') {
        continue;
      }
      text += c;
    }
    if (comment != nullptr) {
      *comment = std::move(text);
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace copper::mime::lex
