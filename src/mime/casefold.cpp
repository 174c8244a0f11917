#include "mime/casefold.h"

#include <unicase.h>
#include <uninorm.h>

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "core/text.h"
#include "mime/charset.h"

namespace copper::mime {
namespace {

struct free_deleter {
  void operator()(std::uint8_t* p) const { std::free(p); }  // NOLINT(cppcoreguidelines-no-malloc)
};

}  // namespace

std::string casefold(std::string_view utf8) {
  std::string valid;
  if (!is_valid_utf8(utf8)) {
    append_valid_utf8(valid, utf8);
    utf8 = valid;
  }
  if (utf8.empty()) {
    return {};
  }
  // ASCII alone: full case folding maps only A-Z (CaseFolding.txt), and NFKD
  // leaves every ASCII character as it is. Most mail text is ASCII, and the
  // search indexer spent a fifth of its time in libunistring for it.
  if (is_ascii(utf8)) {
    return to_lower_ascii(utf8);
  }
  std::size_t length = 0;
  // RFC 5051 2.2: full case folding, then NFKD; no language-specific rules.
  std::unique_ptr<std::uint8_t, free_deleter> folded(
      u8_casefold(reinterpret_cast<const std::uint8_t*>(utf8.data()), utf8.size(), nullptr,
                  UNINORM_NFKD, nullptr, &length));
  if (!folded) {
    return to_lower_ascii(utf8);
  }
  return {reinterpret_cast<const char*>(folded.get()), length};
}

std::size_t code_points(std::string_view utf8) {
  std::size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

}  // namespace copper::mime
