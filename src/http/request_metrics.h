// The HTTP server's own metrics: requests by route and status class, and a
// latency histogram. Registered once at startup (app/ owns the registry).
#pragma once

#include <string_view>
#include <vector>

#include "core/metrics.h"

namespace copper::http {

class request_metrics {
 public:
  explicit request_metrics(core::metrics_registry& registry);

  // `route` is a route's name from router.h, or "none" when nothing matched.
  void observe(std::string_view route, unsigned status, double seconds);

 private:
  struct per_route {
    std::string_view route;
    core::counter* by_class[5];  // 1xx .. 5xx
  };
  std::vector<per_route> routes_;
  core::histogram* latency_;
};

}  // namespace copper::http
