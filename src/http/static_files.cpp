#include "http/static_files.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <charconv>
#include <fstream>
#include <iterator>

#include "core/text.h"
#include "http/parse.h"

namespace copper::http {
namespace {

namespace fs = std::filesystem;

// Headers we parse are short; anything longer is not from a real client.
constexpr std::size_t max_header_value = 1024;

std::string etag_of(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), digest.data(), &len, EVP_sha256(), nullptr);
  // 128 bits tell versions of one file apart; the quotes are part of the tag.
  return fmt::format("\"{:02x}\"", fmt::join(digest.begin(), digest.begin() + 16, ""));
}

bool compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/javascript") ||
         content_type.starts_with("application/json") ||
         content_type.starts_with("image/svg+xml") ||
         content_type.starts_with("application/manifest+json");
}

// gzip (RFC 1952) at the best level: it runs once per file at startup.
std::string gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

bool is_digits(std::string_view s) {
  // 18 digits keep every value below 2^63: no overflow to check.
  if (s.empty() || s.size() > 18) {
    return false;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

std::uint64_t to_number(std::string_view digits) {
  std::uint64_t v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return v;
}

// Strips W/ for the weak comparison of RFC 9110 8.8.3.2.
std::string_view opaque_tag(std::string_view tag) {
  tag = trim_blanks(tag);
  if (tag.starts_with("W/")) {
    tag.remove_prefix(2);
  }
  return tag;
}

// Vite puts content-hashed bundles under assets/; everything else (the
// index.html that names them) must be revalidated.
bool is_hashed_asset(std::string_view rel) { return rel.starts_with("assets/"); }

// What a missing file looks like, as opposed to an app route such as
// "users/alice@example.org" (a dot, but no file type we serve).
bool looks_like_a_file(std::string_view rel) {
  return rel.starts_with("assets/") || content_type_for(rel) != "application/octet-stream";
}

void add_file_reply(static_reply& out, const static_file& file, const static_request& req) {
  // A range applies to the identity body only: clients ask for ranges of
  // downloads, and Content-Range must count the bytes actually sent.
  bool use_gzip = !file.gzip.empty() && req.range.empty() && accepts_gzip(req.accept_encoding);
  std::string etag = use_gzip ? file.etag.substr(0, file.etag.size() - 1) + "-gz\"" : file.etag;
  out.content_type = file.content_type;
  out.cache_control = file.immutable ? "public, max-age=31536000, immutable" : "no-cache";
  out.headers.emplace_back("ETag", etag);
  out.headers.emplace_back("Accept-Ranges", "bytes");
  if (!file.gzip.empty()) {
    out.headers.emplace_back("Vary", "Accept-Encoding");
  }
  // RFC 9110 13.2.2: If-None-Match is evaluated before Range.
  if (!req.if_none_match.empty() && etag_matches(req.if_none_match, etag)) {
    out.status = 304;
    return;
  }
  if (use_gzip) {
    out.headers.emplace_back("Content-Encoding", "gzip");
    out.body = file.gzip;
    return;
  }
  // RFC 9110 13.1.5: If-Range with anything but our current strong tag (a
  // date included: we send no Last-Modified) means "send it all".
  bool range_allowed = req.if_range.empty() || trim_blanks(req.if_range) == file.etag;
  auto r = range_allowed ? parse_range(req.range, file.body.size()) : byte_range{};
  switch (r.what) {
    case byte_range::kind::none:
      out.body = file.body;
      return;
    case byte_range::kind::unsatisfiable:
      out.status = 416;
      out.content_type = "text/plain; charset=utf-8";
      out.body = "Range not satisfiable\n";
      out.headers.emplace_back("Content-Range", fmt::format("bytes */{}", file.body.size()));
      return;
    case byte_range::kind::satisfiable:
      out.status = 206;
      out.body = file.body.substr(r.first, r.last - r.first + 1);
      out.headers.emplace_back("Content-Range",
                               fmt::format("bytes {}-{}/{}", r.first, r.last, file.body.size()));
      return;
  }
}

static_reply not_found() {
  static_reply r;
  r.status = 404;
  r.content_type = "application/json";
  r.body = "{\"error\":\"Not found\"}\n";
  r.cache_control = "no-store";
  return r;
}

}  // namespace

result<static_site> static_site::load(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return make_error(fmt::format("{} is not a directory", root.string()));
  }
  static_site site;
  std::uint64_t total = 0;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) {
      continue;
    }
    total += it->file_size(ec);
    if (site.size() >= max_site_files || total > max_site_bytes) {
      return make_error(fmt::format("{} holds more than {} files or {} bytes", root.string(),
                                    max_site_files, max_site_bytes));
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return make_error(fmt::format("cannot read {}", it->path().string()));
    }
    site.add(it->path().lexically_relative(root).generic_string(), std::move(body));
  }
  if (ec) {
    return make_error(fmt::format("cannot list {}: {}", root.string(), ec.message()));
  }
  return site;
}

