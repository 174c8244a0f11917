#include "pop3/protocol/command.h"

#include <cctype>

namespace copper::pop3 {

line_reader::step line_reader::feed(std::string_view input) {
  auto lf = input.find('\n');
  if (skipping_) {
    if (lf == std::string_view::npos) {
      return {event::need_more, input.size(), {}};
    }
    skipping_ = false;
    auto next = feed(input.substr(lf + 1));
    next.consumed += lf + 1;
    return next;
  }
  if (lf == std::string_view::npos) {
    if (input.size() >= max_line_) {
      skipping_ = true;
      return {event::too_long, input.size(), {}};
    }
    return {event::need_more, 0, {}};
  }
  if (lf + 1 > max_line_) {
    return {event::too_long, lf + 1, {}};
  }
  // A bare LF ends a line too: lenient, as clients on some systems send it.
  std::size_t end = lf > 0 && input[lf - 1] == '\r' ? lf - 1 : lf;
  return {event::line, lf + 1, std::string(input.substr(0, end))};
}

std::optional<command> parse_command(std::string_view line) {
  auto space = line.find(' ');
  std::string_view keyword = line.substr(0, space);
  if (keyword.size() < 3 || keyword.size() > 4) {
    return std::nullopt;
  }
  command c;
  for (char ch : keyword) {
    if (std::isalpha(static_cast<unsigned char>(ch)) == 0) {
      return std::nullopt;
    }
    c.name += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  if (space == std::string_view::npos) {
    return c;
  }
  c.rest = std::string(line.substr(space + 1));
  std::string_view args = line.substr(space + 1);
  while (!args.empty()) {
    auto end = args.find(' ');
    if (end != 0) {
      c.args.emplace_back(args.substr(0, end));
    }
    if (end == std::string_view::npos) {
      break;
    }
    args.remove_prefix(end + 1);
  }
  return c;
}

std::optional<std::uint32_t> parse_number(std::string_view text) {
  if (text.empty() || text.size() > 10) {
    return std::nullopt;
  }
  std::uint64_t n = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') {
      return std::nullopt;
    }
    n = n * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  if (n > UINT32_MAX) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(n);
}

}  // namespace copper::pop3
