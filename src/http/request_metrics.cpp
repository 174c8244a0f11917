#include "http/request_metrics.h"

#include <fmt/format.h>

#include <algorithm>

#include "http/router.h"

namespace copper::http {

request_metrics::request_metrics(core::metrics_registry& registry) {
  std::vector<std::string_view> names = {"none", "redirect"};
  for (const auto& r : routes) {
    if (std::find(names.begin(), names.end(), r.name) == names.end()) {
      names.push_back(r.name);
    }
  }
  for (auto name : names) {
    per_route p{name, {}};
    for (unsigned c = 0; c < 5; ++c) {
      // copper_http_requests_total{route,code}: requests answered, by the
      // route that matched ("none": no route, "redirect": plain http sent to
      // https) and the status class of the answer ("2xx", "4xx", ...).
      p.by_class[c] = &registry.add_counter("copper_http_requests_total",
                                            "HTTP requests answered, by route and status class",
                                            fmt::format(R"(route="{}",code="{}xx")", name, c + 1));
    }
    routes_.push_back(p);
  }
  // copper_http_request_duration_seconds: from a complete request to its
  // response being ready to send (the server's own time, not the network's).
  latency_ = &registry.add_histogram(
      "copper_http_request_duration_seconds", "Time to answer an HTTP request", "",
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
}

void request_metrics::observe(std::string_view route, unsigned status, double seconds) {
  latency_->observe(seconds);
  unsigned c = status / 100;
  if (c < 1 || c > 5) {
    return;
  }
  for (auto& r : routes_) {
    if (r.route == route) {
      r.by_class[c - 1]->inc();
      return;
    }
  }
}

}  // namespace copper::http
