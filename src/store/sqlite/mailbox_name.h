// Mailbox names and special-use attributes as the store keeps them: checked,
// bounded, and in one canonical spelling, so that lookups are plain equality.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/text.h"

namespace copper::store::sqlite {

inline constexpr std::size_t max_mailbox_name_bytes = 1000;
inline constexpr std::size_t max_mailbox_depth = 32;
inline constexpr char mailbox_separator = '/';

// The canonical form of a mailbox name, or an error with code "CANNOT".
// Names are UTF-8 (RFC 9051 5.1), "/" separates levels, no level is empty
// (so no leading, trailing or doubled "/"), no control characters; at most
// max_mailbox_name_bytes and max_mailbox_depth levels. A first level that is
// any case variant of INBOX becomes "INBOX" (RFC 9051 5.1: INBOX is case
// insensitive); other names are case sensitive.
result<std::string> canonical_mailbox_name(std::string_view name);

// The superior names of a canonical name, outermost first: "a/b/c" gives
// "a", "a/b".
std::vector<std::string> parent_mailbox_names(std::string_view name);

// The canonical RFC 6154 attribute ("\\sent" gives "\\Sent"), "" for none, or
// an error with code "USEATTR" (RFC 6154 3) for anything else.
result<std::string> canonical_special_use(std::string_view use);

}  // namespace copper::store::sqlite
