// What the admin API reads before any decision: JSON bodies and their
// bounds, the media type, Origin against Host, and typed members.
#include "admin/json_input.h"

#include <gtest/gtest.h>

#include <string>

namespace copper::admin {
namespace {

TEST(JsonInput, ParsesAnObject) {
  auto o = parse_json_object(R"({"name":"example.org","n":3})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(string_member(*o, "name")->value(), "example.org");
  EXPECT_EQ(uint_member(*o, "n")->value(), 3u);
}

TEST(JsonInput, RefusesWhatIsNotAnObject) {
  for (const char* body : {"", "[1]", "\"x\"", "{", "{\"a\":}", "{} {}", "nul"}) {
    auto o = parse_json_object(body);
    ASSERT_FALSE(o.ok()) << body;
    EXPECT_EQ(o.err().code, "invalid_json") << body;
  }
}

TEST(JsonInput, BoundsSizeAndDepth) {
  std::string deep = "{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}";
  EXPECT_EQ(parse_json_object(deep).err().code, "invalid_json");
  std::string big = "{\"a\":\"" + std::string(max_json_body, 'x') + "\"}";
  EXPECT_EQ(parse_json_object(big).err().code, "too_large");
}

TEST(JsonInput, TypedMembersNameTheFieldAtFault) {
  auto o = parse_json_object(
      R"({"s":1,"u":-1,"b":"yes","l":["a",2],"ok":["a","b"],"big":18446744073709551615})");
  ASSERT_TRUE(o.ok());
  auto s = string_member(*o, "s");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.err().code, "invalid_field");
  EXPECT_EQ(s.err().field, "s");
  EXPECT_EQ(uint_member(*o, "u").err().field, "u");
  EXPECT_EQ(bool_member(*o, "b").err().field, "b");
  EXPECT_EQ(string_list_member(*o, "l").err().field, "l");
  EXPECT_EQ(string_list_member(*o, "ok")->value(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(uint_member(*o, "big")->value(), 18446744073709551615ull);
  EXPECT_FALSE(string_member(*o, "absent")->has_value());
  std::string long_string = "{\"s\":\"" + std::string(max_json_string + 1, 'x') + "\"}";
  EXPECT_FALSE(string_member(*parse_json_object(long_string), "s").ok());
}

TEST(JsonInput, MediaType) {
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  EXPECT_FALSE(is_json_media_type(""));
}

TEST(JsonInput, OriginMustNameTheHost) {
  EXPECT_TRUE(origin_matches("https://mail.example.org", "mail.example.org"));
  EXPECT_TRUE(origin_matches("https://mail.example.org", "mail.example.org:443"));
  EXPECT_TRUE(origin_matches("https://127.0.0.1:8443", "127.0.0.1:8443"));
  EXPECT_TRUE(origin_matches("HTTPS://Mail.Example.Org", "mail.example.org"));
  EXPECT_FALSE(origin_matches("https://evil.example", "mail.example.org"));
  EXPECT_FALSE(origin_matches("https://127.0.0.1:9999", "127.0.0.1:8443"));
  EXPECT_FALSE(origin_matches("null", "mail.example.org"));
  EXPECT_FALSE(origin_matches("https://mail.example.org@evil", "mail.example.org"));
  EXPECT_FALSE(origin_matches("ftp://mail.example.org", "mail.example.org"));
  EXPECT_FALSE(origin_matches("https://mail.example.org", ""));
}

}  // namespace
}  // namespace copper::admin
