// libFuzzer target: the MIME parser and everything built on it (ENVELOPE,
// BODYSTRUCTURE, BODY, the full-text index text and its case folding,
// address lists, encoded words). Nothing may crash, and every part's offsets must lie inside the
// input, in order: header before body, children inside their parent's body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mime/address.h"
#include "mime/casefold.h"
#include "mime/charset.h"
#include "mime/decode.h"
#include "mime/imap.h"
#include "mime/text.h"

namespace {

void check(const copper::mime::part& p, std::size_t size) {
  if (p.header.begin > p.header.end || p.header.end > p.body.begin || p.body.begin > p.body.end ||
      p.body.end > size || p.body_lines > p.body.size() || p.body_bare_lf > p.body_lines) {
    std::abort();
  }
  std::size_t pos = p.body.begin;
  for (const copper::mime::part& c : p.children) {
    if (c.header.begin < pos || c.body.end > p.body.end) {
      std::abort();
    }
    check(c, size);
    pos = c.body.end;
  }
}

void run(std::string_view raw, const copper::mime::limits& lim) {
  copper::mime::message m = copper::mime::parse(raw, lim);
  check(m.root, raw.size());
  (void)copper::mime::imap_envelope(raw, m);
  (void)copper::mime::imap_bodystructure(raw, m, true);
  (void)copper::mime::imap_bodystructure(raw, m, false);
  std::string text = copper::mime::decoded_text(raw, m, 4096);
  if (text.size() > 4096 || !copper::mime::is_valid_utf8(text)) {
    std::abort();
  }
  std::string body = copper::mime::decoded_body_text(raw, m, 4096);
  if (body.size() > 4096 || !copper::mime::is_valid_utf8(copper::mime::casefold(body))) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  run(raw, copper::mime::limits{});
  // Tight limits reach the depth and part-count paths with small inputs.
  copper::mime::limits tight;
  tight.max_depth = 3;
  tight.max_parts = 8;
  tight.max_field_size = 64;
  tight.max_params = 3;
  tight.max_boundary = 8;
  run(raw, tight);
  (void)copper::mime::parse_address_list(raw, 50);
  if (!copper::mime::is_valid_utf8(copper::mime::decode_words(raw))) {
    std::abort();
  }
  // Search needles and indexed text: any bytes fold to valid UTF-8.
  if (!copper::mime::is_valid_utf8(copper::mime::casefold(raw))) {
    std::abort();
  }
  return 0;
}
