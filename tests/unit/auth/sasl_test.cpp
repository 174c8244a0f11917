// Base64 (RFC 4648) and SASL PLAIN (RFC 4616) decoding.
#include "auth/sasl.h"

#include <gtest/gtest.h>

#include <string>

namespace copper::auth {
namespace {

using namespace std::string_literals;

// RFC 4648 10: test vectors.
TEST(Base64, Rfc4648TestVectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(encode_base64(plain), encoded) << plain;
    EXPECT_EQ(decode_base64(encoded), plain) << encoded;
  }
}

TEST(Base64, BinaryRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    std::string data = all.substr(0, n) + "\0\xff"s;
    std::string encoded = encode_base64(data);
    EXPECT_EQ(encoded.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
              std::string::npos);  // no line breaks, RFC 4648 3.1
    EXPECT_EQ(decode_base64(encoded), data);
  }
}

// RFC 4648 3.3: "Implementations MUST reject the encoded data if it contains
// characters outside the base alphabet"; RFC 4954 4: a response that is not
// valid base64 is refused with 501.
TEST(Base64, BadInputIsRefused) {
  for (std::string bad : {
           "Zg="s,         // length not a multiple of 4
           "Zg"s,          // padding is required (RFC 4648 3.2)
           "Zm9v\r\n"s,    // no line breaks
           "Zm9v Zm9v"s,   // no spaces
           "    "s,        // only spaces
           " Zm9"s,        // leading space
           "Zm9 "s,        // trailing space
           "AAA=    "s,    // trailing spaces after the padding
           "Zm9v!A=="s,    // not in the alphabet
           "Zm-v"s,        // base64url is not base64
           "Zm_v"s,        //
           "Zm=v"s,        // padding in the middle
           "=AAA"s,        //
           "===="s,        //
           "Z==="s,        // three padding characters
           "Zg==Zg=="s,    // padding before the end
           "Zm9v===="s,    //
           "Zm9\0"s,       // NUL
           "Zm\xC3\xBC"s,  // non-ASCII
       }) {
    EXPECT_FALSE(decode_base64(bad).has_value()) << testing::PrintToString(bad);
  }
}

TEST(Base64, LargeInputIsRefused) {
  EXPECT_TRUE(decode_base64(std::string(64 * 1024, 'A')).has_value());
  EXPECT_FALSE(decode_base64(std::string(64 * 1024 + 4, 'A')).has_value());
}

// RFC 4616 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd.
TEST(SaslPlain, WithoutAuthzid) {
  auto c = parse_plain("\0alice@example.org\0secret"s);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->authzid, "");
  EXPECT_EQ(c->authcid, "alice@example.org");
  EXPECT_EQ(c->password, "secret");
}

TEST(SaslPlain, WithAuthzid) {
  auto c = parse_plain("admin@example.org\0alice@example.org\0pass word"s);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->authzid, "admin@example.org");
  EXPECT_EQ(c->authcid, "alice@example.org");
  EXPECT_EQ(c->password, "pass word");
}

TEST(SaslPlain, Utf8Password) {
  auto c = parse_plain("\0j\xC3\xBCrgen\0p\xC3\xA4ss"s);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->authcid, "j\xC3\xBCrgen");
  EXPECT_EQ(c->password, "p\xC3\xA4ss");
}

// authcid = 1*SAFE, passwd = 1*SAFE, and SAFE excludes NUL.
TEST(SaslPlain, MalformedMessagesAreRefused) {
  EXPECT_FALSE(parse_plain(""));
  EXPECT_FALSE(parse_plain("alice"));
  EXPECT_FALSE(parse_plain("alice\0secret"s));      // one NUL
  EXPECT_FALSE(parse_plain("\0\0secret"s));         // empty authcid
  EXPECT_FALSE(parse_plain("\0alice\0"s));          // empty password
  EXPECT_FALSE(parse_plain("\0\0"s));               //
  EXPECT_FALSE(parse_plain("\0alice\0sec\0ret"s));  // extra NUL
  EXPECT_FALSE(parse_plain("\0alice\0secret\0"s));  //
  EXPECT_FALSE(parse_plain("a\0b\0c\0d"s));         //
}

TEST(SaslPlain, FromBase64) {
  // "\0alice\0secret" as a client sends it in AUTH PLAIN.
  auto decoded = decode_base64("AGFsaWNlAHNlY3JldA==");
  ASSERT_TRUE(decoded.has_value());
  auto c = parse_plain(*decoded);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->authcid, "alice");
  EXPECT_EQ(c->password, "secret");
}

}  // namespace
}  // namespace copper::auth
