// libFuzzer target: mailbox parsing and domain normalisation (IDNA via
// libidn2), which every MAIL/RCPT argument reaches.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/address.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto addr = copper::parse_mailbox(text, true);
  if (addr) {
    // What we write back must parse to the same address.
    auto again = copper::parse_mailbox(addr->wire(), true);
    if (!again || again->key() != addr->key()) {
      std::abort();
    }
  }
  (void)copper::normalize_domain(text);
  return 0;
}
