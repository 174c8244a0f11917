#include "admin/dns_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <exception>

#include "core/text.h"

namespace copper::admin {
namespace {

namespace asio = boost::asio;

template <class T>
bool lookup_failed(const net::dns_result<T>& r) {
  return r.status != net::dns_status::ok && r.status != net::dns_status::nxdomain &&
         r.status != net::dns_status::no_data;
}

template <class T>
std::string failure_message(const net::dns_result<T>& r) {
  return fmt::format("the lookup failed ({}: {}); try again later", net::to_string(r.status),
                     r.message);
}

dns_check_item check_mx(const published_dns& dns, std::string_view domain,
                        std::string_view hostname) {
  dns_check_item item{"MX", std::string(domain), fmt::format("10 {}.", hostname), {}, {}, {}};
  for (const auto& m : dns.mx.records) {
    item.found.push_back(fmt::format("{} {}.", m.preference, m.host));
  }
  if (lookup_failed(dns.mx)) {
    item.status = check_status::warning;
    item.message = failure_message(dns.mx);
  } else if (dns.mx.records.empty()) {
    item.status = check_status::missing;
    item.message = "no MX record: mail for the domain goes nowhere";
  } else if (std::none_of(dns.mx.records.begin(), dns.mx.records.end(),
                          [&](const auto& m) { return iequals_ascii(m.host, hostname); })) {
    item.status = check_status::wrong;
    item.message = fmt::format("the MX records do not name {}", hostname);
  } else {
    item.message = "the MX points at this server";
  }
  return item;
}

bool hostname_is_mx(const published_dns& dns, std::string_view hostname) {
  return std::any_of(dns.mx.records.begin(), dns.mx.records.end(),
                     [&](const auto& m) { return iequals_ascii(m.host, hostname); });
}

dns_check_item check_spf(const published_dns& dns, std::string_view domain,
                         std::string_view hostname) {
  dns_check_item item{"SPF", std::string(domain), "v=spf1 mx -all", {}, {}, {}};
  for (const auto& t : dns.txt.records) {
    if (is_spf(t)) {
      item.found.push_back(t);
    }
  }
  if (lookup_failed(dns.txt)) {
    item.status = check_status::warning;
    item.message = failure_message(dns.txt);
  } else if (item.found.empty()) {
    item.status = check_status::missing;
    item.message = "no SPF record: receivers cannot tell your mail from forgeries";
  } else if (item.found.size() > 1) {
    // RFC 7208 4.5: more than one record is a permanent error.
    item.status = check_status::wrong;
    item.message = "more than one SPF record (RFC 7208 4.5: receivers then ignore them all)";
  } else {
    std::vector<asio::ip::address> addrs = dns.host_addresses.records;
    auto v =
        evaluate_spf(item.found.front(), domain, hostname, hostname_is_mx(dns, hostname), addrs);
    item.status = v.status;
    item.message = std::move(v.message);
  }
  return item;
}

// A TXT record kind at one name that must be there once (DMARC, MTA-STS).
dns_check_item check_policy(std::string type, std::string name, std::string expected,
                            const net::dns_result<std::string>& txt,
                            bool (*is_kind)(std::string_view), verdict (*judge)(std::string_view),
                            check_status when_missing, std::string missing_message) {
  dns_check_item item{std::move(type), std::move(name), std::move(expected), {}, {}, {}};
  for (const auto& t : txt.records) {
    if (is_kind(t)) {
      item.found.push_back(t);
    }
  }
  if (lookup_failed(txt)) {
    item.status = check_status::warning;
    item.message = failure_message(txt);
  } else if (item.found.empty()) {
    item.status = when_missing;
    item.message = std::move(missing_message);
  } else if (item.found.size() > 1) {
    item.status = check_status::wrong;
    item.message = "more than one record: receivers then ignore them all";
  } else {
    auto v = judge(item.found.front());
    item.status = v.status;
    item.message = std::move(v.message);
  }
  return item;
}

std::vector<dns_check_item> check_ptr(const published_dns& dns, std::string_view hostname) {
  std::vector<dns_check_item> out;
  if (dns.host_addresses.records.empty()) {
    dns_check_item item{"PTR", std::string(hostname), "A or AAAA records", {}, {}, {}};
    item.status = lookup_failed(dns.host_addresses) ? check_status::warning : check_status::missing;
    item.message = lookup_failed(dns.host_addresses)
                       ? failure_message(dns.host_addresses)
                       : fmt::format("{} has no A or AAAA record", hostname);
    out.push_back(std::move(item));
    return out;
  }
  for (const auto& [addr, names] : dns.ptr) {
    dns_check_item item{"PTR", net::reverse_name(addr), fmt::format("{}.", hostname), {}, {}, {}};
    for (const auto& n : names.records) {
      item.found.push_back(n + ".");
    }
    bool named = std::any_of(names.records.begin(), names.records.end(),
                             [&](const auto& n) { return iequals_ascii(n, hostname); });
    // A hint: the PTR record belongs to whoever holds the address block.
    item.status = named ? check_status::ok : check_status::warning;
    item.message =
        named ? fmt::format("{} maps back to {}", addr.to_string(), hostname)
        : lookup_failed(names)
            ? failure_message(names)
            : fmt::format(
                  "{} does not map back to {}: many receivers distrust such senders; ask "
                  "the address's provider for a PTR record",
                  addr.to_string(), hostname);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

asio::awaitable<published_dns> lookup_published(net::resolver& resolver, std::string_view domain,
                                                std::string_view hostname) {
  // Named locals: g++ 12 must not see string temporaries inside co_await.
  std::string dom(domain);
  std::string host(hostname);
  std::string dmarc_name = "_dmarc." + dom;
  std::string sts_name = "_mta-sts." + dom;
  published_dns out;
  out.mx = co_await resolver.mx(dom);
  out.txt = co_await resolver.txt(dom);
  out.dmarc = co_await resolver.txt(dmarc_name);
  out.mta_sts = co_await resolver.txt(sts_name);
  auto v4 = co_await resolver.a(host);
  auto v6 = co_await resolver.aaaa(host);
  out.host_addresses = v4;
  out.host_addresses.records.insert(out.host_addresses.records.end(), v6.records.begin(),
                                    v6.records.end());
  if (out.host_addresses.records.empty() && !lookup_failed(v4)) {
    out.host_addresses = v6;  // no IPv4 address: AAAA's outcome tells more
  }
  for (const auto& addr : out.host_addresses.records) {
    auto a = addr;
    auto names = co_await resolver.ptr(a);
    out.ptr.emplace_back(a, std::move(names));
  }
  co_return out;
}

std::vector<dns_check_item> evaluate(const published_dns& dns, std::string_view domain,
                                     std::string_view hostname) {
  std::vector<dns_check_item> out;
  out.push_back(check_mx(dns, domain, hostname));
  out.push_back(check_spf(dns, domain, hostname));
  out.push_back(dns_check_item{"DKIM",
                               fmt::format("{}", domain),
                               "",
                               {},
                               check_status::warning,
                               "DKIM signing is not set up yet"});
  out.push_back(check_policy("DMARC", fmt::format("_dmarc.{}", domain),
                             "v=DMARC1; p=quarantine; adkim=s; aspf=s", dns.dmarc, &is_dmarc,
                             &evaluate_dmarc, check_status::missing,
                             "no DMARC record: receivers get no policy for forged mail"));
  out.push_back(check_policy("MTA-STS", fmt::format("_mta-sts.{}", domain), "v=STSv1; id=...",
                             dns.mta_sts, &is_mta_sts, &evaluate_mta_sts, check_status::warning,
                             "no MTA-STS record: optional, it makes senders insist on TLS"));
  for (auto& p : check_ptr(dns, hostname)) {
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

asio::awaitable<void> run_check(net::resolver& resolver, const std::string& domain,
                                const std::string& hostname, std::vector<dns_check_item>& out) {
  auto published = co_await lookup_published(resolver, domain, hostname);
  out = evaluate(published, domain, hostname);
}

}  // namespace

result<std::vector<dns_check_item>> check_domain(const net::resolver_options& options,
                                                 std::string_view domain,
                                                 std::string_view hostname) {
  asio::io_context io;
  auto resolver = net::resolver::create(io.get_executor(), options);
  if (!resolver) {
    return resolver.err();
  }
  std::string dom(domain);
  std::string host(hostname);
  std::vector<dns_check_item> checks;
  std::exception_ptr failure;
  // The resolver may keep watching an idle socket: stop once the check is done.
  asio::co_spawn(io, run_check(**resolver, dom, host, checks),
                 [&io, &failure](std::exception_ptr e) {
                   failure = std::move(e);
                   io.stop();
                 });
  io.run();
  if (failure) {
    return make_error("the DNS check stopped on an internal error", "internal");
  }
  return checks;
}

std::string to_json(const std::vector<dns_check_item>& checks) {
  boost::json::array items;
  for (const auto& c : checks) {
    boost::json::array found;
    for (const auto& f : c.found) {
      found.emplace_back(f);
    }
    items.emplace_back(boost::json::object{{"type", c.type},
                                           {"name", c.name},
                                           {"expected", c.expected},
                                           {"found", std::move(found)},
                                           {"status", to_string(c.status)},
                                           {"message", c.message}});
  }
  return boost::json::serialize(boost::json::object{{"checks", std::move(items)}});
}

}  // namespace copper::admin
