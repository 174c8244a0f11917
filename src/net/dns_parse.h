// DNS answers as values: lookup outcomes, typed records, and the parsing of
// a raw answer (c-ares' parsers, with our bounds). No I/O: the fuzzers and
// unit tests use it alone; net/dns.h does the lookups.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace copper::net {

// How a lookup ended. `no_data`: the name exists but has no record of the
// type (NOERROR with an empty answer).
enum class dns_status { ok, nxdomain, no_data, servfail, refused, timeout, error };

std::string_view to_string(dns_status s);

// The outcome a c-ares status code (ARES_*) stands for.
dns_status status_from_ares(int code);

template <class T>
struct dns_result {
  dns_status status = dns_status::ok;
  std::vector<T> records;
  std::string message;  // what went wrong, for logs and the admin UI
  bool ok() const { return status == dns_status::ok; }
};

struct mx_record {
  std::uint16_t preference = 0;
  std::string host;  // without the trailing dot
};

// The raw answer of one query, before a typed lookup parses it.
struct dns_answer {
  dns_status status = dns_status::ok;
  std::string message;
  std::vector<unsigned char> data;  // the DNS message, at most dns_max_answer_bytes
};

// Bounds on what an answer may make us hold.
constexpr std::size_t dns_max_answer_bytes = std::size_t{32} * 1024;
constexpr std::size_t dns_max_records = 64;

dns_result<std::string> parse_txt(const dns_answer& answer);
dns_result<mx_record> parse_mx(const dns_answer& answer);
dns_result<boost::asio::ip::address> parse_a(const dns_answer& answer);
dns_result<boost::asio::ip::address> parse_aaaa(const dns_answer& answer);
// `address` is the one asked about (c-ares fills it into its hostent).
dns_result<std::string> parse_ptr(const dns_answer& answer,
                                  const boost::asio::ip::address& address);
// The target of a CNAME answer for `asked`.
dns_result<std::string> parse_cname(const dns_answer& answer, std::string_view asked);

// The reverse-lookup name of an address (RFC 1035 3.5, RFC 3596 2.5).
std::string reverse_name(const boost::asio::ip::address& address);

}  // namespace copper::net
