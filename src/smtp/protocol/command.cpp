#include "smtp/protocol/command.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/text.h"

namespace copper::smtp {
namespace {

struct verb_name {
  std::string_view name;
  verb v;
};

constexpr std::array<verb_name, 14> verbs = {{{"HELO", verb::helo},
                                              {"EHLO", verb::ehlo},
                                              {"MAIL", verb::mail},
                                              {"RCPT", verb::rcpt},
                                              {"DATA", verb::data},
                                              {"BDAT", verb::bdat},
                                              {"RSET", verb::rset},
                                              {"NOOP", verb::noop},
                                              {"QUIT", verb::quit},
                                              {"VRFY", verb::vrfy},
                                              {"EXPN", verb::expn},
                                              {"HELP", verb::help},
                                              {"STARTTLS", verb::starttls},
                                              {"AUTH", verb::auth}}};

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

parse_outcome fail(reply r) { return {std::nullopt, std::move(r)}; }

// Splits "<path> params" where the path may hold a quoted local part with
// spaces or '>' inside (RFC 5321 4.1.2 Quoted-string).
std::optional<std::size_t> find_path_end(std::string_view s) {
  bool quoted = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '>') {
      return i;
    }
  }
  return std::nullopt;
}

// RFC 5321 4.1.2 esmtp-keyword and esmtp-value (widened to UTF-8 by RFC 6531).
bool valid_keyword(std::string_view k) {
  if (k.empty() || !std::isalnum(static_cast<unsigned char>(k[0]))) {
    return false;
  }
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool valid_value(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (u >= 33 && u <= 126 && c != '=');
  });
}

std::optional<std::vector<esmtp_param>> parse_params(std::string_view s) {
  std::vector<esmtp_param> out;
  constexpr std::size_t max_params = 16;
  while (!s.empty()) {
    if (s.front() == ' ') {
      s.remove_prefix(1);
      continue;
    }
    auto sp = s.find(' ');
    std::string_view tok = s.substr(0, sp);
    s = sp == std::string_view::npos ? std::string_view() : s.substr(sp);
    esmtp_param p;
    auto eq = tok.find('=');
    std::string_view key = tok.substr(0, eq);
    if (!valid_keyword(key)) {
      return std::nullopt;
    }
    for (char c : key) {
      p.keyword.push_back(upper(c));
    }
    if (eq != std::string_view::npos) {
      std::string_view value = tok.substr(eq + 1);
      if (!valid_value(value)) {
        return std::nullopt;
      }
      p.value = std::string(value);
      p.has_value = true;
    }
    if (out.size() == max_params) {
      return std::nullopt;
    }
    out.push_back(std::move(p));
  }
  return out;
}

// MAIL FROM:<path> [params] / RCPT TO:<path> [params].
parse_outcome parse_path_command(command cmd, std::string_view prefix) {
  std::string_view arg = cmd.argument;
  if (!istarts_with_ascii(arg, prefix)) {
    return fail(replies::parameter_error(cmd.name == verb::mail ? "Syntax: MAIL FROM:<address>"
                                                                : "Syntax: RCPT TO:<address>"));
  }
  arg.remove_prefix(prefix.size());
  // Tolerate "MAIL FROM: <a>": widespread, and unambiguous.
  while (!arg.empty() && arg.front() == ' ') {
    arg.remove_prefix(1);
  }
  if (arg.empty() || arg.front() != '<') {
    return fail(replies::parameter_error("Address must be enclosed in <>"));
  }
  auto end = find_path_end(arg);
  if (!end) {
    return fail(replies::parameter_error("Unterminated address, missing >"));
  }
  std::string_view path = arg.substr(1, *end - 1);
  std::string_view rest = arg.substr(*end + 1);
  if (!rest.empty() && rest.front() != ' ') {
    return fail(replies::parameter_error("Garbage after address"));
  }
  // RFC 5321 4.1.2 A-d-l: "@one,@two:" before the mailbox. 3.6.1: MUST accept, SHOULD ignore.
  if (!path.empty() && path.front() == '@') {
    auto colon = path.find(':');
    if (colon == std::string_view::npos) {
      return fail(replies::parameter_error("Malformed source route"));
    }
    cmd.source_route = true;
    path.remove_prefix(colon + 1);
  }
  if (path.empty()) {
    if (cmd.name != verb::mail || cmd.source_route) {
      return fail(replies::parameter_error("Empty address"));
    }
    cmd.null_path = true;
  } else if (cmd.name == verb::rcpt && iequals_ascii(path, "postmaster")) {
    cmd.postmaster = true;
  }
  cmd.path = std::string(path);
  auto params = parse_params(rest);
  if (!params) {
    return fail(replies::parameter_error("Malformed ESMTP parameters"));
  }
  cmd.params = std::move(*params);
  return {std::move(cmd), {}};
}

