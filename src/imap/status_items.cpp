#include "imap/status_items.h"

#include <array>
#include <string_view>

#include "imap/protocol/response.h"

namespace copper::imap {
namespace {

constexpr std::array<std::string_view, 11> known_items = {
    "MESSAGES", "UIDNEXT",     "UIDVALIDITY",     "UNSEEN",    "DELETED",      "SIZE",
    "RECENT",   "APPENDLIMIT", "DELETED-STORAGE", "MAILBOXID", "HIGHESTMODSEQ"};

std::uint64_t item_value(std::string_view item, const store::mailbox_info& info,
                         std::uint64_t append_limit) {
  if (item == "MESSAGES") {
    return info.messages;
  }
  if (item == "UIDNEXT") {
    return info.uidnext;
  }
  if (item == "UIDVALIDITY") {
    return info.uidvalidity;
  }
  if (item == "UNSEEN") {
    return info.unseen;
  }
  if (item == "DELETED") {
    return info.deleted;
  }
  if (item == "SIZE") {
    return info.size;
  }
  if (item == "HIGHESTMODSEQ") {
    return info.highestmodseq;  // RFC 7162 3.1.10
  }
  if (item == "APPENDLIMIT") {
    return append_limit;  // RFC 7889 3: the same limit for every mailbox
  }
  if (item == "DELETED-STORAGE") {
    // RFC 9208 4.1.4: the sum of RFC822.SIZE of the \Deleted messages,
    // which is exactly what EXPUNGE frees here.
    return info.deleted_size;
  }
  return 0;  // RECENT: IMAP4rev1 only; this server does not track \Recent
}

std::string upper(std::string s) {
  for (char& ch : s) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return s;
}

}  // namespace

result<void> check_status_items(const std::vector<value>& items) {
  if (items.empty()) {
    return make_error("Empty STATUS item list");
  }
  for (const auto& item : items) {
    bool known = false;
    for (auto k : known_items) {
      known = known || (item.is_atom() && item.equals(k));
    }
    if (!known) {
      return make_error("Unknown STATUS item " + item.text);
    }
  }
  return {};
}

std::string status_response(const std::vector<value>& items, const store::mailbox_info& info,
                            std::uint64_t append_limit) {
  std::string line = "STATUS ";
  append_astring(line, info.name);
  line += " (";
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string name = upper(items[i].text);
    if (i > 0) {
      line += ' ';
    }
    line += name;
    line += ' ';
    if (name == "MAILBOXID") {
      line += "(F" + std::to_string(info.id) + ")";  // RFC 8474 4.3
    } else {
      line += std::to_string(item_value(name, info, append_limit));
    }
  }
  line += ')';
  return line;
}

}  // namespace copper::imap
