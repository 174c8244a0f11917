#include "smtp/protocol/data_reader.h"

namespace copper::smtp {

data_reader::data_reader(std::size_t max_size, std::size_t max_line)
    : max_size_(max_size), max_line_(max_line) {}

void data_reader::emit(char c) {
  ++size_;
  if (size_ > max_size_) {
    if (!too_big_) {
      too_big_ = true;
      message_.clear();
      message_.shrink_to_fit();
    }
    return;
  }
  message_.push_back(c);
}

void data_reader::in_line(char c) {
  if (c == '\r') {
    state_ = state::cr;
    return;
  }
  if (c == '\n') {
    bare_newline_ = true;  // a bare LF is content, never a line end
  }
  if (++line_length_ > max_line_) {
    line_too_long_ = true;
  }
  emit(c);
  state_ = state::in_line;
}

std::size_t data_reader::feed(std::string_view input) {
  std::size_t i = 0;
  for (; i < input.size() && state_ != state::done; ++i) {
    char c = input[i];
    switch (state_) {
      case state::line_start:
        line_length_ = 0;
        if (c == '.') {
          state_ = state::dot;  // RFC 5321 4.5.2: drop the first dot of a line
        } else {
          in_line(c);
        }
        break;
      case state::dot:
        if (c == '\r') {
          state_ = state::dot_cr;
        } else {
          in_line(c);
        }
        break;
      case state::dot_cr:
        if (c == '\n') {
          state_ = state::done;
        } else {
          // ".<CR>x": a bare CR after a stuffed dot.
          bare_newline_ = true;
          emit('\r');
          in_line(c);
        }
        break;
      case state::in_line:
        in_line(c);
        break;
      case state::cr:
        if (c == '\n') {
          emit('\r');
          emit('\n');
          state_ = state::line_start;
        } else {
          bare_newline_ = true;  // a bare CR is content, never a line end
          emit('\r');
          ++line_length_;
          in_line(c);
        }
        break;
      case state::done:
        break;
    }
  }
  return i;
}

}  // namespace copper::smtp
