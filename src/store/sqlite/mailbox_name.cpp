#include "store/sqlite/mailbox_name.h"

#include <array>
#include <cstdint>

namespace copper::store::sqlite {
namespace {

// Well-formed UTF-8 (RFC 3629 4): no overlong forms, no surrogates, nothing
// above U+10FFFF; and no C0 or C1 controls or DEL, which no client shows and
// some protocols cannot carry.
bool valid_utf8_text(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        return false;
      }
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3f);
    }
    constexpr std::array<std::uint32_t, 5> min_for_len = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
        (cp >= 0x80 && cp <= 0x9f)) {
      return false;
    }
    i += len;
  }
  return true;
}

error bad_name(std::string_view why) { return make_error(std::string(why), "CANNOT"); }

}  // namespace

result<std::string> canonical_mailbox_name(std::string_view name) {
  if (name.empty()) {
    return bad_name("empty mailbox name");
  }
  if (name.size() > max_mailbox_name_bytes) {
    return bad_name("mailbox name longer than " + std::to_string(max_mailbox_name_bytes) +
                    " bytes");
  }
  if (!valid_utf8_text(name)) {
    return bad_name("mailbox name is not valid UTF-8 text");
  }
  std::size_t depth = 1;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == mailbox_separator) {
      if (i == start) {
        return bad_name("mailbox name has an empty level");
      }
      start = i + 1;
      if (i < name.size() && ++depth > max_mailbox_depth) {
        return bad_name("mailbox name deeper than " + std::to_string(max_mailbox_depth) +
                        " levels");
      }
    }
  }
  std::string out(name);
  auto first = name.substr(0, name.find(mailbox_separator));
  if (iequals_ascii(first, "INBOX")) {
    out.replace(0, first.size(), "INBOX");
  }
  return out;
}

std::vector<std::string> parent_mailbox_names(std::string_view name) {
  std::vector<std::string> out;
  for (auto pos = name.find(mailbox_separator); pos != std::string_view::npos;
       pos = name.find(mailbox_separator, pos + 1)) {
    out.emplace_back(name.substr(0, pos));
  }
  return out;
}

result<std::string> canonical_special_use(std::string_view use) {
  // RFC 6154 2.
  static constexpr std::array<std::string_view, 7> known = {
      "\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"};
  if (use.empty()) {
    return std::string();
  }
  for (auto k : known) {
    if (iequals_ascii(use, k)) {
      return std::string(k);
    }
  }
  return make_error("unsupported special-use attribute " + std::string(use), "USEATTR");
}

}  // namespace copper::store::sqlite
