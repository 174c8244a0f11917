#include "admin/sessions.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>

namespace copper::admin {
namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<std::string> random_hex(std::size_t bytes) {
  unsigned char buf[32] = {};
  if (bytes > sizeof buf || RAND_bytes(buf, static_cast<int>(bytes)) != 1) {
    return std::nullopt;
  }
  return fmt::format("{:02x}", fmt::join(buf, buf + bytes, ""));
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE] = {};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return fmt::format("{:02x}", fmt::join(md, md + len, ""));
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

result<new_session> sessions::create(store::account_id account) {
  auto token = random_hex(32);
  auto csrf = random_hex(32);
  if (!token || !csrf) {
    return make_error("no randomness for a session token");
  }
  auto now = unix_now();
  new_session out{*token, sha256_hex(*token), *csrf};
  store::web_session row{
      out.token_sha256, account, out.csrf_token, now, now, now + limits_.lifetime.count(), {}};
  if (auto r = store_.add_web_session(row); !r) {
    return r.err();
  }
  return out;
}

std::optional<active_session> sessions::find(std::string_view token) {
  // Tokens are 64 hex digits; anything else cannot name a session.
  if (token.size() != 64) {
    return std::nullopt;
  }
  auto hash = sha256_hex(token);
  auto row = store_.find_web_session(hash);
  if (!row) {
    return std::nullopt;
  }
  auto now = unix_now();
  auto account = store_.find_account(row->address);
  if (now >= row->expires || now - row->last_seen >= limits_.idle.count() || !account ||
      account->disabled) {
    end(hash);
    return std::nullopt;
  }
  // One write per request would be one commit per click: the idle clock only
  // needs a resolution well below the timeout.
  if (now - row->last_seen >= std::min<std::int64_t>(60, limits_.idle.count() / 10 + 1)) {
    (void)store_.touch_web_session(hash, now);
    row->last_seen = now;
  }
  return active_session{std::move(*row), std::move(*account)};
}

void sessions::end(std::string_view token_sha256) { (void)store_.remove_web_session(token_sha256); }

}  // namespace copper::admin
