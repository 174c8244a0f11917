// SORT (RFC 5256 3): the sort program and the ordering of messages by their
// header facts. Pure: the session runs the search and gathers the facts.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "imap/order/facts.h"
#include "imap/protocol/parser.h"

namespace copper::imap {

enum class sort_key { arrival, cc, date, from, size, subject, to };

struct sort_criterion {
  sort_key key = sort_key::arrival;
  bool reverse = false;
};

// sort-criteria = "(" sort-criterion *(SP sort-criterion) ")" (RFC 5256 5).
result<std::vector<sort_criterion>> parse_sort_criteria(const value& list);

// The numbers of `messages` (given in mailbox order) sorted by `criteria`,
// ties broken by mailbox order (RFC 5256 3: the implicit sequence-number
// criterion, which REVERSE does not reverse).
std::vector<std::uint32_t> sort_messages(const std::vector<message_facts>& messages,
                                         const std::vector<sort_criterion>& criteria);

}  // namespace copper::imap
