#include "core/address.h"

#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace copper {
namespace {

// RFC 5321 4.5.3.1.1 and 4.5.3.1.2.
constexpr std::size_t max_local_part = 64;
constexpr std::size_t max_domain = 255;

bool is_atext(unsigned char c, bool allow_utf8) {
  if (c >= 0x80) {
    return allow_utf8;  // RFC 6531 3.3: atext =/ UTF8-non-ascii
  }
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

bool is_dot_string(std::string_view s, bool allow_utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') {
    return false;
  }
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') {
        return false;
      }
    } else if (!is_atext(static_cast<unsigned char>(c), allow_utf8)) {
      return false;
    }
    prev = c;
  }
  return true;
}

bool needs_quoting(std::string_view local) { return !is_dot_string(local, true); }

bool is_let_dig(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_ldh_domain(std::string_view d) {
  if (d.empty() || d.size() > max_domain) {
    return false;
  }
  std::size_t start = 0;
  while (start <= d.size()) {
    std::size_t end = d.find('.', start);
    if (end == std::string_view::npos) {
      end = d.size();
    }
    std::string_view label = d.substr(start, end - start);
    if (label.empty() || label.size() > 63 || !is_let_dig(label.front()) ||
        !is_let_dig(label.back())) {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return is_let_dig(c) || c == '-'; })) {
      return false;
    }
    start = end + 1;
    if (end == d.size()) {
      break;
    }
  }
  return true;
}

// The address literal forms of RFC 5321 4.1.3, checked loosely: brackets and
// printable ASCII without brackets or backslash inside.
bool is_address_literal(std::string_view d) {
  if (d.size() < 3 || d.front() != '[' || d.back() != ']') {
    return false;
  }
  for (char c : d.substr(1, d.size() - 2)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == '[' || c == ']' || c == '\\') {
      return false;
    }
  }
  return true;
}

}  // namespace

result<std::string> normalize_domain(std::string_view domain) {
  if (domain.empty()) {
    return make_error("empty domain");
  }
  if (domain.size() > max_domain) {
    return make_error("domain longer than 255 octets");
  }
  if (domain.front() == '[') {
    return make_error("address literal where a domain name is required");
  }
  std::string lower = to_lower_ascii(domain);
  if (lower.back() == '.') {
    lower.pop_back();  // the root label is implied in mail addresses
  }
  if (!is_ascii(lower)) {
    char* out = nullptr;
    int rc =
        idn2_lookup_u8(reinterpret_cast<const uint8_t*>(lower.c_str()),
                       reinterpret_cast<uint8_t**>(&out), IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    std::unique_ptr<char, decltype(&idn2_free)> owned(out, &idn2_free);
    if (rc != IDN2_OK) {
      return make_error(std::string("invalid internationalised domain: ") + idn2_strerror(rc));
    }
    lower = to_lower_ascii(out);
  }
  if (!is_ldh_domain(lower)) {
    return make_error("invalid domain name");
  }
  return lower;
}

result<mail_address> parse_mailbox(std::string_view text, bool allow_utf8) {
  if (!allow_utf8 && !is_ascii(text)) {
    return make_error("non-ASCII address without SMTPUTF8");
  }
  mail_address addr;
  std::size_t at = 0;
  if (!text.empty() && text.front() == '"') {
    // Quoted-string: RFC 5321 4.1.2 QcontentSMTP.
    std::size_t i = 1;
    bool closed = false;
    for (; i < text.size(); ++i) {
      auto c = static_cast<unsigned char>(text[i]);
      if (c == '\\') {
        if (i + 1 >= text.size()) {
          return make_error("unterminated quoted-pair");
        }
        auto next = static_cast<unsigned char>(text[i + 1]);
        // quoted-pairSMTP = %d92 %d32-126 (UTF-8 tolerated under SMTPUTF8).
        if (next < 32 || next == 127 || (next > 127 && !allow_utf8)) {
          return make_error("invalid quoted-pair");
        }
        addr.local.push_back(static_cast<char>(next));
        ++i;
      } else if (c == '"') {
        closed = true;
        ++i;
        break;
      } else if (c < 32 || c == 127 || (c > 127 && !allow_utf8)) {
        return make_error("invalid character in quoted local part");
      } else {
        addr.local.push_back(static_cast<char>(c));
      }
    }
    if (!closed) {
      return make_error("unterminated quoted local part");
    }
    if (i >= text.size() || text[i] != '@') {
      return make_error("missing @ after quoted local part");
    }
    at = i;
    addr.quoted_local = true;
  } else {
    at = text.rfind('@');
    if (at == std::string_view::npos) {
      return make_error("missing @ in address");
    }
    std::string_view local = text.substr(0, at);
    if (!is_dot_string(local, allow_utf8)) {
      return make_error("invalid local part");
    }
    addr.local = std::string(local);
  }
  if (addr.local.empty()) {
    return make_error("empty local part");
  }
  if (addr.local.size() > max_local_part) {
    return make_error("local part longer than 64 octets");
  }
  std::string_view domain = text.substr(at + 1);
  if (is_address_literal(domain)) {
    addr.domain = to_lower_ascii(domain);
    return addr;
  }
  auto norm = normalize_domain(domain);
  if (!norm) {
    return norm.err();
  }
  addr.domain = std::move(norm).value();
  return addr;
}

std::string mail_address::key() const { return to_lower_ascii(local) + "@" + domain; }

std::string mail_address::wire() const {
  if (!needs_quoting(local)) {
    return local + "@" + domain;
  }
  std::string out = "\"";
  for (char c : local) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out + "\"@" + domain;
}

}  // namespace copper
