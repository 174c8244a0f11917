// The web apps' files (web/, built by Vite) served from memory: loaded and
// gzip-compressed once at startup, so no request reads the disk. Answers
// conditional (ETag, RFC 9110 13.1.2) and single-range (RFC 9110 14) requests.
// No I/O after load() and no Asio: the unit tests and the fuzzer use it alone.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace copper::http {

// Bounds on what load() accepts from the web root.
constexpr std::size_t max_site_files = 4096;
constexpr std::uint64_t max_site_bytes = std::uint64_t{64} * 1024 * 1024;

struct static_file {
  std::string body;
  std::string gzip;  // empty when compression does not pay
  std::string etag;  // strong, quoted; the gzip variant appends "-gz"
  std::string_view content_type;
  bool immutable = false;  // a Vite asset whose name carries its content hash
};

class static_site {
 public:
  // Every regular file below `root` (symlinks are not followed). An error if
  // the root is not a directory or exceeds the bounds above.
  static result<static_site> load(const std::filesystem::path& root);

  // `rel` is relative to the site ("index.html", "assets/app-1a2b.js").
  void add(const std::string& rel, std::string body);
  const static_file* find(std::string_view rel) const;
  bool empty() const { return files_.empty(); }
  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, static_file, std::less<>> files_;
};

// The request headers that matter, as received (empty when absent).
struct static_request {
  std::string_view path = {};  // still percent-encoded, e.g. "/admin/assets/x.js"
  std::string_view if_none_match = {};
  std::string_view accept_encoding = {};
  std::string_view range = {};
  std::string_view if_range = {};
};

struct static_reply {
  unsigned status = 200;
  std::string_view content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string_view cache_control = "no-cache";
  std::vector<std::pair<std::string, std::string>> headers;
};

// Answers a GET or HEAD for a single-page app mounted at `prefix` ("/admin/"):
// a file of the site, else index.html for paths that look like app routes
// (not under "assets/" or "api/", no file type we serve), else 404.
static_reply serve_static(const static_site& site, std::string_view prefix,
                          const static_request& req);

// The file a request path names relative to `prefix`: percent-decoded, ""
// for the prefix itself. nullopt for anything that could leave the site:
// "." or ".." segments, empty segments, backslashes, NUL, bad escapes.
std::optional<std::string> site_relative_path(std::string_view encoded_path,
                                              std::string_view prefix);

// RFC 9110 14.1.2 "bytes=first-last", "bytes=first-", "bytes=-suffix" for a
// representation of `length` bytes. Multiple ranges and malformed values are
// ignored (kind none), as 14.2 allows: the whole representation is sent.
struct byte_range {
  enum class kind { none, satisfiable, unsatisfiable } what = kind::none;
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};
byte_range parse_range(std::string_view header, std::uint64_t length);

// RFC 9110 13.1.2 If-None-Match: "*" or a list of entity tags, compared
// weakly (a W/ prefix is ignored).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// RFC 9110 12.5.3: gzip is acceptable unless given q=0 (or only "*" allows it).
bool accepts_gzip(std::string_view accept_encoding);

// The Content-Type for a file name, by extension.
std::string_view content_type_for(std::string_view name);

}  // namespace copper::http
