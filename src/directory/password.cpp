#include "directory/password.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cstring>
#include <memory>

namespace copper::directory {

result<std::string> hash_password(std::string_view password) {
  std::string pw(password);
  // nullptr rbytes: libxcrypt draws the salt from the OS random source.
  char* setting = crypt_gensalt_ra("$y$", 0, nullptr, 0);
  if (setting == nullptr) {
    OPENSSL_cleanse(pw.data(), pw.size());
    return make_error("cannot generate a password salt");
  }
  std::unique_ptr<char, decltype(&free)> setting_owner(setting, &free);
  auto data = std::make_unique<crypt_data>();  // about 32 KiB: not on a coroutine's stack
  const char* hashed = crypt_r(pw.c_str(), setting, data.get());
  OPENSSL_cleanse(pw.data(), pw.size());
  std::string out = hashed != nullptr && hashed[0] != '*' ? hashed : "";
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  if (out.empty()) {
    return make_error("password hashing failed");
  }
  return out;
}

bool verify_password(std::string_view password, const std::string& hash) {
  if (hash.empty() || hash[0] == '!' || hash[0] == '*') {
    return false;  // locked account
  }
  if (password.find('\0') != std::string_view::npos) {
    return false;  // crypt_r() would see only the part before the NUL
  }
  std::string pw(password);
  auto data = std::make_unique<crypt_data>();
  const char* hashed = crypt_r(pw.c_str(), hash.c_str(), data.get());
  OPENSSL_cleanse(pw.data(), pw.size());
  bool ok = hashed != nullptr && hashed[0] != '*' && std::strlen(hashed) == hash.size() &&
            CRYPTO_memcmp(hashed, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return ok;
}

result<void> check_password_policy(std::string_view password) {
  if (password.size() < 8) {
    return make_error("password too short (at least 8 characters)");
  }
  if (password.size() > 1024) {
    return make_error("password too long (at most 1024 octets)");
  }
  for (char c : password) {
    auto u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) {
      return make_error("password contains control characters");
    }
  }
  return {};
}

}  // namespace copper::directory
