#include "http/static_files.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "temp_dir.h"

namespace copper::http {
namespace {

std::string header(const static_reply& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) {
      return v;
    }
  }
  return {};
}

static_site sample_site() {
  static_site site;
  site.add("index.html", "<!doctype html><title>app</title>" + std::string(2000, ' '));
  site.add("assets/index-1a2b3c.js", "console.log('x');" + std::string(3000, ';'));
  site.add("logo.png", std::string("\x89PNG\r\n", 6) + "0123456789");
  return site;
}

TEST(SiteRelativePath, AcceptsPlainNamesAndDecodes) {
  EXPECT_EQ(site_relative_path("/admin/", "/admin/"), "");
  EXPECT_EQ(site_relative_path("/admin/assets/a.js", "/admin/"), "assets/a.js");
  EXPECT_EQ(site_relative_path("/admin/a%20b.txt", "/admin/"), "a b.txt");
  EXPECT_EQ(site_relative_path("/admin/users/", "/admin/"), "users/");
}

TEST(SiteRelativePath, RefusesTraversalAndOddSegments) {
  for (std::string_view p :
       {"/admin/../etc/passwd", "/admin/assets/../../x", "/admin/%2e%2e/x", "/admin/%2E%2E%2Fx",
        "/admin/./index.html", "/admin//etc", "/admin/a%5c..%5cb", "/admin/a%00b", "/admin/%zz",
        "/other/index.html", "/admin/.."}) {
    EXPECT_FALSE(site_relative_path(p, "/admin/")) << p;
  }
}

TEST(ParseRange, SingleRanges) {
  auto r = parse_range("bytes=0-9", 100);
  EXPECT_EQ(r.what, byte_range::kind::satisfiable);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 9u);
  r = parse_range("bytes=90-", 100);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=-10", 100);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=50-500", 100);  // clamped to the end
  EXPECT_EQ(r.last, 99u);
  r = parse_range("bytes=-500", 100);  // a suffix longer than the file: all of it
  EXPECT_EQ(r.first, 0u);
}

TEST(ParseRange, UnsatisfiableAndIgnored) {
  EXPECT_EQ(parse_range("bytes=100-", 100).what, byte_range::kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 100).what, byte_range::kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).what, byte_range::kind::unsatisfiable);
  for (std::string_view h : {"", "bytes=", "bytes=5-1", "bytes=0-1,5-6", "items=0-1", "bytes=a-b",
                             "bytes=99999999999999999999-", "bytes=1"}) {
    EXPECT_EQ(parse_range(h, 100).what, byte_range::kind::none) << h;
  }
}

TEST(EtagMatches, ListsStarAndWeak) {
  EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("\"x\", W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(etag_matches("*", "\"abc\""));
  EXPECT_FALSE(etag_matches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(etag_matches("", "\"abc\""));
}

TEST(AcceptsGzip, Weights) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
}

TEST(ServeStatic, IndexAndSpaFallback) {
  auto site = sample_site();
  auto r = serve_static(site, "/admin/", {.path = "/admin/"});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.cache_control, "no-cache");
  auto route = serve_static(site, "/admin/", {.path = "/admin/users/a%40b.org"});
  EXPECT_EQ(route.status, 200u);
  EXPECT_EQ(route.body, r.body);
  // Neither a missing asset nor the API falls back to the HTML.
  EXPECT_EQ(serve_static(site, "/admin/", {.path = "/admin/assets/gone-123.js"}).status, 404u);
  EXPECT_EQ(serve_static(site, "/admin/", {.path = "/admin/api/nothing"}).status, 404u);
  EXPECT_EQ(serve_static(site, "/admin/", {.path = "/admin/../index.html"}).status, 404u);
}

TEST(ServeStatic, HashedAssetsAreImmutable) {
  auto site = sample_site();
  auto r = serve_static(site, "/admin/", {.path = "/admin/assets/index-1a2b3c.js"});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.cache_control, "public, max-age=31536000, immutable");
  EXPECT_EQ(r.content_type, "application/javascript; charset=utf-8");
  EXPECT_EQ(header(r, "Vary"), "Accept-Encoding");
  EXPECT_EQ(header(r, "Content-Encoding"), "");
}

