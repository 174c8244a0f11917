#include "admin/mobileconfig.h"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <array>
#include <optional>
#include <tuple>

#include "http/parse.h"

namespace copper::admin {
namespace {

using http::mail_endpoint;

// Copper's namespace for name-based UUIDs (itself a random UUID).
constexpr std::array<unsigned char, 16> uuid_namespace = {
    0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x0a, 0x4d, 0x7b, 0x9c, 0x21, 0x5e, 0x43, 0xa8, 0x90, 0x17, 0xd6};

std::optional<mail_endpoint> first(const http::client_setup& setup, mail_endpoint::protocol p) {
  for (const auto& e : setup.endpoints) {
    if (e.proto == p) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string name_uuid(std::string_view name) {
  std::string input(uuid_namespace.begin(), uuid_namespace.end());
  input.append(name);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    out += fmt::format("{:02X}", digest[i]);
  }
  return out;
}

result<std::string> mobileconfig(const http::client_setup& setup, std::string_view address) {
  auto imap = first(setup, mail_endpoint::protocol::imap);
  auto smtp = first(setup, mail_endpoint::protocol::smtp);
  if (!imap || !smtp) {
    return make_error("the server has no IMAP or no submission listener to configure",
                      "not_configured");
  }
  auto id = fmt::format("{}.{}", setup.hostname, address);
  // Apple's "UseSSL" means TLS either way: on a STARTTLS port Mail upgrades
  // the connection itself, so the flag is true for both kinds of listener.
  return fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>EmailAccountDescription</key>
      <string>{user}</string>
      <key>EmailAccountName</key>
      <string>{user}</string>
      <key>EmailAccountType</key>
      <string>EmailTypeIMAP</string>
      <key>EmailAddress</key>
      <string>{user}</string>
      <key>IncomingMailServerAuthentication</key>
      <string>EmailAuthPassword</string>
      <key>IncomingMailServerHostName</key>
      <string>{host}</string>
      <key>IncomingMailServerPortNumber</key>
      <integer>{imap_port}</integer>
      <key>IncomingMailServerUseSSL</key>
      <true/>
      <key>IncomingMailServerUsername</key>
      <string>{user}</string>
      <key>OutgoingMailServerAuthentication</key>
      <string>EmailAuthPassword</string>
      <key>OutgoingMailServerHostName</key>
      <string>{host}</string>
      <key>OutgoingMailServerPortNumber</key>
      <integer>{smtp_port}</integer>
      <key>OutgoingMailServerUseSSL</key>
      <true/>
      <key>OutgoingMailServerUsername</key>
      <string>{user}</string>
      <key>OutgoingPasswordSameAsIncomingPassword</key>
      <true/>
      <key>PayloadDescription</key>
      <string>Mail account {user}</string>
      <key>PayloadDisplayName</key>
      <string>{user}</string>
      <key>PayloadIdentifier</key>
      <string>{mail_id}</string>
      <key>PayloadType</key>
      <string>com.apple.mail.managed</string>
      <key>PayloadUUID</key>
      <string>{mail_uuid}</string>
      <key>PayloadVersion</key>
      <integer>1</integer>
    </dict>
  </array>
  <key>PayloadDescription</key>
  <string>Mail settings for {user} on {host}</string>
  <key>PayloadDisplayName</key>
  <string>Copper mail ({user})</string>
  <key>PayloadIdentifier</key>
  <string>{profile_id}</string>
  <key>PayloadRemovalDisallowed</key>
  <false/>
  <key>PayloadType</key>
  <string>Configuration</string>
  <key>PayloadUUID</key>
  <string>{profile_uuid}</string>
  <key>PayloadVersion</key>
  <integer>1</integer>
</dict>
</plist>
)",
      fmt::arg("user", http::xml_escape(address)),
      fmt::arg("host", http::xml_escape(setup.hostname)), fmt::arg("imap_port", imap->port),
      fmt::arg("smtp_port", smtp->port), fmt::arg("mail_id", http::xml_escape(id + ".mail")),
      fmt::arg("mail_uuid", name_uuid(id + "/mail")), fmt::arg("profile_id", http::xml_escape(id)),
      fmt::arg("profile_uuid", name_uuid(id)));
}

result<std::string> mobileconfig(const config::config& cfg, std::string_view address) {
  using p = mail_endpoint::protocol;
  using s = mail_endpoint::security;
  http::client_setup setup{cfg.hostname, {}};
  // Implicit TLS first (RFC 8314 3), as autoconfig orders them.
  const std::tuple<const std::vector<std::string>&, p, s> order[] = {
      {cfg.listen.imaps, p::imap, s::implicit_tls},
      {cfg.listen.imap, p::imap, s::starttls},
      {cfg.listen.submissions, p::smtp, s::implicit_tls},
      {cfg.listen.submission, p::smtp, s::starttls},
  };
  for (const auto& [list, proto, sec] : order) {
    if (!list.empty()) {
      if (auto port = http::endpoint_port(list.front()); port != 0) {
        setup.endpoints.push_back({proto, sec, port});
      }
    }
  }
  return mobileconfig(setup, address);
}

}  // namespace copper::admin
