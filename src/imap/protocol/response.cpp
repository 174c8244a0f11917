#include "imap/protocol/response.h"

#include <algorithm>

namespace copper::imap {
namespace {

constexpr std::size_t max_quoted = 1024;

bool quotable(std::string_view s) {
  return s.size() <= max_quoted && std::none_of(s.begin(), s.end(), [](char c) {
           return c == '\r' || c == '\n' || c == '\0';
         });
}

bool is_plain_atom(std::string_view s) {
  return !s.empty() && s.size() <= max_quoted && std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 && c != '(' && c != ')' && c != '{' && c != '"' && c != '\\' &&
           c != '%' && c != '*' && c != ']';
  });
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
  if (!quotable(s)) {
    out += '{';
    out += std::to_string(s.size());
    out += "}\r\n";
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  out += '"';
}

void append_nstring(std::string& out, const std::optional<std::string_view>& s) {
  if (!s) {
    out += "NIL";
  } else {
    append_string(out, *s);
  }
}

void append_astring(std::string& out, std::string_view s) {
  if (is_plain_atom(s) && s != "NIL" && s != "nil") {
    out += s;
  } else {
    append_string(out, s);
  }
}

}  // namespace copper::imap
