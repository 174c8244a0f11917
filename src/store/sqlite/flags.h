// Message flags as the store keeps them (RFC 9051 2.3.2): system flags in
// their canonical spelling, keywords as first written, no duplicates.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/mailbox_store.h"

namespace copper::store::sqlite {

inline constexpr std::size_t max_flags_per_message = 128;
inline constexpr std::size_t max_keyword_bytes = 255;

// Checks and canonicalises flags from a client: system flags match case
// insensitively and come out as "\\Seen" etc., in RFC 9051 order, then the
// keywords in the given order. Duplicates (compared case-insensitively, as
// atoms are) are dropped. "\\Recent" (which clients cannot set, RFC 3501
// 2.3.2) and unknown system flags are refused with "CANNOT"; keywords must be
// atoms (RFC 9051 9). More than max_flags_per_message is "LIMIT".
result<std::vector<std::string>> canonical_flags(const std::vector<std::string>& flags);

// The flags after `op`; both inputs canonical, and so is the result.
std::vector<std::string> apply_flag_operation(const std::vector<std::string>& current,
                                              flag_operation op,
                                              const std::vector<std::string>& given);

// Whether two canonical flag lists hold the same flags, in whatever order.
bool same_flags(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace copper::store::sqlite
