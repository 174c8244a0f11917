// libFuzzer target: the SMTP command parser, fed one command line, plus the
// xtext decoder it hands DSN parameters to.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "smtp/protocol/command.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto outcome = copper::smtp::parse_command(line);
  if (outcome.cmd) {
    for (const auto& p : outcome.cmd->params) {
      (void)copper::smtp::decode_xtext(p.value);
    }
    (void)copper::smtp::find_param(*outcome.cmd, "SIZE");
  } else {
    (void)outcome.error.wire();
  }
  return 0;
}
