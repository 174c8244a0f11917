// STATUS data items (RFC 9051 6.3.11) shared by STATUS and LIST's STATUS
// return option (RFC 5819): SIZE (RFC 8438), DELETED and DELETED-STORAGE
// (RFC 9208), APPENDLIMIT (RFC 7889).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "imap/protocol/parser.h"
#include "store/mailbox_store.h"

namespace copper::imap {

// Checks the requested items: an error names an unknown or malformed one.
result<void> check_status_items(const std::vector<value>& items);
// "STATUS name (ITEM value ...)" for items that passed check_status_items.
std::string status_response(const std::vector<value>& items, const store::mailbox_info& info,
                            std::uint64_t append_limit);

}  // namespace copper::imap
