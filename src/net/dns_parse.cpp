#include "net/dns_parse.h"

#include <ares.h>
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

namespace copper::net {
namespace {

namespace asio = boost::asio;

template <class T>
dns_result<T> failed(const dns_answer& a) {
  return dns_result<T>{a.status, {}, a.message};
}

template <class T>
dns_result<T> parse_failed(int rc) {
  return dns_result<T>{
      status_from_ares(rc) == dns_status::no_data ? dns_status::no_data : dns_status::error,
      {},
      ares_strerror(rc)};
}

std::string without_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  return std::string(name);
}

int length_of(const dns_answer& a) { return static_cast<int>(a.data.size()); }

struct ares_data_deleter {
  void operator()(void* p) const { ares_free_data(p); }
};
struct hostent_deleter {
  void operator()(hostent* h) const { ares_free_hostent(h); }
};

}  // namespace

dns_status status_from_ares(int ares_status) {
  switch (ares_status) {
    case ARES_SUCCESS:
      return dns_status::ok;
    case ARES_ENOTFOUND:
      return dns_status::nxdomain;
    case ARES_ENODATA:
      return dns_status::no_data;
    case ARES_ESERVFAIL:
      return dns_status::servfail;
    case ARES_EREFUSED:
      return dns_status::refused;
    case ARES_ETIMEOUT:
      return dns_status::timeout;
    default:
      return dns_status::error;
  }
}

dns_result<std::string> parse_txt(const dns_answer& a) {
  if (a.status != dns_status::ok) {
    return failed<std::string>(a);
  }
  ares_txt_ext* raw = nullptr;
  int rc = ares_parse_txt_reply_ext(a.data.data(), length_of(a), &raw);
  std::unique_ptr<ares_txt_ext, ares_data_deleter> list(raw);
  if (rc != ARES_SUCCESS) {
    return parse_failed<std::string>(rc);
  }
  dns_result<std::string> out;
  for (auto* t = raw; t != nullptr; t = t->next) {
    if (t->record_start != 0 || out.records.empty()) {
      if (out.records.size() == dns_max_records) {
        break;
      }
      out.records.emplace_back();
    }
    out.records.back().append(reinterpret_cast<const char*>(t->txt), t->length);
  }
  return out;
}

dns_result<mx_record> parse_mx(const dns_answer& a) {
  if (a.status != dns_status::ok) {
    return failed<mx_record>(a);
  }
  ares_mx_reply* raw = nullptr;
  int rc = ares_parse_mx_reply(a.data.data(), length_of(a), &raw);
  std::unique_ptr<ares_mx_reply, ares_data_deleter> list(raw);
  if (rc != ARES_SUCCESS) {
    return parse_failed<mx_record>(rc);
  }
  dns_result<mx_record> out;
  for (auto* m = raw; m != nullptr && out.records.size() < dns_max_records; m = m->next) {
    out.records.push_back({m->priority, without_dot(m->host)});
  }
  return out;
}

dns_result<asio::ip::address> parse_a(const dns_answer& a) {
  if (a.status != dns_status::ok) {
    return failed<asio::ip::address>(a);
  }
  std::array<ares_addrttl, dns_max_records> ttls{};
  int n = static_cast<int>(ttls.size());
  int rc = ares_parse_a_reply(a.data.data(), length_of(a), nullptr, ttls.data(), &n);
  if (rc != ARES_SUCCESS) {
    return parse_failed<asio::ip::address>(rc);
  }
  dns_result<asio::ip::address> out;
  for (int i = 0; i < n; ++i) {
    out.records.emplace_back(
        asio::ip::address_v4(ntohl(ttls[static_cast<std::size_t>(i)].ipaddr.s_addr)));
  }
  return out;
}

