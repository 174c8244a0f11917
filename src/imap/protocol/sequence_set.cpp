#include "imap/protocol/sequence_set.h"

#include <algorithm>
#include <charconv>

namespace copper::imap {
namespace {

constexpr std::size_t max_ranges = 100000;

result<std::uint32_t> parse_number(std::string_view s) {
  if (s == "*") {
    return 0u;
  }
  std::uint32_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  // RFC 9051 9: nz-number, no leading zero, fits in 32 bits.
  if (s.empty() || s[0] == '0' || ec != std::errc() || ptr != s.data() + s.size()) {
    return make_error("bad number in sequence set");
  }
  return n;
}

std::uint32_t resolve(std::uint32_t n, std::uint32_t largest) { return n == 0 ? largest : n; }

}  // namespace

result<sequence_set> sequence_set::parse(std::string_view text) {
  sequence_set set;
  if (text.empty()) {
    return make_error("empty sequence set");
  }
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (comma != std::string_view::npos && text.empty()) {
      return make_error("trailing comma in sequence set");
    }
    auto colon = item.find(':');
    auto low = parse_number(item.substr(0, colon));
    if (!low) {
      return low.err();
    }
    std::uint32_t high = *low;
    if (colon != std::string_view::npos) {
      auto h = parse_number(item.substr(colon + 1));
      if (!h) {
        return h.err();
      }
      high = *h;
    }
    if (set.ranges_.size() == max_ranges) {
      return make_error("sequence set too long");
    }
    set.ranges_.push_back({*low, high});
  }
  return set;
}

sequence_set sequence_set::from_numbers(const std::vector<std::uint32_t>& sorted) {
  sequence_set set;
  for (std::uint32_t n : sorted) {
    if (!set.ranges_.empty() && set.ranges_.back().high + 1 == n) {
      set.ranges_.back().high = n;
    } else if (set.ranges_.empty() || set.ranges_.back().high != n) {
      set.ranges_.push_back({n, n});
    }
  }
  return set;
}

bool sequence_set::contains(std::uint32_t n, std::uint32_t largest) const {
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const range& r) {
    std::uint32_t a = resolve(r.low, largest);
    std::uint32_t b = resolve(r.high, largest);
    return n >= std::min(a, b) && n <= std::max(a, b);
  });
}

std::vector<std::uint32_t> sequence_set::expand(std::uint32_t largest) const {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
  for (const auto& r : ranges_) {
    std::uint32_t a = resolve(r.low, largest);
    std::uint32_t b = resolve(r.high, largest);
    std::uint32_t lo = std::min(a, b);
    std::uint32_t hi = std::min(std::max(a, b), largest);
    if (lo >= 1 && lo <= hi) {
      spans.emplace_back(lo, hi);
    }
  }
  std::sort(spans.begin(), spans.end());
  std::vector<std::uint32_t> out;
  std::uint64_t next = 1;
  for (auto [lo, hi] : spans) {
    for (std::uint64_t n = std::max<std::uint64_t>(lo, next); n <= hi; ++n) {
      out.push_back(static_cast<std::uint32_t>(n));
    }
    next = std::max<std::uint64_t>(next, std::uint64_t{hi} + 1);
  }
  return out;
}

std::string sequence_set::to_string() const {
  std::string out;
  for (const auto& r : ranges_) {
    if (!out.empty()) {
      out += ',';
    }
    out += r.low == 0 ? "*" : std::to_string(r.low);
    if (r.high != r.low) {
      out += ':';
      out += r.high == 0 ? "*" : std::to_string(r.high);
    }
  }
  return out;
}

}  // namespace copper::imap
