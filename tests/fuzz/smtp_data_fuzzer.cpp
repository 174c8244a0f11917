// libFuzzer target: the DATA reader. The first byte picks how the input is
// split into feeds, so the end-of-data search is tried across packet edges;
// the same input fed whole must give the same result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "smtp/protocol/data_reader.h"

namespace {

struct outcome {
  std::size_t consumed = 0;
  bool done = false;
  bool bare = false;
  std::string message;
};

outcome run(std::string_view input, std::size_t step) {
  copper::smtp::data_reader reader(4096, 1000);
  outcome o;
  while (o.consumed < input.size() && !reader.done()) {
    auto piece = input.substr(o.consumed, step);
    std::size_t used = reader.feed(piece);
    if (used > piece.size()) {
      std::abort();
    }
    o.consumed += used;
    if (used < piece.size() && !reader.done()) {
      std::abort();  // only the end marker may stop consumption early
    }
  }
  o.done = reader.done();
  o.bare = reader.bare_newline();
  o.message = reader.take_message();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  std::size_t step = 1 + data[0] % 16;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  outcome split = run(input, step);
  outcome whole = run(input, input.size() + 1);
  if (split.consumed != whole.consumed || split.done != whole.done || split.bare != whole.bare ||
      split.message != whole.message) {
    std::abort();
  }
  // The end of data is only ever <CRLF>.<CRLF> (or .<CRLF> at the very start).
  if (whole.done) {
    std::string_view seen = input.substr(0, whole.consumed);
    bool at_start = seen == ".\r\n";
    bool proper = seen.size() >= 5 && seen.substr(seen.size() - 5) == "\r\n.\r\n";
    if (!at_start && !proper) {
      std::abort();
    }
  }
  return 0;
}
