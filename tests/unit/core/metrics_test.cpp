#include "core/metrics.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace copper::core {
namespace {

TEST(Metrics, RendersCountersAndGaugesOncePerFamily) {
  metrics_registry r;
  auto& a = r.add_counter("copper_things_total", "Things", "kind=\"a\"");
  auto& b = r.add_counter("copper_things_total", "Things", "kind=\"b\"");
  auto& g = r.add_gauge("copper_open", "Open");
  a.inc();
  b.inc(3);
  g.add(2);
  g.add(-1);
  EXPECT_EQ(r.render(),
            "# HELP copper_things_total Things\n# TYPE copper_things_total counter\n"
            "copper_things_total{kind=\"a\"} 1\ncopper_things_total{kind=\"b\"} 3\n"
            "# HELP copper_open Open\n# TYPE copper_open gauge\ncopper_open 1\n");
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  metrics_registry r;
  auto& h = r.add_histogram("copper_latency_seconds", "Latency", "", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  auto text = r.render();
  EXPECT_NE(text.find("copper_latency_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("copper_latency_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("copper_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("copper_latency_seconds_count 3\n"), std::string::npos);
  EXPECT_NE(text.find("copper_latency_seconds_sum 5.55\n"), std::string::npos);
}

TEST(Metrics, CallbackGaugesAreReadWhenRendering) {
  metrics_registry r;
  double v = 1;
  r.add_gauge_callback("copper_queue", "Queue", [&v] { return v; });
  v = 42;
  EXPECT_NE(r.render().find("copper_queue 42\n"), std::string::npos);
}

TEST(Metrics, RefusesNamesWithoutPrefix) {
  metrics_registry r;
  EXPECT_THROW(r.add_counter("things_total", "x"), std::logic_error);
  r.add_counter("copper_x", "x");
  EXPECT_THROW(r.add_gauge("copper_x", "x"), std::logic_error);
}

TEST(Metrics, CountersAreThreadSafe) {
  metrics_registry r;
  auto& c = r.add_counter("copper_n_total", "n");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < 10000; ++i) {
        c.inc();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(c.value(), 40000u);
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace copper::core
