#include "admin/dns_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/text.h"

namespace copper::admin {
namespace {

namespace asio = boost::asio;

std::string_view without_dot(std::string_view name) {
  return !name.empty() && name.back() == '.' ? name.substr(0, name.size() - 1) : name;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto at = s.find(sep);
    auto part = trim_blanks(s.substr(0, at));
    if (!part.empty()) {
      out.push_back(part);
    }
    if (at == std::string_view::npos) {
      break;
    }
    s.remove_prefix(at + 1);
  }
  return out;
}

// Whether `addr` lies in "network[/prefix]" of the same family.
bool covers(std::string_view spec, const asio::ip::address& addr, bool v6) {
  auto slash = spec.find('/');
  std::string net(spec.substr(0, slash));
  unsigned bits = v6 ? 128 : 32;
  if (slash != std::string_view::npos) {
    auto digits = spec.substr(slash + 1);
    unsigned p = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
    if (ec != std::errc() || end != digits.data() + digits.size() || p > bits) {
      return false;
    }
    bits = p;
  }
  boost::system::error_code ec;
  auto network = asio::ip::make_address(net, ec);
  if (ec || network.is_v6() != v6 || addr.is_v6() != v6) {
    return false;
  }
  if (!v6) {
    std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (network.to_v4().to_uint() & mask) == (addr.to_v4().to_uint() & mask);
  }
  auto a = network.to_v6().to_bytes();
  auto b = addr.to_v6().to_bytes();
  for (unsigned i = 0; i < bits; ++i) {
    unsigned bit = 0x80u >> (i % 8);
    if ((a[i / 8] & bit) != (b[i / 8] & bit)) {
      return false;
    }
  }
  return true;
}

enum class match { yes, no, unknown };

// Whether one SPF mechanism (without qualifier) matches the mail host.
match mechanism_matches(std::string_view mech, std::string_view domain, std::string_view hostname,
                        bool hostname_is_mx, const std::vector<asio::ip::address>& addrs) {
  auto colon = mech.find(':');
  auto name = mech.substr(0, std::min(colon, mech.find('/')));
  auto arg = colon == std::string_view::npos ? std::string_view() : mech.substr(colon + 1);
  auto target = without_dot(arg.substr(0, arg.find('/')));  // a:host/24: the name part
  if (iequals_ascii(name, "ip4") || iequals_ascii(name, "ip6")) {
    bool v6 = iequals_ascii(name, "ip6");
    bool any =
        std::any_of(addrs.begin(), addrs.end(), [&](const auto& a) { return covers(arg, a, v6); });
    return any ? match::yes : match::no;
  }
  if (iequals_ascii(name, "mx")) {
    if (target.empty() || iequals_ascii(target, domain)) {
      return hostname_is_mx ? match::yes : match::no;
    }
    return iequals_ascii(target, hostname) ? match::yes : match::unknown;
  }
  if (iequals_ascii(name, "a")) {
    if (iequals_ascii(target.empty() ? domain : target, hostname)) {
      return match::yes;
    }
    return match::unknown;  // another name's addresses may still be ours
  }
  if (iequals_ascii(name, "include") || iequals_ascii(name, "exists") ||
      iequals_ascii(name, "ptr")) {
    return match::unknown;
  }
  return match::no;
}

verdict make_verdict(check_status s, std::string message) { return {s, std::move(message)}; }

}  // namespace

std::string_view to_string(check_status s) {
  switch (s) {
    case check_status::ok:
      return "ok";
    case check_status::missing:
      return "missing";
    case check_status::wrong:
      return "wrong";
    case check_status::warning:
      return "warning";
  }
  return "warning";
}

bool is_spf(std::string_view txt) {
  auto t = trim_blanks(txt);
  return istarts_with_ascii(t, "v=spf1") && (t.size() == 6 || t[6] == ' ');
}

bool is_dmarc(std::string_view txt) {
  auto tags = split(txt, ';');
  return !tags.empty() && istarts_with_ascii(tags.front(), "v=DMARC1");
}

bool is_mta_sts(std::string_view txt) {
  auto tags = split(txt, ';');
  return !tags.empty() && istarts_with_ascii(tags.front(), "v=STSv1");
}

