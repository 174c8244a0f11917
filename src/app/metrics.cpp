#include "app/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

namespace copper::app {
namespace {

namespace asio = boost::asio;

constexpr std::string_view protocols[] = {"smtp", "submission", "submissions", "imap", "imaps",
                                          "pop3", "pop3s",      "http",        "https"};

core::counter& smtp_rejected(core::metrics_registry& r, std::string_view reason) {
  // copper_smtp_messages_rejected_total{reason}: messages or recipients
  // refused over SMTP. reason="unknown_recipient" (RCPT 550 5.1.1),
  // "relay_denied" (RCPT 554 5.7.1), "quota" (mailbox full at DATA/BDAT),
  // "policy" (refused by the delivery pipeline), "temporary_failure" (451,
  // the store could not take it; the client retries).
  return r.add_counter("copper_smtp_messages_rejected_total",
                       "Messages or recipients refused over SMTP, by reason",
                       fmt::format("reason=\"{}\"", reason));
}

core::counter& auth_failures(core::metrics_registry& r, std::string_view protocol) {
  // copper_auth_failures_total{protocol}: failed logins (wrong password or
  // unknown user), per protocol; rate-limited attempts are not counted.
  return r.add_counter("copper_auth_failures_total", "Failed logins, by protocol",
                       fmt::format("protocol=\"{}\"", protocol));
}

smtp::counters smtp_counters(core::metrics_registry& r) {
  return smtp::counters{
      // copper_smtp_messages_received_total: messages answered 250 after
      // DATA/BDAT on any SMTP listener (durably stored or queued).
      .received = r.add_counter("copper_smtp_messages_received_total",
                                "Messages accepted over SMTP (250 after DATA or BDAT)"),
      // copper_messages_delivered_total{destination="mailbox"}: copies stored
      // into local mailboxes (one per recipient account); remote delivery
      // will add destination="remote".
      .delivered = r.add_counter("copper_messages_delivered_total",
                                 "Messages delivered, by destination", "destination=\"mailbox\""),
      .unknown_recipient = smtp_rejected(r, "unknown_recipient"),
      .relay_denied = smtp_rejected(r, "relay_denied"),
      .quota = smtp_rejected(r, "quota"),
      .policy = smtp_rejected(r, "policy"),
      .temporary_failure = smtp_rejected(r, "temporary_failure"),
      .auth_failures = auth_failures(r, "smtp"),
  };
}

// The store's files: the database, the search index, and their write-ahead logs.
double store_bytes(const std::filesystem::path& data_dir) {
  std::uintmax_t total = 0;
  for (const char* name : {"copper.db", "copper.db-wal", "copper.db-shm", "search.db",
                           "search.db-wal", "search.db-shm"}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(data_dir / name, ec);
    total += ec ? 0 : size;
  }
  return static_cast<double>(total);
}

asio::awaitable<void> count_connection(asio::ip::tcp::socket socket, core::counter& accepted,
                                       core::gauge& open, net::listener_set::handler h) {
  accepted.inc();
  open.add(1);
  struct closer {
    core::gauge& g;
    ~closer() { g.add(-1); }
  } close_on_exit{open};
  co_await h(std::move(socket));
}

}  // namespace

server_metrics::server_metrics(const config::config& cfg, store::store& store)
    : smtp_counts(smtp_counters(registry)),
      imap_auth_failures(auth_failures(registry, "imap")),
      pop3_auth_failures(auth_failures(registry, "pop3")),
      web_auth_failures(auth_failures(registry, "web")),
      http_requests(registry) {
  for (auto p : protocols) {
    auto labels = fmt::format("protocol=\"{}\"", p);
    connections_.emplace(
        std::string(p),
        connection_counts{
            // copper_connections_accepted_total{protocol}: TCP connections
            // accepted per listener kind, including those then refused by
            // the connection limits.
            registry.add_counter("copper_connections_accepted_total",
                                 "TCP connections accepted, by listener protocol", labels),
            // copper_connections_open{protocol}: connections being served now.
            registry.add_gauge("copper_connections_open",
                               "Connections currently open, by listener protocol", labels)});
  }
  // copper_queue_messages: messages in the outbound queue (read from the
  // store at each scrape).
  registry.add_gauge_callback("copper_queue_messages", "Messages waiting in the outbound queue",
                              [&store] { return static_cast<double>(store.list_queue().size()); });
  // copper_queue_oldest_age_seconds: how long the oldest queued message has
  // waited (0 when the queue is empty): a stuck queue shows here first.
  registry.add_gauge_callback(
      "copper_queue_oldest_age_seconds", "Age of the oldest message in the outbound queue",
      [&store] {
        auto queue = store.list_queue();
        if (queue.empty()) {
          return 0.0;
        }
        auto oldest =
            std::min_element(queue.begin(), queue.end(), [](const auto& a, const auto& b) {
              return a.created < b.created;
            })->created;
        return static_cast<double>(std::max<std::int64_t>(0, std::time(nullptr) - oldest));
      });
  // copper_store_size_bytes: the SQLite databases with their WALs, on disk.
  registry.add_gauge_callback("copper_store_size_bytes", "Size of the store's files on disk",
                              [dir = cfg.data_dir] { return store_bytes(dir); });
}

net::listener_set::handler server_metrics::counted(std::string_view protocol,
                                                   net::listener_set::handler h) {
  auto it = connections_.find(protocol);
  if (it == connections_.end()) {
    return h;
  }
  auto& c = it->second;
  return [&c, h = std::move(h)](asio::ip::tcp::socket s) {
    return count_connection(std::move(s), c.accepted, c.open, h);
  };
}

stats_sources stats_sources_of(const server_metrics& m) {
  const auto& smtp = m.smtp_counts;
  // A 451 is not counted as rejected: the client retries and the message
  // usually arrives later.
  return stats_sources{
      .received = {&smtp.received},
      .delivered = {},
      .rejected = {&smtp.unknown_recipient, &smtp.relay_denied, &smtp.quota, &smtp.policy},
      .failed_logins = {&smtp.auth_failures, &m.imap_auth_failures, &m.pop3_auth_failures,
                        &m.web_auth_failures},
  };
}

}  // namespace copper::app