parse_outcome parse_bdat(command cmd) {
  std::string_view arg = cmd.argument;
  auto sp = arg.find(' ');
  std::string_view size = arg.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : arg.substr(sp + 1);
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(size.data(), size.data() + size.size(), n);
  if (size.empty() || ec != std::errc() || ptr != size.data() + size.size()) {
    return fail(replies::parameter_error("Syntax: BDAT chunk-size [LAST]"));
  }
  if (!rest.empty()) {
    if (!iequals_ascii(rest, "LAST")) {
      return fail(replies::parameter_error("Syntax: BDAT chunk-size [LAST]"));
    }
    cmd.last_chunk = true;
  }
  cmd.chunk_size = n;
  return {std::move(cmd), {}};
}

bool takes_no_argument(verb v) {
  return v == verb::data || v == verb::rset || v == verb::quit || v == verb::starttls;
}

}  // namespace

parse_outcome parse_command(std::string_view line) {
  if (line.find('\0') != std::string_view::npos) {
    return fail(replies::syntax_error("NUL character in command"));
  }
  auto sp = line.find(' ');
  std::string_view name = line.substr(0, sp);
  auto it = std::find_if(verbs.begin(), verbs.end(),
                         [&](const verb_name& v) { return iequals_ascii(v.name, name); });
  if (it == verbs.end()) {
    return fail(replies::syntax_error());
  }
  command cmd;
  cmd.name = it->v;
  if (sp != std::string_view::npos) {
    std::string_view arg = line.substr(sp + 1);
    while (!arg.empty() && arg.back() == ' ') {
      arg.remove_suffix(1);  // trailing spaces from sloppy clients
    }
    cmd.argument = std::string(arg);
  }
  if (takes_no_argument(cmd.name) && !cmd.argument.empty()) {
    return fail(replies::parameter_error("Syntax: no parameters allowed"));
  }
  switch (cmd.name) {
    case verb::mail:
      return parse_path_command(std::move(cmd), "FROM:");
    case verb::rcpt:
      return parse_path_command(std::move(cmd), "TO:");
    case verb::bdat:
      return parse_bdat(std::move(cmd));
    case verb::helo:
    case verb::ehlo:
      if (cmd.argument.empty()) {
        return fail(replies::parameter_error("Syntax: EHLO hostname"));
      }
      return {std::move(cmd), {}};
    case verb::auth:
    case verb::vrfy:
    case verb::expn:
      if (cmd.argument.empty()) {
        return fail(replies::parameter_error("Syntax: argument required"));
      }
      return {std::move(cmd), {}};
    default:
      return {std::move(cmd), {}};
  }
}

const esmtp_param* find_param(const command& cmd, std::string_view keyword) {
  auto it = std::find_if(cmd.params.begin(), cmd.params.end(),
                         [&](const esmtp_param& p) { return p.keyword == keyword; });
  return it == cmd.params.end() ? nullptr : &*it;
}

std::optional<std::string> decode_xtext(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      unsigned v = 0;
      auto [ptr, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, v, 16);
      if (ec != std::errc() || ptr != text.data() + i + 3) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(v));
      i += 2;
    } else if (static_cast<unsigned char>(c) < 33 || static_cast<unsigned char>(c) > 126 ||
               c == '=') {
      return std::nullopt;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace copper::smtp
