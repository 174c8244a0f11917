#include "core/metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace copper::core {

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) {
    ++i;
  }
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  auto micros = seconds > 0 ? static_cast<std::uint64_t>(std::llround(seconds * 1e6)) : 0;
  sum_micros_.fetch_add(micros, std::memory_order_relaxed);
}

std::vector<std::uint64_t> histogram::counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = counts_[i].load(std::memory_order_relaxed);
  }
  return out;
}

double histogram::sum() const {
  return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

metrics_registry::family& metrics_registry::family_for(std::string_view name, std::string_view help,
                                                       kind type) {
  if (!name.starts_with("copper_")) {
    throw std::logic_error(fmt::format("metric {} lacks the copper_ prefix", name));
  }
  for (auto& f : families_) {
    if (f.name == name) {
      if (f.type != type) {
        throw std::logic_error(fmt::format("metric {} registered with two types", name));
      }
      return f;
    }
  }
  families_.push_back(family{std::string(name), std::string(help), type, {}});
  return families_.back();
}

counter& metrics_registry::add_counter(std::string_view name, std::string_view help,
                                       std::string labels) {
  auto& f = family_for(name, help, kind::counter);
  f.members.push_back(series{std::move(labels), std::make_unique<counter>(), {}, {}, {}});
  return *f.members.back().c;
}

gauge& metrics_registry::add_gauge(std::string_view name, std::string_view help,
                                   std::string labels) {
  auto& f = family_for(name, help, kind::gauge);
  f.members.push_back(series{std::move(labels), {}, std::make_unique<gauge>(), {}, {}});
  return *f.members.back().g;
}

histogram& metrics_registry::add_histogram(std::string_view name, std::string_view help,
                                           std::string labels, std::vector<double> bounds) {
  auto& f = family_for(name, help, kind::histogram);
  f.members.push_back(
      series{std::move(labels), {}, {}, std::make_unique<histogram>(std::move(bounds)), {}});
  return *f.members.back().h;
}

void metrics_registry::add_gauge_callback(std::string_view name, std::string_view help,
                                          std::function<double()> read) {
  auto& f = family_for(name, help, kind::gauge);
  f.members.push_back(series{{}, {}, {}, {}, std::move(read)});
}

namespace {

std::string braces(std::string_view labels) {
  return labels.empty() ? std::string() : fmt::format("{{{}}}", labels);
}

// The text format's numbers: integers as such, others in Go's float syntax.
std::string number(double v) {
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  if (std::isnan(v)) {
    return "NaN";
  }
  return fmt::format("{}", v);
}

void render_histogram(std::string& out, const std::string& name, const std::string& labels,
                      const histogram& h) {
  auto counts = h.counts();
  std::string sep = labels.empty() ? "" : labels + ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    std::string le = i < h.bounds().size() ? number(h.bounds()[i]) : "+Inf";
    out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, sep, le, cumulative);
  }
  out += fmt::format("{}_sum{} {}\n", name, braces(labels), number(h.sum()));
  out += fmt::format("{}_count{} {}\n", name, braces(labels), cumulative);
}

}  // namespace

std::string metrics_registry::render() const {
  static constexpr std::string_view type_names[] = {"counter", "gauge", "histogram"};
  std::string out;
  for (const auto& f : families_) {
    out += fmt::format("# HELP {} {}\n", f.name, f.help);
    out += fmt::format("# TYPE {} {}\n", f.name, type_names[static_cast<int>(f.type)]);
    for (const auto& s : f.members) {
      if (s.c) {
        out += fmt::format("{}{} {}\n", f.name, braces(s.labels), s.c->value());
      } else if (s.g) {
        out += fmt::format("{}{} {}\n", f.name, braces(s.labels), s.g->value());
      } else if (s.h) {
        render_histogram(out, f.name, s.labels, *s.h);
      } else if (s.read) {
        out += fmt::format("{}{} {}\n", f.name, braces(s.labels), number(s.read()));
      }
    }
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace copper::core
