#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <thread>
#include <vector>

#include "admin/api.h"
#include "app/metrics.h"
#include "app/stats_sampler.h"
#include "app/wiring.h"
#include "auth/failure_limiter.h"
#include "delivery/pipeline.h"
#include "http/server.h"
#include "imap/server.h"
#include "net/connection_limiter.h"
#include "net/drain.h"
#include "net/listener.h"
#include "net/tls.h"
#include "pop3/server.h"
#include "smtp/server.h"

namespace copper::app {
namespace {

namespace asio = boost::asio;

constexpr auto drain_timeout = std::chrono::seconds(30);

result<net::certificate_paths> certificate_paths(const config::config& cfg) {
  if (!cfg.tls.cert.empty()) {
    return net::certificate_paths{cfg.tls.cert, cfg.tls.key};
  }
  return net::ensure_self_signed(cfg.data_dir, cfg.hostname);
}

asio::awaitable<void> handle_signals(asio::io_context& io, net::listener_set& listeners,
                                     net::drain_registry& drain, net::tls_provider& tls) {
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  for (;;) {
    auto [ec, sig] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      co_return;
    }
    if (sig == SIGHUP) {
      auto r = tls.load();
      if (r) {
        spdlog::info("event=reload what=tls");
      } else {
        spdlog::error("event=reload_failed what=tls error={}", r.err().message);
      }
      continue;
    }
    spdlog::info("event=shutdown signal={} sessions={}", sig, drain.active());
    listeners.close();
    drain.begin_shutdown();
    asio::steady_timer timer(io);
    auto give_up = std::chrono::steady_clock::now() + drain_timeout;
    // Sessions finish their current command; wait for them, with a bound.
    while (drain.active() > 0 && std::chrono::steady_clock::now() < give_up) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    io.stop();
    co_return;
  }
}

// The admin app (web/'s Vite build) read into memory once. Without it the
// server still runs and /admin/ shows a placeholder: a build without Node.
http::static_site load_web_app(const config::config& cfg) {
  std::filesystem::path root = cfg.http.web_root;
  if (root.empty()) {
    std::error_code ec;
    root = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / "web";
  }
  auto site = http::static_site::load(root / "admin");
  if (!site) {
    spdlog::warn("event=web_app_missing error=\"{}\"", site.err().message);
    return {};
  }
  spdlog::info("event=web_app_loaded path={} files={}", (root / "admin").string(), site->size());
  return std::move(*site);
}

}  // namespace