dns_result<asio::ip::address> parse_aaaa(const dns_answer& a) {
  if (a.status != dns_status::ok) {
    return failed<asio::ip::address>(a);
  }
  std::array<ares_addr6ttl, dns_max_records> ttls{};
  int n = static_cast<int>(ttls.size());
  int rc = ares_parse_aaaa_reply(a.data.data(), length_of(a), nullptr, ttls.data(), &n);
  if (rc != ARES_SUCCESS) {
    return parse_failed<asio::ip::address>(rc);
  }
  dns_result<asio::ip::address> out;
  for (int i = 0; i < n; ++i) {
    asio::ip::address_v6::bytes_type bytes{};
    std::memcpy(bytes.data(), &ttls[static_cast<std::size_t>(i)].ip6addr, bytes.size());
    out.records.emplace_back(asio::ip::address_v6(bytes));
  }
  return out;
}

dns_result<std::string> parse_ptr(const dns_answer& a, const asio::ip::address& address) {
  if (a.status != dns_status::ok) {
    return failed<std::string>(a);
  }
  hostent* raw = nullptr;
  int rc = 0;
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    rc = ares_parse_ptr_reply(a.data.data(), length_of(a), bytes.data(),
                              static_cast<int>(bytes.size()), AF_INET, &raw);
  } else {
    auto bytes = address.to_v6().to_bytes();
    rc = ares_parse_ptr_reply(a.data.data(), length_of(a), bytes.data(),
                              static_cast<int>(bytes.size()), AF_INET6, &raw);
  }
  std::unique_ptr<hostent, hostent_deleter> host(raw);
  if (rc != ARES_SUCCESS) {
    return parse_failed<std::string>(rc);
  }
  dns_result<std::string> out;
  auto add = [&out](const char* name) {
    auto n = without_dot(name);
    if (out.records.size() < dns_max_records &&
        std::find(out.records.begin(), out.records.end(), n) == out.records.end()) {
      out.records.push_back(std::move(n));
    }
  };
  for (char** alias = raw->h_aliases; alias != nullptr && *alias != nullptr; ++alias) {
    add(*alias);
  }
  if (raw->h_name != nullptr) {
    add(raw->h_name);
  }
  return out;
}

// c-ares' A parser follows CNAME records: the canonical name it reports is
// the CNAME's target when the answer holds one.
dns_result<std::string> parse_cname(const dns_answer& a, std::string_view asked) {
  if (a.status != dns_status::ok) {
    return failed<std::string>(a);
  }
  hostent* raw = nullptr;
  int rc = ares_parse_a_reply(a.data.data(), length_of(a), &raw, nullptr, nullptr);
  std::unique_ptr<hostent, hostent_deleter> host(raw);
  if (rc != ARES_SUCCESS || raw == nullptr || raw->h_name == nullptr) {
    return parse_failed<std::string>(rc == ARES_SUCCESS ? ARES_ENODATA : rc);
  }
  auto target = without_dot(raw->h_name);
  if (strcasecmp(target.c_str(), without_dot(asked).c_str()) == 0) {
    return dns_result<std::string>{dns_status::no_data, {}, "no CNAME record"};
  }
  return dns_result<std::string>{dns_status::ok, {std::move(target)}, {}};
}

std::string_view to_string(dns_status s) {
  switch (s) {
    case dns_status::ok:
      return "ok";
    case dns_status::nxdomain:
      return "nxdomain";
    case dns_status::no_data:
      return "no_data";
    case dns_status::servfail:
      return "servfail";
    case dns_status::refused:
      return "refused";
    case dns_status::timeout:
      return "timeout";
    case dns_status::error:
      return "error";
  }
  return "error";
}

std::string reverse_name(const asio::ip::address& address) {
  std::string out;
  if (address.is_v4()) {
    auto b = address.to_v4().to_bytes();
    return fmt::format("{}.{}.{}.{}.in-addr.arpa", b[3], b[2], b[1], b[0]);
  }
  auto b = address.to_v6().to_bytes();
  // NOLINTNEXTLINE(modernize-loop-convert): std::views::reverse does not build with clang 14
  for (auto it = b.rbegin(); it != b.rend(); ++it) {
    out += fmt::format("{:x}.{:x}.", *it & 0x0f, *it >> 4);
  }
  return out + "ip6.arpa";
}

}  // namespace copper::net