void static_site::add(const std::string& rel, std::string body) {
  static_file f;
  f.content_type = content_type_for(rel);
  f.etag = etag_of(body);
  f.immutable = is_hashed_asset(rel);
  if (compressible(f.content_type)) {
    f.gzip = gzip(body);
    if (f.gzip.size() >= body.size()) {
      f.gzip.clear();
    }
  }
  f.body = std::move(body);
  files_.insert_or_assign(rel, std::move(f));
}

const static_file* static_site::find(std::string_view rel) const {
  auto it = files_.find(rel);
  return it == files_.end() ? nullptr : &it->second;
}

static_reply serve_static(const static_site& site, std::string_view prefix,
                          const static_request& req) {
  auto rel = site_relative_path(req.path, prefix);
  if (!rel) {
    return not_found();
  }
  const static_file* file = site.find(rel->empty() ? "index.html" : *rel);
  // Client-side routes ("/admin/users") get the app; a missing asset or API
  // path gets a 404, not HTML that a script tag would choke on.
  if (file == nullptr && !looks_like_a_file(*rel) && !rel->starts_with("api/") && *rel != "api") {
    file = site.find("index.html");
  }
  if (file == nullptr) {
    return not_found();
  }
  static_reply out;
  add_file_reply(out, *file, req);
  return out;
}

std::optional<std::string> site_relative_path(std::string_view encoded_path,
                                              std::string_view prefix) {
  if (!encoded_path.starts_with(prefix) || encoded_path.size() > 2048) {
    return std::nullopt;
  }
  auto decoded = percent_decode(encoded_path.substr(prefix.size()), false);
  if (!decoded) {
    return std::nullopt;
  }
  std::string_view rest = *decoded;
  if (rest.empty()) {
    return std::string();
  }
  // Every segment must be a plain name: this is what keeps a request inside
  // the site (the files are looked up in memory, but be explicit anyway).
  for (;;) {
    auto slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == ".." || seg.find('\\') != std::string_view::npos ||
        seg.find('\0') != std::string_view::npos) {
      return std::nullopt;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    rest = rest.substr(slash + 1);
    if (rest.empty()) {
      break;  // a trailing slash: "dir/" names an app route
    }
  }
  return decoded;
}

byte_range parse_range(std::string_view header, std::uint64_t length) {
  header = trim_blanks(header);
  if (header.size() > max_header_value || !header.starts_with("bytes=")) {
    return {};
  }
  std::string_view spec = trim_blanks(header.substr(6));
  if (spec.find(',') != std::string_view::npos) {
    return {};  // several ranges: we send the whole representation instead
  }
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) {
    return {};
  }
  std::string_view a = trim_blanks(spec.substr(0, dash));
  std::string_view b = trim_blanks(spec.substr(dash + 1));
  if (a.empty()) {
    // A suffix: the last N bytes (RFC 9110 14.1.2); "-0" cannot be satisfied.
    if (!is_digits(b)) {
      return {};
    }
    auto n = to_number(b);
    if (n == 0 || length == 0) {
      return {byte_range::kind::unsatisfiable};
    }
    n = std::min(n, length);
    return {byte_range::kind::satisfiable, length - n, length - 1};
  }
  if (!is_digits(a) || (!b.empty() && !is_digits(b))) {
    return {};
  }
  auto first = to_number(a);
  std::uint64_t last = b.empty() ? length - 1 : to_number(b);
  if (!b.empty() && last < first) {
    return {};  // invalid syntax (14.1.1): ignored, not refused
  }
  if (first >= length) {
    return {byte_range::kind::unsatisfiable};
  }
  return {byte_range::kind::satisfiable, first, std::min(last, length - 1)};
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.size() > max_header_value) {
    return false;
  }
  if (trim_blanks(if_none_match) == "*") {
    return true;
  }
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    if (opaque_tag(if_none_match.substr(0, comma)) == opaque_tag(etag)) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

bool accepts_gzip(std::string_view accept_encoding) {
  if (accept_encoding.size() > max_header_value) {
    return false;
  }
  std::optional<bool> gzip_ok;
  bool star_ok = false;
  while (!accept_encoding.empty()) {
    auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    auto semi = item.find(';');
    std::string_view coding = trim_blanks(item.substr(0, semi));
    bool allowed = true;
    if (semi != std::string_view::npos) {
      // "q=0", "q=0.0", "q=0.000" refuse; any other weight allows.
      std::string_view q = trim_blanks(item.substr(semi + 1));
      if (q.starts_with("q=") || q.starts_with("Q=")) {
        q.remove_prefix(2);
        allowed = q.find_first_not_of("0.") != std::string_view::npos;
      }
    }
    if (iequals_ascii(coding, "gzip") || iequals_ascii(coding, "x-gzip")) {
      gzip_ok = allowed;
    } else if (coding == "*") {
      star_ok = allowed;
    }
  }
  return gzip_ok.value_or(star_ok);
}

std::string_view content_type_for(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "application/javascript; charset=utf-8"},
      {".mjs", "application/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : types) {
    if (name.ends_with(ext)) {
      return type;
    }
  }
  return "application/octet-stream";
}

}  // namespace copper::http
