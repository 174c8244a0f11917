#include "http/autoconfig.h"

#include <fmt/format.h>

#include <charconv>

#include "http/parse.h"

namespace copper::http {
namespace {

std::string_view type_name(mail_endpoint::protocol p) {
  switch (p) {
    case mail_endpoint::protocol::imap:
      return "imap";
    case mail_endpoint::protocol::pop3:
      return "pop3";
    case mail_endpoint::protocol::smtp:
      return "smtp";
  }
  return "";
}

std::string domain_of(std::string_view email, std::string_view fallback) {
  auto at = email.rfind('@');
  if (at == std::string_view::npos || !plausible_address(email)) {
    return std::string(fallback);
  }
  return std::string(email.substr(at + 1));
}

std::string server_element(const mail_endpoint& e, std::string_view host) {
  bool outgoing = e.proto == mail_endpoint::protocol::smtp;
  return fmt::format(
      "    <{0} type=\"{1}\">\n"
      "      <hostname>{2}</hostname>\n"
      "      <port>{3}</port>\n"
      "      <socketType>{4}</socketType>\n"
      "      <authentication>password-cleartext</authentication>\n"
      "      <username>%EMAILADDRESS%</username>\n"
      "    </{0}>\n",
      outgoing ? "outgoingServer" : "incomingServer", type_name(e.proto), xml_escape(host), e.port,
      e.sec == mail_endpoint::security::implicit_tls ? "SSL" : "STARTTLS");
}

}  // namespace

std::uint16_t endpoint_port(std::string_view host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos) {
    return 0;
  }
  auto digits = host_port.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port > 65535) {
    return 0;
  }
  return static_cast<std::uint16_t>(port);
}

std::string thunderbird_config(const client_setup& setup, std::string_view email) {
  std::string domain = xml_escape(domain_of(email, setup.hostname));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">\n";
  out += fmt::format("  <emailProvider id=\"{0}\">\n    <domain>{0}</domain>\n", domain);
  out += fmt::format(
      "    <displayName>{0}</displayName>\n    <displayShortName>{0}</displayShortName>\n", domain);
  for (const auto& e : setup.endpoints) {
    if (e.proto != mail_endpoint::protocol::smtp) {
      out += server_element(e, setup.hostname);
    }
  }
  for (const auto& e : setup.endpoints) {
    if (e.proto == mail_endpoint::protocol::smtp) {
      out += server_element(e, setup.hostname);
    }
  }
  out += "  </emailProvider>\n</clientConfig>\n";
  return out;
}

std::string autodiscover_response(const client_setup& setup, std::string_view email) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<Autodiscover "
      "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
      "  <Response "
      "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n"
      "    <Account>\n"
      "      <AccountType>email</AccountType>\n"
      "      <Action>settings</Action>\n";
  std::string login = plausible_address(email) ? xml_escape(email) : std::string();
  for (const auto& e : setup.endpoints) {
    bool implicit = e.sec == mail_endpoint::security::implicit_tls;
    std::string type(type_name(e.proto));
    for (auto& c : type) {
      if (c >= 'a' && c <= 'z') {
        c = static_cast<char>(c - 'a' + 'A');
      }
    }
    out += fmt::format(
        "      <Protocol>\n"
        "        <Type>{}</Type>\n"
        "        <Server>{}</Server>\n"
        "        <Port>{}</Port>\n"
        "        <LoginName>{}</LoginName>\n"
        "        <DomainRequired>off</DomainRequired>\n"
        "        <SPA>off</SPA>\n"
        "        <SSL>on</SSL>\n"
        "        <Encryption>{}</Encryption>\n"
        "        <AuthRequired>on</AuthRequired>\n"
        "      </Protocol>\n",
        type, xml_escape(setup.hostname), e.port, login, implicit ? "SSL" : "TLS");
  }
  out += "    </Account>\n  </Response>\n</Autodiscover>\n";
  return out;
}

}  // namespace copper::http
