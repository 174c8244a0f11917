#include "mime/address.h"

#include "mime/lex.h"

namespace copper::mime {

namespace {

struct token {
  enum class type { word, literal, special, comment };
  type what = type::word;
  // word: an atom, or a quoted-string's content; literal: "[...]";
  // special: the character; comment: its text.
  std::string text;

  bool is(char c) const { return what == type::special && text.size() == 1 && text[0] == c; }
};

std::vector<token> tokenize(std::string_view value) {
  std::vector<token> out;
  lex::cursor c(value);
  while (true) {
    std::string comment;
    if (c.skip_cfws(&comment)) {
      out.push_back(token{token::type::comment, std::move(comment)});
    }
    if (c.done()) {
      break;
    }
    char ch = c.peek();
    if (ch == '"') {
      out.push_back(token{token::type::word, c.quoted_string()});
    } else if (ch == '[') {
      out.push_back(token{token::type::literal, c.domain_literal()});
    } else if (lex::is_atom_char(ch) || ch == '\\') {
      std::string text;
      while (!c.done() && (lex::is_atom_char(c.peek()) || c.peek() == '\\')) {
        text += c.peek();
        c.advance();
      }
      out.push_back(token{token::type::word, std::move(text)});
    } else {
      if (ch != ')' && ch != ']') {  // stray closers are noise
        out.push_back(token{token::type::special, std::string(1, ch)});
      }
      c.advance();
    }
  }
  return out;
}

class parser {
 public:
  parser(std::vector<token> tokens, std::size_t max) : t_(std::move(tokens)), max_(max) {}

  std::vector<address> run() {
    while (i_ < t_.size() && out_.size() < max_) {
      if (t_[i_].is(',') || t_[i_].is(';') || t_[i_].what == token::type::comment) {
        ++i_;  // null members (RFC 5322 4.4) and separators
        continue;
      }
      if (starts_group()) {
        group();
      } else {
        mailbox();
      }
    }
    return std::move(out_);
  }

 private:
  // A group begins with a phrase followed by ':' (RFC 5322 3.4), and no '<'
  // or '@' comes first.
  bool starts_group() const {
    for (std::size_t k = i_; k < t_.size(); ++k) {
      const token& t = t_[k];
      if (t.is(':')) {
        return k > i_;
      }
      if (t.what == token::type::special || t.what == token::type::literal) {
        return false;
      }
    }
    return false;
  }

  void group() {
    address start;
    start.what = address::kind::group_start;
    start.name = phrase(i_, find(':'));
    i_ = find(':') + 1;
    push(std::move(start));
    while (i_ < t_.size() && !t_[i_].is(';') && out_.size() < max_) {
      if (t_[i_].is(',') || t_[i_].what == token::type::comment || t_[i_].is(':')) {
        ++i_;
        continue;
      }
      mailbox();
    }
    if (i_ < t_.size()) {
      ++i_;  // ';'
    }
    address end;
    end.what = address::kind::group_end;
    push(std::move(end));
  }

  // One mailbox: tokens up to a ',' or ';' outside angle brackets.
  void mailbox() {
    std::size_t begin = i_;
    std::size_t angle = npos;
    bool in_angle = false;
    std::size_t k = i_;
    for (; k < t_.size(); ++k) {
      const token& t = t_[k];
      if (t.is('<') && !in_angle) {
        in_angle = true;
        if (angle == npos) {
          angle = k;
        }
      } else if (t.is('>')) {
        in_angle = false;
      } else if (!in_angle && (t.is(',') || t.is(';'))) {
        break;
      }
    }
    std::size_t end = k;
    i_ = end;
    address a;
    if (angle != npos) {
      a.name = phrase(begin, angle);
      std::size_t close = angle + 1;
      while (close < end && !t_[close].is('>')) {
        ++close;
      }
      addr_spec(angle + 1, close, a, true);
    } else {
      addr_spec(begin, end, a, false);
      if (a.mailbox.empty() && a.domain.empty() && a.name.empty()) {
        return;  // only comments or junk: nothing to report
      }
    }
    push(std::move(a));
  }

  // [route ":"] local-part "@" domain, in tokens [b, e).
  void addr_spec(std::size_t b, std::size_t e, address& a, bool in_angle) {
    // RFC 5322 4.4 obs-route: "@a,@b:" before the addr-spec.
    if (in_angle && b < e && t_[b].is('@')) {
      std::size_t colon = b;
      while (colon < e && !t_[colon].is(':')) {
        ++colon;
      }
      if (colon < e) {
        for (std::size_t k = b; k < colon; ++k) {
          if (t_[k].what != token::type::comment) {
            a.route += t_[k].text;
          }
        }
        b = colon + 1;
      }
    }
    std::size_t at = b;
    while (at < e && !t_[at].is('@')) {
      ++at;
    }
    std::string last_comment;
    std::size_t words = 0;
    for (std::size_t k = b; k < at; ++k) {
      if (t_[k].what == token::type::comment) {
        last_comment = t_[k].text;
      } else if (t_[k].what != token::type::special) {
        ++words;
      }
    }
    if (at == e && !in_angle && words > 1) {
      // Several words and no '@': a display name without an address, as in
      // "From: Someone Else".
      a.name = phrase(b, e);
      return;
    }
    for (std::size_t k = b; k < at; ++k) {
      if (t_[k].what == token::type::word || t_[k].what == token::type::literal) {
        a.mailbox += t_[k].text;  // RFC 5322 4.4: CFWS around the dots is dropped
      }
    }
    for (std::size_t k = at + 1; k < e; ++k) {
      if (t_[k].what == token::type::comment) {
        last_comment = t_[k].text;
      } else if (t_[k].what == token::type::word || t_[k].what == token::type::literal) {
        a.domain += t_[k].text;
      }
    }
    if (!in_angle && a.name.empty()) {
      a.name = trim(last_comment);
    }
  }

  // Words in [b, e) joined by one space (RFC 5322 3.2.5 phrase).
  std::string phrase(std::size_t b, std::size_t e) const {
    std::string out;
    for (std::size_t k = b; k < e && k < t_.size(); ++k) {
      const token& t = t_[k];
      if (t.what != token::type::word) {
        continue;
      }
      if (!out.empty()) {
        out += ' ';
      }
      out += t.text;
    }
    return out;
  }

  static std::string trim(const std::string& s) {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && lex::is_space(s[b])) {
      ++b;
    }
    while (e > b && lex::is_space(s[e - 1])) {
      --e;
    }
    return s.substr(b, e - b);
  }

  std::size_t find(char c) const {
    for (std::size_t k = i_; k < t_.size(); ++k) {
      if (t_[k].is(c)) {
        return k;
      }
    }
    return t_.size();
  }

  void push(address&& a) {
    if (out_.size() < max_) {
      out_.push_back(std::move(a));
    }
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::vector<token> t_;
  std::size_t max_;
  std::size_t i_ = 0;
  std::vector<address> out_;
};

}  // namespace

std::vector<address> parse_address_list(std::string_view value, std::size_t max_addresses) {
  return parser(tokenize(value), max_addresses).run();
}

}  // namespace copper::mime
