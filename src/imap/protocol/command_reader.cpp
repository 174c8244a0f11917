#include "imap/protocol/command_reader.h"

#include <algorithm>

namespace copper::imap {

command_reader::literal_spec command_reader::literal_at_end(std::string_view line) {
  // "... {123}" / "... {123+}" / "... ~{123}": digits between braces at the very end.
  if (line.empty() || line.back() != '}') {
    return {};
  }
  std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) {
    return {};
  }
  std::string_view inside = line.substr(open + 1, line.size() - open - 2);
  literal_kind kind = literal_kind::synchronizing;
  if (!inside.empty() && inside.back() == '+') {
    kind = literal_kind::non_synchronizing;
    inside.remove_suffix(1);
  }
  if (inside.empty() || inside.size() > 19 ||
      !std::all_of(inside.begin(), inside.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return {};
  }
  std::uint64_t n = 0;
  for (char c : inside) {
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return {kind, n};
}

void command_reader::reset() {
  command_.clear();
  line_start_ = 0;
  literal_left_ = 0;
  literals_ = 0;
}

std::string command_reader::current_tag() const {
  std::string_view c(command_);
  auto sp = c.find_first_of(" \r\n");
  std::string_view tag = c.substr(0, sp);
  bool plausible =
      !tag.empty() && tag.size() <= 64 && std::all_of(tag.begin(), tag.end(), [](char ch) {
        auto u = static_cast<unsigned char>(ch);
        return u > 32 && u < 127 && ch != '(' && ch != ')' && ch != '{' && ch != '"' &&
               ch != '\\' && ch != '%' && ch != '*' && ch != '+';
      });
  return plausible ? std::string(tag) : "*";
}

std::string command_reader::take_command() {
  std::string out = std::move(command_);
  reset();
  return out;
}

command_reader::step command_reader::feed(std::string_view input) {
  std::size_t used = 0;
  while (used < input.size()) {
    if (literal_left_ > 0) {
      auto take =
          static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, input.size() - used));
      command_.append(input.substr(used, take));
      used += take;
      literal_left_ -= take;
      if (literal_left_ == 0) {
        line_start_ = command_.size();  // the command line continues after the literal
      }
      continue;
    }
    std::string_view rest = input.substr(used);
    std::size_t lf = rest.find('\n');
    if (discarding_line_) {
      if (lf == std::string_view::npos) {
        return {event::need_more, input.size()};
      }
      discarding_line_ = false;
      reset();
      return {event::line_too_long, used + lf + 1};
    }
    std::size_t chunk = lf == std::string_view::npos ? rest.size() : lf + 1;
    command_.append(rest.substr(0, chunk));
    used += chunk;
    if (command_.size() - line_start_ > limits_.max_line + 2) {
      if (lf != std::string_view::npos) {
        reset();
        return {event::line_too_long, used};
      }
      discarding_line_ = true;
      return {event::need_more, used};
    }
    if (lf == std::string_view::npos) {
      return {event::need_more, used};
    }
    // A whole line. CRLF is the line end; a bare LF is tolerated as many
    // servers do, since IMAP has no dot-terminated data to smuggle through.
    std::string_view line(command_.data() + line_start_, command_.size() - line_start_ - 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    literal_spec lit = literal_at_end(line);
    if (lit.kind == literal_kind::none) {
      // Drop the final line end: the command text ends where the line does.
      command_.resize(line_start_ + line.size());
      return {event::command, used};
    }
    if (lit.size > limits_.max_literal || ++literals_ > limits_.max_literals ||
        command_.size() + lit.size > limits_.max_command) {
      refused_sync_ = lit.kind == literal_kind::synchronizing;
      refused_tag_ = current_tag();
      reset();
      return {event::literal_too_big, used};
    }
    literal_left_ = lit.size;
    line_start_ = command_.size();
    if (lit.kind == literal_kind::synchronizing) {
      return {event::continuation, used};
    }
  }
  return {event::need_more, used};
}

}  // namespace copper::imap