verdict evaluate_spf(std::string_view record, std::string_view domain, std::string_view hostname,
                     bool hostname_is_mx, const std::vector<asio::ip::address>& host_addrs) {
  auto terms = split(record, ' ');
  bool authorised = false;
  bool unknown = false;
  bool decided = false;  // a mechanism matched: later ones do not count (RFC 7208 4.6.2)
  std::string all;
  bool redirect = false;
  for (std::size_t i = 1; i < terms.size(); ++i) {
    auto term = terms[i];
    if (term.find('=') != std::string_view::npos && term.find(':') > term.find('=')) {
      redirect = redirect || istarts_with_ascii(term, "redirect=");
      continue;  // a modifier
    }
    char qualifier = '+';
    if (term.front() == '+' || term.front() == '-' || term.front() == '~' || term.front() == '?') {
      qualifier = term.front();
      term.remove_prefix(1);
    }
    if (iequals_ascii(term, "all")) {
      all = std::string(1, qualifier);
      break;  // nothing after "all" is ever evaluated
    }
    if (decided) {
      continue;
    }
    auto m = mechanism_matches(term, domain, hostname, hostname_is_mx, host_addrs);
    if (m == match::yes) {
      authorised = qualifier == '+';
      decided = true;
    } else if (m == match::unknown) {
      unknown = true;
    }
  }
  if (all == "+" || all == "?") {
    return make_verdict(
        check_status::wrong,
        fmt::format("\"{}all\" lets anyone send as the domain; end with -all or ~all", all));
  }
  if (all.empty() && !redirect) {
    return make_verdict(check_status::wrong, "the record does not end with -all or ~all");
  }
  if (decided && !authorised) {
    return make_verdict(check_status::wrong,
                        fmt::format("the record refuses {} (the mail host)", hostname));
  }
  if (authorised) {
    return make_verdict(check_status::ok, fmt::format("authorises {}", hostname));
  }
  if (unknown || redirect) {
    return make_verdict(check_status::warning,
                        fmt::format("{} is not authorised directly; include:, redirect= and a/mx "
                                    "of other names were not followed",
                                    hostname));
  }
  return make_verdict(check_status::wrong,
                      fmt::format("the record does not authorise {}: add \"mx\"", hostname));
}

verdict evaluate_dmarc(std::string_view record) {
  auto tags = split(record, ';');
  if (tags.empty() || !iequals_ascii(trim_blanks(tags.front()), "v=DMARC1")) {
    return make_verdict(check_status::wrong, "the record must start with v=DMARC1");
  }
  for (std::size_t i = 1; i < tags.size(); ++i) {
    auto eq = tags[i].find('=');
    if (eq == std::string_view::npos) {
      return make_verdict(check_status::wrong, fmt::format("malformed tag \"{}\"", tags[i]));
    }
    if (!iequals_ascii(trim_blanks(tags[i].substr(0, eq)), "p")) {
      continue;
    }
    auto p = trim_blanks(tags[i].substr(eq + 1));
    if (iequals_ascii(p, "none")) {
      return make_verdict(check_status::ok,
                          "valid; p=none only monitors (quarantine or reject protects)");
    }
    if (iequals_ascii(p, "quarantine") || iequals_ascii(p, "reject")) {
      return make_verdict(check_status::ok, fmt::format("valid, p={}", p));
    }
    return make_verdict(check_status::wrong,
                        fmt::format("p={} is not none, quarantine or reject", p));
  }
  return make_verdict(check_status::wrong, "the record has no p= policy");
}

verdict evaluate_mta_sts(std::string_view record) {
  auto fields = split(record, ';');
  if (fields.empty() || !iequals_ascii(fields.front(), "v=STSv1")) {
    return make_verdict(check_status::wrong, "the record must start with v=STSv1");
  }
  for (std::size_t i = 1; i < fields.size(); ++i) {
    if (!istarts_with_ascii(fields[i], "id=")) {
      continue;
    }
    auto id = fields[i].substr(3);
    bool valid = !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
    return valid ? make_verdict(check_status::ok, "MTA-STS is announced")
                 : make_verdict(check_status::wrong, "id= must be 1 to 32 letters and digits");
  }
  return make_verdict(check_status::wrong, "the record has no id=");
}

}  // namespace copper::admin
