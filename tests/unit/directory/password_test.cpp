// Password hashing with libxcrypt: yescrypt for new hashes, other schemes
// verified for imports, and the policy for new passwords.
#include "directory/password.h"

#include <gtest/gtest.h>

#include <string>

namespace copper::directory {
namespace {

using namespace std::string_literals;

// The SHA-crypt specification's test vector (sha512-crypt, default rounds).
const std::string sha512_hello =
    "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/"
    "O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";

TEST(Password, NewHashesAreYescrypt) {
  auto h = hash_password("correct horse battery");
  ASSERT_TRUE(h.ok()) << h.err().message;
  EXPECT_EQ(h->rfind("$y$", 0), 0u) << *h;
  EXPECT_EQ(h->find("correct"), std::string::npos);
  EXPECT_TRUE(verify_password("correct horse battery", *h));
  EXPECT_FALSE(verify_password("correct horse batterY", *h));
  EXPECT_FALSE(verify_password("correct horse", *h));
  EXPECT_FALSE(verify_password("", *h));
}

TEST(Password, SaltsDiffer) {
  auto a = hash_password("same password");
  auto b = hash_password("same password");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify_password("same password", *a));
  EXPECT_TRUE(verify_password("same password", *b));
}

TEST(Password, ImportedSchemesVerify) {
  EXPECT_TRUE(verify_password("Hello world!", sha512_hello));
  EXPECT_FALSE(verify_password("Hello world?", sha512_hello));
}

// crypt(3) takes a C string: a password with a NUL must not verify as its
// prefix (AUTH LOGIN can carry any octet after base64 decoding).
TEST(Password, EmbeddedNulNeverVerifies) {
  EXPECT_FALSE(verify_password("Hello world!\0"s, sha512_hello));
  EXPECT_FALSE(verify_password("Hello world!\0anything"s, sha512_hello));
  auto h = hash_password("correct horse battery");
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(verify_password("correct horse battery\0x"s, *h));
}

TEST(Password, LockedAndBrokenHashesNeverVerify) {
  EXPECT_FALSE(verify_password("", ""));
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("Hello world!", "!" + sha512_hello));  // locked, as in shadow(5)
  EXPECT_FALSE(verify_password("Hello world!", "*"));
  EXPECT_FALSE(verify_password("Hello world!", "$6$saltstring$"));
  EXPECT_FALSE(verify_password("Hello world!", "$unknown$x$y"));
  EXPECT_FALSE(verify_password("Hello world!", sha512_hello.substr(0, sha512_hello.size() - 1)));
}

TEST(Password, Policy) {
  EXPECT_TRUE(check_password_policy("12345678").ok());
  EXPECT_TRUE(check_password_policy("p\xC3\xA4sswort mit Leerzeichen").ok());
  EXPECT_TRUE(check_password_policy(std::string(1024, 'x')).ok());
  EXPECT_FALSE(check_password_policy("").ok());
  EXPECT_FALSE(check_password_policy("1234567").ok());
  EXPECT_FALSE(check_password_policy(std::string(1025, 'x')).ok());
  EXPECT_FALSE(check_password_policy("12345678\t").ok());
  EXPECT_FALSE(check_password_policy("12345678\x7f").ok());
  EXPECT_FALSE(check_password_policy("1234\0"
                                     "5678"s)
                   .ok());
  EXPECT_FALSE(check_password_policy("12345678\n").ok());
}

}  // namespace
}  // namespace copper::directory