TEST(ServeStatic, GzipWhenAcceptedWithItsOwnEtag) {
  auto site = sample_site();
  static_request req{.path = "/admin/assets/index-1a2b3c.js", .accept_encoding = "gzip"};
  auto gz = serve_static(site, "/admin/", req);
  EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
  EXPECT_LT(gz.body.size(), site.find("assets/index-1a2b3c.js")->body.size());
  EXPECT_EQ(gz.body.substr(0, 2), "\x1f\x8b");
  auto plain = serve_static(site, "/admin/", {.path = "/admin/assets/index-1a2b3c.js"});
  EXPECT_NE(header(gz, "ETag"), header(plain, "ETag"));
  // A PNG is not recompressed.
  auto png = serve_static(site, "/admin/", {.path = "/admin/logo.png", .accept_encoding = "gzip"});
  EXPECT_EQ(header(png, "Content-Encoding"), "");
  EXPECT_EQ(header(png, "Vary"), "");
}

TEST(ServeStatic, NotModified) {
  auto site = sample_site();
  auto first = serve_static(site, "/admin/", {.path = "/admin/", .accept_encoding = "gzip"});
  auto etag = header(first, "ETag");
  ASSERT_FALSE(etag.empty());
  auto again = serve_static(site, "/admin/",
                            {.path = "/admin/", .if_none_match = etag, .accept_encoding = "gzip"});
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(header(again, "ETag"), etag);
  // The other representation's tag does not validate this one.
  auto identity = serve_static(site, "/admin/", {.path = "/admin/", .if_none_match = etag});
  EXPECT_EQ(identity.status, 200u);
}

TEST(ServeStatic, Ranges) {
  auto site = sample_site();
  const auto& png = site.find("logo.png")->body;
  auto r = serve_static(site, "/admin/", {.path = "/admin/logo.png", .range = "bytes=2-5"});
  EXPECT_EQ(r.status, 206u);
  EXPECT_EQ(r.body, png.substr(2, 4));
  EXPECT_EQ(header(r, "Content-Range"), "bytes 2-5/16");
  auto bad = serve_static(site, "/admin/", {.path = "/admin/logo.png", .range = "bytes=16-"});
  EXPECT_EQ(bad.status, 416u);
  EXPECT_EQ(header(bad, "Content-Range"), "bytes */16");
  // If-Range with a stale tag: the whole file.
  auto stale = serve_static(
      site, "/admin/", {.path = "/admin/logo.png", .range = "bytes=2-5", .if_range = "\"old\""});
  EXPECT_EQ(stale.status, 200u);
  EXPECT_EQ(stale.body, png);
  auto current = serve_static(
      site, "/admin/",
      {.path = "/admin/logo.png", .range = "bytes=2-5", .if_range = header(r, "ETag")});
  EXPECT_EQ(current.status, 206u);
  // A range is served from the identity body even when gzip is accepted.
  auto js = serve_static(
      site, "/admin/",
      {.path = "/admin/assets/index-1a2b3c.js", .accept_encoding = "gzip", .range = "bytes=0-6"});
  EXPECT_EQ(js.status, 206u);
  EXPECT_EQ(js.body, "console");
}

TEST(StaticSite, LoadsADirectoryWithoutFollowingSymlinks) {
  test::temp_dir dir;
  std::filesystem::create_directories(dir.path() / "site/assets");
  std::ofstream(dir.path() / "site/index.html") << "<!doctype html>";
  std::ofstream(dir.path() / "site/assets/a-1.css") << "body{}";
  std::ofstream(dir.path() / "secret.txt") << "secret";
  std::filesystem::create_symlink(dir.path() / "secret.txt", dir.path() / "site/link.txt");
  auto site = static_site::load(dir.path() / "site");
  ASSERT_TRUE(site) << site.err().message;
  EXPECT_EQ(site->size(), 2u);
  ASSERT_NE(site->find("assets/a-1.css"), nullptr);
  EXPECT_EQ(site->find("assets/a-1.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(site->find("link.txt"), nullptr);
  EXPECT_FALSE(static_site::load(dir.path() / "missing"));
}

}  // namespace
}  // namespace copper::http
