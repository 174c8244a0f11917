#include "http/parse.h"

#include <gtest/gtest.h>

namespace copper::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlus) {
  EXPECT_EQ(percent_decode("a%20b%2Bc", false), "a b+c");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode("", false), "");
}

TEST(PercentDecode, RefusesMalformedEscapes) {
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%4", false));
  EXPECT_FALSE(percent_decode("abc%4", false));
  EXPECT_FALSE(percent_decode("%zz", false));
  EXPECT_FALSE(percent_decode("%g0", false));
}

TEST(ParseQuery, SplitsAndDecodes) {
  auto f = parse_query("emailaddress=alice%40example.org&x=1+2&flag&=skipped&&y=");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], (std::pair<std::string, std::string>{"emailaddress", "alice@example.org"}));
  EXPECT_EQ(f[1].second, "1 2");
  EXPECT_EQ(f[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(f[3], (std::pair<std::string, std::string>{"y", ""}));
  EXPECT_EQ(find_field(f, "x"), "1 2");
  EXPECT_FALSE(find_field(f, "missing"));
}

TEST(ParseQuery, SkipsMalformedPairsAndBoundsFieldCount) {
  auto f = parse_query("a=%zz&b=ok");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].first, "b");
  std::string many;
  for (int i = 0; i < 1000; ++i) {
    many += "k=v&";
  }
  EXPECT_EQ(parse_query(many).size(), max_fields);
}

TEST(ParseForm, IsFormEncoding) {
  auto f = parse_form("user=bob%40example.org&password=a+b%26c");
  EXPECT_EQ(find_field(f, "user"), "bob@example.org");
  EXPECT_EQ(find_field(f, "password"), "a b&c");
}

TEST(ParseCookies, Rfc6265Pairs) {
  auto c = parse_cookies("session=abc123; theme=\"dark\";  empty=; novalue; =x");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(find_field(c, "session"), "abc123");
  EXPECT_EQ(find_field(c, "theme"), "dark");
  EXPECT_EQ(find_field(c, "empty"), "");
}

TEST(ParseTarget, OriginFormOnly) {
  auto t = parse_target("/mail/config-v1.1.xml?emailaddress=a%40b.c");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/mail/config-v1.1.xml");
  EXPECT_EQ(t->query, "emailaddress=a%40b.c");
  EXPECT_TRUE(parse_target("/"));
  EXPECT_FALSE(parse_target("http://example.org/"));
  EXPECT_FALSE(parse_target("*"));
  EXPECT_FALSE(parse_target("relative"));
  EXPECT_FALSE(parse_target("/a b"));
  EXPECT_FALSE(parse_target("/%zz"));
}

TEST(XmlEscape, EscapesMarkupAndControls) {
  EXPECT_EQ(xml_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(xml_escape(std::string("a\x01z")), "a?z");
}

TEST(AutodiscoverEmail, FindsTheAddress) {
  std::string body =
      "<?xml version=\"1.0\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/"
      "autodiscover/outlook/requestschema/2006\"><Request><EMailAddress> alice@example.org "
      "</EMailAddress><AcceptableResponseSchema>x</AcceptableResponseSchema></Request>"
      "</Autodiscover>";
  EXPECT_EQ(autodiscover_email(body), "alice@example.org");
}

TEST(AutodiscoverEmail, RefusesMissingOrImplausible) {
  EXPECT_FALSE(autodiscover_email("<Request></Request>"));
  EXPECT_FALSE(autodiscover_email("<EMailAddress>alice@example.org"));
  EXPECT_FALSE(autodiscover_email("<EMailAddress>not an address</EMailAddress>"));
  EXPECT_FALSE(autodiscover_email("<EMailAddress>a<b>@c</EMailAddress>"));
  EXPECT_FALSE(autodiscover_email("<EMailAddress>" + std::string(2000, 'a') + "@b</EMailAddress>"));
}

TEST(PlausibleAddress, Shape) {
  EXPECT_TRUE(plausible_address("a@b"));
  EXPECT_FALSE(plausible_address("@b"));
  EXPECT_FALSE(plausible_address("a@"));
  EXPECT_FALSE(plausible_address("ab"));
  EXPECT_FALSE(plausible_address("a\"@b"));
}

TEST(Parse, PathSegmentsAreDecodedAfterSplitting) {
  using v = std::vector<std::string>;
  EXPECT_EQ(path_segments("users/a%40b.org", 16), (v{"users", "a@b.org"}));
  EXPECT_EQ(path_segments("aliases/%2Fx", 16), (v{"aliases", "/x"}));
  EXPECT_EQ(path_segments("", 16), (v{""}));
  EXPECT_EQ(path_segments("a/", 16), (v{"a", ""}));
  EXPECT_EQ(path_segments("a+b", 16), (v{"a+b"}));  // not form encoding
  EXPECT_FALSE(path_segments("users/%zz", 16));
  EXPECT_FALSE(path_segments("a/b/c", 2));
}

}  // namespace
}  // namespace copper::http
