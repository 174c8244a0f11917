#include "imap/protocol/parser.h"

#include <algorithm>

namespace copper::imap {
namespace {

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string to_upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), upper);
  return out;
}

bool is_atom_char(char c) {
  auto u = static_cast<unsigned char>(c);
  // RFC 9051 9 atom-specials, less "%", "*", "\" and "]" which LIST
  // patterns, sequence sets and flags need (their grammar is checked later).
  return u > 32 && u != 127 && c != '(' && c != ')' && c != '{' && c != '"';
}

class tokenizer {
 public:
  tokenizer(std::string_view text, const parse_limits& limits) : s_(text), limits_(limits) {}

  result<std::vector<value>> values(std::size_t depth) {
    std::vector<value> out;
    for (;;) {
      while (pos_ < s_.size() && s_[pos_] == ' ') {
        ++pos_;
      }
      if (pos_ >= s_.size()) {
        if (depth > 0) {
          return make_error("unterminated list");
        }
        return out;
      }
      char c = s_[pos_];
      if (c == ')') {
        if (depth == 0) {
          return make_error("unexpected )");
        }
        ++pos_;
        return out;
      }
      if (++count_ > limits_.max_values) {
        return make_error("too many arguments");
      }
      auto v = one(depth);
      if (!v) {
        return v.err();
      }
      out.push_back(std::move(v).value());
      if (pos_ < s_.size() && s_[pos_] != ' ' && s_[pos_] != ')') {
        return make_error("missing space between arguments");  // RFC 9051 9: SP separates
      }
    }
  }

 private:
  result<value> one(std::size_t depth) {
    char c = s_[pos_];
    if (c == '(') {
      if (depth + 1 > limits_.max_depth) {
        return make_error("lists nested too deeply");
      }
      ++pos_;
      auto items = values(depth + 1);
      if (!items) {
        return items.err();
      }
      value v;
      v.type = value::kind::list;
      v.items = std::move(items).value();
      return v;
    }
    if (c == '"') {
      return quoted();
    }
    if (c == '{' || (c == '~' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '{')) {
      return literal();
    }
    return atom();
  }

  result<value> quoted() {
    value v;
    v.type = value::kind::string;
    ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') {
        return v;
      }
      if (c == '\r' || c == '\n' || c == '\0') {
        return make_error("CR, LF or NUL in a quoted string");
      }
      if (c == '\\') {
        if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\\')) {
          return make_error("bad escape in quoted string");
        }
        c = s_[pos_++];
      }
      v.text.push_back(c);
    }
    return make_error("unterminated quoted string");
  }

  result<value> literal() {
    value v;
    v.type = value::kind::string;
    v.literal = true;
    if (s_[pos_] == '~') {
      v.literal8 = true;
      ++pos_;
    }
    ++pos_;  // '{'
    std::size_t close = s_.find('}', pos_);
    if (close == std::string_view::npos) {
      return make_error("bad literal");
    }
    std::string_view spec = s_.substr(pos_, close - pos_);
    if (!spec.empty() && spec.back() == '+') {
      spec.remove_suffix(1);
    }
    if (spec.empty() || spec.size() > 19 ||
        !std::all_of(spec.begin(), spec.end(), [](char d) { return d >= '0' && d <= '9'; })) {
      return make_error("bad literal size");
    }
    std::uint64_t n = 0;
    for (char d : spec) {
      n = n * 10 + static_cast<std::uint64_t>(d - '0');
    }
    pos_ = close + 1;
    if (s_.substr(pos_, 2) == "\r\n") {
      pos_ += 2;
    } else if (s_.substr(pos_, 1) == "\n") {
      pos_ += 1;
    } else {
      return make_error("literal size not followed by CRLF");
    }
    if (n > s_.size() - pos_) {
      return make_error("literal shorter than announced");
    }
    v.text = std::string(s_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    if (!v.literal8 && v.text.find('\0') != std::string::npos) {
      return make_error("NUL in a literal (use literal8)");  // RFC 9051 4.3
    }
    return v;
  }

  // An atom, which may carry a bracketed section with spaces and lists
  // inside, as fetch attributes do: BODY[HEADER.FIELDS (From To)]<0.100>.
  result<value> atom() {
    value v;
    std::size_t start = pos_;
    int brackets = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (brackets > 0) {
        if (c == '\r' || c == '\n') {
          return make_error("line end inside [ ]");
        }
        brackets += c == '[' ? 1 : c == ']' ? -1 : 0;
        ++pos_;
        continue;
      }
      if (c == '[') {
        ++brackets;
        ++pos_;
        continue;
      }
      if (!is_atom_char(c)) {
        break;
      }
      ++pos_;
    }
    if (brackets > 0) {
      return make_error("unterminated [");
    }
    if (pos_ == start) {
      return make_error("unexpected character");
    }
    v.text = std::string(s_.substr(start, pos_ - start));
    return v;
  }

  std::string_view s_;
  const parse_limits& limits_;
  std::size_t pos_ = 0;
  std::size_t count_ = 0;
};

}  // namespace

bool value::is_nil() const { return type == kind::atom && equals("NIL"); }

bool value::equals(std::string_view u) const {
  return type == kind::atom && text.size() == u.size() &&
         std::equal(text.begin(), text.end(), u.begin(),
                    [](char a, char b) { return upper(a) == b; });
}

bool valid_tag(std::string_view tag) {
  return !tag.empty() && tag.size() <= 64 && std::all_of(tag.begin(), tag.end(), [](char c) {
    return is_atom_char(c) && c != '+' && c != '%' && c != '*' && c != '\\' && c != ']' && c != '[';
  });
}

result<command> parse_command(std::string_view text, const parse_limits& limits) {
  command cmd;
  auto sp = text.find(' ');
  cmd.tag = std::string(text.substr(0, sp));
  if (!valid_tag(cmd.tag)) {
    return make_error("invalid tag");
  }
  if (sp == std::string_view::npos) {
    return make_error("missing command");
  }
  std::string_view rest = text.substr(sp + 1);
  auto end = rest.find(' ');
  std::string_view name = rest.substr(0, end);
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
      })) {
    return make_error("invalid command name");
  }
  cmd.name = to_upper(name);
  std::string_view args = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  tokenizer t(args, limits);
  auto values = t.values(0);
  if (!values) {
    return values.err();
  }
  cmd.args = std::move(values).value();
  if (cmd.name == "UID") {
    if (cmd.args.empty() || !cmd.args.front().is_atom()) {
      return make_error("UID needs a command");
    }
    cmd.name += ' ';
    cmd.name += to_upper(cmd.args.front().text);
    cmd.args.erase(cmd.args.begin());
  }
  return cmd;
}

}  // namespace copper::imap