int serve(const config::config& cfg) {
  std::signal(SIGPIPE, SIG_IGN);
  auto core = open_core(cfg);
  if (!core) {
    spdlog::critical("event=startup_failed error={}", core.err().message);
    return 1;
  }
  auto certs = certificate_paths(cfg);
  if (!certs) {
    spdlog::critical("event=startup_failed error={}", certs.err().message);
    return 1;
  }
  net::tls_provider tls(*certs);
  if (auto r = tls.load(); !r) {
    spdlog::critical("event=startup_failed error={}", r.err().message);
    return 1;
  }

  // Blocking work (password hashing, store reads and commits) runs here. A
  // write holds its thread until the group commit's fsync returns, so the pool
  // must be large enough that sessions waiting for a commit do not starve the
  // readers: with 8 threads, 20 IMAP clients storing flags left FETCH waiting
  // (bench/README.md, "IMAP"). The threads are mostly asleep; SQLite readers
  // are bounded separately by the store.
  asio::thread_pool workers(32);
  delivery::pipeline pipeline(*core->store, cfg.hostname, workers);
  net::connection_limiter connections(cfg.limits.max_connections,
                                      cfg.limits.max_connections_per_ip);
  net::drain_registry drain;
  auth::failure_limiter auth_failures(cfg.auth.max_failures_per_ip,
                                      cfg.auth.max_failures_per_account, cfg.auth.failure_window);
  server_metrics metrics(cfg, *core->store);
  stats_sampler stats(*core->store, *core->stats, stats_sources_of(metrics));
  smtp::services smtp_services{cfg,           *core->directory, pipeline,
                               tls,           connections,      drain,
                               auth_failures, workers,          metrics.smtp_counts};
  // Declared after everything a session refers to: sessions still running
  // when the drain times out are destroyed with the io_context, and their
  // destructors reach the drain registry and the connection limiter.
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  asio::io_context io(static_cast<int>(threads));

  net::listener_set listeners(io);
  struct smtp_listener {
    const std::vector<std::string>& endpoints;
    smtp::listener_kind kind;
    const char* name;
  };
  const smtp_listener smtp_listeners[] = {
      {cfg.listen.smtp, smtp::listener_kind::mx, "smtp"},
      {cfg.listen.submission, smtp::listener_kind::submission, "submission"},
      {cfg.listen.submissions, smtp::listener_kind::submissions, "submissions"}};
  for (const auto& l : smtp_listeners) {
    for (const auto& ep : l.endpoints) {
      auto kind = l.kind;
      auto bound = listeners.add(
          ep, l.name, metrics.counted(l.name, [&smtp_services, kind](asio::ip::tcp::socket s) {
            return smtp::serve_connection(std::move(s), kind, smtp_services);
          }));
      if (!bound) {
        spdlog::critical("event=startup_failed error={}", bound.err().message);
        return 1;
      }
      spdlog::info("event=listening protocol={} address={}:{}", l.name,
                   bound->address().to_string(), bound->port());
    }
  }
  imap::services imap_services{cfg,           *core->directory, *core->mailboxes,
                               tls,           connections,      drain,
                               auth_failures, workers,          metrics.imap_auth_failures};
  const std::pair<const std::vector<std::string>&, imap::listener_kind> imap_listeners[] = {
      {cfg.listen.imap, imap::listener_kind::imap}, {cfg.listen.imaps, imap::listener_kind::imaps}};
  for (const auto& [endpoints, kind] : imap_listeners) {
    const char* name = kind == imap::listener_kind::imap ? "imap" : "imaps";
    for (const auto& ep : endpoints) {
      auto bound = listeners.add(
          ep, name, metrics.counted(name, [&imap_services, k = kind](asio::ip::tcp::socket s) {
            return imap::serve_connection(std::move(s), k, imap_services);
          }));
      if (!bound) {
        spdlog::critical("event=startup_failed error={}", bound.err().message);
        return 1;
      }
      spdlog::info("event=listening protocol={} address={}:{}", name, bound->address().to_string(),
                   bound->port());
    }
  }
  pop3::services pop3_services{cfg,           *core->directory, *core->mailboxes,
                               tls,           connections,      drain,
                               auth_failures, workers,          metrics.pop3_auth_failures};
  const std::pair<const std::vector<std::string>&, pop3::listener_kind> pop3_listeners[] = {
      {cfg.listen.pop3, pop3::listener_kind::pop3}, {cfg.listen.pop3s, pop3::listener_kind::pop3s}};
  for (const auto& [endpoints, kind] : pop3_listeners) {
    const char* name = kind == pop3::listener_kind::pop3 ? "pop3" : "pop3s";
    for (const auto& ep : endpoints) {
      auto bound = listeners.add(
          ep, name, metrics.counted(name, [&pop3_services, k = kind](asio::ip::tcp::socket s) {
            return pop3::serve_connection(std::move(s), k, pop3_services);
          }));
      if (!bound) {
        spdlog::critical("event=startup_failed error={}", bound.err().message);
        return 1;
      }
      spdlog::info("event=listening protocol={} address={}:{}", name, bound->address().to_string(),
                   bound->port());
    }
  }
  // The admin API shares the mail protocols' failed-login limiter.
  admin::operations admin_ops(*core->directory, *core->store, *core->mailboxes, cfg);
  admin::sessions admin_sessions(*core->store,
                                 {cfg.http.session_idle_timeout, cfg.http.session_lifetime});
  admin::api admin_api(admin_ops, admin_sessions, *core->directory, auth_failures,
                       metrics.web_auth_failures, cfg, core->stats);
  auto admin_site = load_web_app(cfg);
  http::services http_services{cfg,
                               *core->store,
                               tls,
                               connections,
                               drain,
                               workers,
                               metrics.registry,
                               metrics.http_requests,
                               admin_api,
                               admin_site};
  const std::pair<const std::vector<std::string>&, http::listener_kind> http_listeners[] = {
      {cfg.listen.http, http::listener_kind::http}, {cfg.listen.https, http::listener_kind::https}};
  for (const auto& [endpoints, kind] : http_listeners) {
    const char* name = kind == http::listener_kind::http ? "http" : "https";
    for (const auto& ep : endpoints) {
      auto bound = listeners.add(
          ep, name, metrics.counted(name, [&http_services, k = kind](asio::ip::tcp::socket s) {
            return http::serve_connection(std::move(s), k, http_services);
          }));
      if (!bound) {
        spdlog::critical("event=startup_failed error={}", bound.err().message);
        return 1;
      }
      spdlog::info("event=listening protocol={} address={}:{}", name, bound->address().to_string(),
                   bound->port());
    }
  }

  listeners.start();
  asio::co_spawn(io, handle_signals(io, listeners, drain, tls), asio::detached);
  asio::co_spawn(io, stats.run(workers), asio::detached);
  spdlog::info("event=started hostname={} data_dir={} threads={}", cfg.hostname,
               cfg.data_dir.string(), threads);

  std::vector<std::thread> runners;
  for (unsigned i = 1; i < threads; ++i) {
    runners.emplace_back([&io] { io.run(); });
  }
  io.run();
  for (auto& t : runners) {
    t.join();
  }
  workers.join();
  stats.sample_now();  // the minute since the last sample
  core->store->flush();
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace copper::app
