// libFuzzer target for what the admin API reads from a request before any
// decision (admin/json_input.h) and the path split of http/parse.h: the
// input is split at the first two newlines into a path below /admin/api/,
// an Origin header and a JSON body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "admin/json_input.h"
#include "http/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace copper::admin;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view path = in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  auto nl2 = rest.find('\n');
  std::string_view origin = rest.substr(0, nl2);
  std::string_view body = nl2 == std::string_view::npos ? std::string_view() : rest.substr(nl2 + 1);

  (void)copper::http::path_segments(path, 16);
  (void)origin_matches(origin, "mail.example.org:8443");
  (void)is_json_media_type(origin);
  if (auto o = parse_json_object(body)) {
    for (std::string_view name : {"username", "password", "targets", "disabled", "quota_bytes"}) {
      (void)string_member(*o, name);
      (void)uint_member(*o, name);
      (void)bool_member(*o, name);
      (void)string_list_member(*o, name);
    }
  }
  return 0;
}
