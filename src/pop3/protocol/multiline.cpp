#include "pop3/protocol/multiline.h"

#include <algorithm>

namespace copper::pop3 {

void multiline_encoder::start_line(std::string& out) {
  if (pos_ >= data_.size() || (!in_header_ && body_lines_ && *body_lines_ == 0)) {
    out += ".\r\n";
    done_ = true;
    return;
  }
  auto lf = data_.find('\n', pos_);
  next_line_ = lf == std::string_view::npos ? data_.size() : lf + 1;
  line_end_ = lf == std::string_view::npos ? data_.size() : lf;
  if (line_end_ > pos_ && data_[line_end_ - 1] == '\r') {
    --line_end_;
  }
  if (!in_header_ && body_lines_) {
    --*body_lines_;
  }
  if (line_end_ == pos_) {
    in_header_ = false;  // RFC 5322 2.1: the first empty line ends the header
  } else if (data_[pos_] == '.') {
    out += '.';  // RFC 1939 3: byte-stuffing
  }
  at_line_start_ = false;
}

std::string multiline_encoder::next(std::size_t max) {
  max = std::max<std::size_t>(max, 1);
  std::string out;
  while (!done_ && out.size() < max) {
    if (at_line_start_) {
      start_line(out);
      continue;
    }
    std::size_t take = std::min(line_end_ - pos_, max - std::min(max, out.size()));
    out.append(data_.substr(pos_, take));
    pos_ += take;
    if (pos_ == line_end_) {
      out += "\r\n";
      pos_ = next_line_;
      at_line_start_ = true;
    }
  }
  return out;
}

std::string encode_multiline(std::string_view data, std::optional<std::uint32_t> body_lines) {
  multiline_encoder enc(data, body_lines);
  std::string out;
  while (!enc.done()) {
    out += enc.next(std::size_t{64} * 1024);
  }
  return out;
}

}  // namespace copper::pop3
