// libFuzzer target: the IMAP command reader and parser. The first byte picks
// how the input is split into packets; splitting must not change the
// commands read. Parsed sequence-set atoms are run through sequence_set.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "imap/protocol/command_reader.h"
#include "imap/protocol/parser.h"
#include "imap/protocol/response.h"
#include "imap/protocol/sequence_set.h"

namespace {

std::vector<std::string> read_all(std::string_view input, std::size_t step) {
  copper::imap::reader_limits limits;
  limits.max_line = 1024;
  limits.max_literal = 2048;
  limits.max_command = 8192;
  copper::imap::command_reader reader(limits);
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < input.size()) {
    auto piece = input.substr(pos, step);
    std::size_t done = 0;
    while (done < piece.size()) {
      auto s = reader.feed(piece.substr(done));
      if (s.consumed == 0 && s.what == copper::imap::command_reader::event::need_more) {
        std::abort();  // no progress on non-empty input
      }
      done += s.consumed;
      using ev = copper::imap::command_reader::event;
      if (s.what == ev::command) {
        out.push_back(reader.take_command());
      } else if (s.what == ev::line_too_long || s.what == ev::literal_too_big) {
        out.push_back("<error>");
      }
    }
    pos += piece.size();
  }
  return out;
}

void walk(const copper::imap::value& v, std::string& sink) {
  if (v.is_list()) {
    for (const auto& item : v.items) {
      walk(item, sink);
    }
    return;
  }
  if (v.is_atom()) {
    if (auto set = copper::imap::sequence_set::parse(v.text)) {
      (void)set->contains(7, 100);
      if (set->expand(50).size() > 50) {
        std::abort();
      }
      (void)set->to_string();
    }
  }
  copper::imap::append_astring(sink, v.text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  std::size_t step = 1 + data[0] % 32;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  auto split = read_all(input, step);
  auto whole = read_all(input, input.size());
  if (split != whole) {
    std::abort();
  }
  std::string sink;
  for (const auto& text : whole) {
    if (auto cmd = copper::imap::parse_command(text)) {
      for (const auto& v : cmd->args) {
        walk(v, sink);
      }
    }
  }
  return 0;
}
