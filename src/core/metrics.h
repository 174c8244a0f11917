// A small metrics registry exported at /metrics in the Prometheus text format
// (exposition format 0.0.4). Metrics are registered at startup by app/ and
// handed to the modules that update them; updates are lock-free atomics, so
// any I/O thread may count without coordination.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace copper::core {

class counter {
 public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class gauge {
 public:
  void add(std::int64_t n) { v_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

// Fixed buckets (upper bounds in seconds), as Prometheus histograms expect:
// cumulative counts are computed when rendering.
class histogram {
 public:
  explicit histogram(std::vector<double> bounds);
  void observe(double seconds);
  const std::vector<double>& bounds() const { return bounds_; }
  // Observations per bucket (not cumulative); the last is +Inf.
  std::vector<std::uint64_t> counts() const;
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> sum_micros_{0};
};

// Every metric is registered before the server accepts connections; after
// that the registry's tables are only read (render) while the metrics
// themselves change through their atomics. Names must carry the `copper_`
// prefix; `labels` is the inside of the braces, e.g. `protocol="smtp"`.
class metrics_registry {
 public:
  counter& add_counter(std::string_view name, std::string_view help, std::string labels = {});
  gauge& add_gauge(std::string_view name, std::string_view help, std::string labels = {});
  histogram& add_histogram(std::string_view name, std::string_view help, std::string labels,
                           std::vector<double> bounds);
  // A gauge read when rendering (store size, queue length). `read` may block:
  // render() runs on the worker pool.
  void add_gauge_callback(std::string_view name, std::string_view help,
                          std::function<double()> read);

  std::string render() const;

 private:
  enum class kind { counter, gauge, histogram };
  struct series {
    std::string labels;
    std::unique_ptr<counter> c;
    std::unique_ptr<gauge> g;
    std::unique_ptr<histogram> h;
    std::function<double()> read;
  };
  struct family {
    std::string name;
    std::string help;
    kind type;
    std::vector<series> members;
  };
  family& family_for(std::string_view name, std::string_view help, kind type);

  std::vector<family> families_;
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string escape_label_value(std::string_view value);

}  // namespace copper::core
