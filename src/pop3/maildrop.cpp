#include "pop3/maildrop.h"

#include <fmt/format.h>
#include <strings.h>

#include <algorithm>

namespace copper::pop3 {
namespace {

bool seen(const store::message_meta& m) {
  return std::any_of(m.flags.begin(), m.flags.end(),
                     [](const std::string& f) { return strcasecmp(f.c_str(), "\\Seen") == 0; });
}

}  // namespace

maildrop::maildrop(store::mailbox_info inbox, std::vector<store::message_meta> messages)
    : inbox_(std::move(inbox)),
      messages_(std::move(messages)),
      deleted_(messages_.size(), false),
      read_(messages_.size(), false) {}

maildrop::totals maildrop::stat() const {
  totals t;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (!deleted_[i]) {
      ++t.count;
      t.octets += messages_[i].size;
    }
  }
  return t;
}

std::string maildrop::unique_id(std::uint32_t n) const {
  return fmt::format("{}.{}", inbox_.uidvalidity, at(n).uid);
}

std::vector<std::uint32_t> maildrop::deleted_uids() const {
  std::vector<std::uint32_t> uids;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (deleted_[i]) {
      uids.push_back(messages_[i].uid);
    }
  }
  return uids;
}

std::vector<std::uint32_t> maildrop::newly_read_uids() const {
  std::vector<std::uint32_t> uids;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (read_[i] && !deleted_[i] && !seen(messages_[i])) {
      uids.push_back(messages_[i].uid);
    }
  }
  return uids;
}

}  // namespace copper::pop3
