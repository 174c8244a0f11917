// Password hashing with libxcrypt: yescrypt for new hashes; verification
// accepts any scheme libxcrypt knows (bcrypt, sha512-crypt) for imports.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace copper::directory {

result<std::string> hash_password(std::string_view password);
bool verify_password(std::string_view password, const std::string& hash);
// Rules for new passwords: length and no control characters.
result<void> check_password_policy(std::string_view password);

}  // namespace copper::directory
