#include "auth/sasl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace copper::auth {
namespace {

// RFC 4648 3.3: nothing outside the alphabet, and "=" only as one or two
// final pad characters. EVP_DecodeBlock alone skips surrounding whitespace and
// decodes a "=" anywhere as zero bits.
bool is_base64(std::string_view text) {
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') {
    pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  }
  for (char c : text.substr(0, text.size() - pad)) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

credentials::~credentials() { OPENSSL_cleanse(password.data(), password.size()); }

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > std::size_t{64} * 1024 || !is_base64(text)) {
    return std::nullopt;
  }
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts padding as zero bytes; trim them.
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') {
    ++pad;
    if (text.size() >= 2 && text[text.size() - 2] == '=') {
      ++pad;
    }
  }
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string encode_base64(std::string_view data) {
  std::string out((data.size() + 2) / 3 * 4 + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<credentials> parse_plain(std::string_view message) {
  auto first = message.find('\0');
  if (first == std::string_view::npos) {
    return std::nullopt;
  }
  auto second = message.find('\0', first + 1);
  if (second == std::string_view::npos ||
      message.find('\0', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  credentials c;
  c.authzid = std::string(message.substr(0, first));
  c.authcid = std::string(message.substr(first + 1, second - first - 1));
  c.password = std::string(message.substr(second + 1));
  if (c.authcid.empty() || c.password.empty()) {
    return std::nullopt;
  }
  return c;
}

}  // namespace copper::auth
