#include "imap/order/sort.h"

#include <algorithm>
#include <numeric>

namespace copper::imap {
namespace {

// Bounds the sort program: seven keys, each possibly reversed, is all that
// makes sense; more is repetition.
constexpr std::size_t max_criteria = 32;

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

int compare(sort_key key, const message_facts& a, const message_facts& b) {
  switch (key) {
    case sort_key::arrival:
      return three_way(a.internal_date, b.internal_date);
    case sort_key::date:
      return three_way(a.sent_date, b.sent_date);
    case sort_key::size:
      return three_way(a.size, b.size);
    // RFC 5256 3: strings compare with i;ascii-casemap; "" sorts first.
    case sort_key::cc:
      return casemap_compare(a.cc, b.cc);
    case sort_key::from:
      return casemap_compare(a.from, b.from);
    case sort_key::to:
      return casemap_compare(a.to, b.to);
    case sort_key::subject:
      return casemap_compare(a.base_subject, b.base_subject);
  }
  return 0;
}

}  // namespace

result<std::vector<sort_criterion>> parse_sort_criteria(const value& list) {
  if (!list.is_list() || list.items.empty()) {
    return make_error("Sort criteria must be a non-empty list");
  }
  std::vector<sort_criterion> out;
  bool reverse = false;
  for (const auto& item : list.items) {
    if (!item.is_atom()) {
      return make_error("Bad sort criterion");
    }
    if (item.equals("REVERSE")) {
      if (reverse) {
        return make_error("REVERSE REVERSE");
      }
      reverse = true;
      continue;
    }
    sort_criterion c;
    c.reverse = reverse;
    reverse = false;
    if (item.equals("ARRIVAL")) {
      c.key = sort_key::arrival;
    } else if (item.equals("CC")) {
      c.key = sort_key::cc;
    } else if (item.equals("DATE")) {
      c.key = sort_key::date;
    } else if (item.equals("FROM")) {
      c.key = sort_key::from;
    } else if (item.equals("SIZE")) {
      c.key = sort_key::size;
    } else if (item.equals("SUBJECT")) {
      c.key = sort_key::subject;
    } else if (item.equals("TO")) {
      c.key = sort_key::to;
    } else {
      return make_error("Unknown sort criterion " + item.text);
    }
    if (out.size() >= max_criteria) {
      return make_error("Too many sort criteria");
    }
    out.push_back(c);
  }
  if (reverse) {
    return make_error("REVERSE needs a criterion after it");
  }
  return out;
}

std::vector<std::uint32_t> sort_messages(const std::vector<message_facts>& messages,
                                         const std::vector<sort_criterion>& criteria) {
  std::vector<std::size_t> order(messages.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // A stable sort keeps mailbox order among equals.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    for (const auto& c : criteria) {
      int r = compare(c.key, messages[x], messages[y]);
      if (r != 0) {
        return c.reverse ? r > 0 : r < 0;
      }
    }
    return false;
  });
  std::vector<std::uint32_t> out;
  out.reserve(order.size());
  for (auto i : order) {
    out.push_back(messages[i].number);
  }
  return out;
}

}  // namespace copper::imap
