#include "config/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>
#include <set>

namespace copper::config {
namespace {

// Walks one TOML table, remembering which keys were read so that anything
// left over can be reported as unknown. Values are read with value_exact():
// toml++'s value() converts between integers, floats and booleans, so that
// `plaintext_on_loopback = 1` or `idle_timeout = 30.0` would pass unnoticed.
class table_reader {
 public:
  table_reader(const toml::table& table, std::string prefix, const std::filesystem::path& file)
      : table_(table), prefix_(std::move(prefix)), file_(file) {}

  const toml::node* find(std::string_view key) {
    seen_.insert(std::string(key));
    return table_.get(key);
  }

  error bad(const toml::node& node, std::string_view key, std::string_view what) const {
    return make_error(fmt::format("{}:{}: {}{}: {}", file_.string(), node.source().begin.line,
                                  prefix_, key, what));
  }

  result<void> read(std::string_view key, std::string& out) {
    const toml::node* n = find(key);
    if (n == nullptr) {
      return {};
    }
    auto v = n->value_exact<std::string>();
    if (!v) {
      return bad(*n, key, "expected a string");
    }
    out = *v;
    return {};
  }

  result<void> read(std::string_view key, bool& out) {
    const toml::node* n = find(key);
    if (n == nullptr) {
      return {};
    }
    auto v = n->value_exact<bool>();
    if (!v) {
      return bad(*n, key, "expected true or false");
    }
    out = *v;
    return {};
  }

  result<void> read_count(std::string_view key, std::uint64_t min, std::uint64_t max,
                          std::uint64_t& out) {
    const toml::node* n = find(key);
    if (n == nullptr) {
      return {};
    }
    auto v = n->value_exact<std::int64_t>();
    if (!v || *v < 0 || static_cast<std::uint64_t>(*v) < min ||
        static_cast<std::uint64_t>(*v) > max) {
      return bad(*n, key, fmt::format("expected an integer from {} to {}", min, max));
    }
    out = static_cast<std::uint64_t>(*v);
    return {};
  }

  template <class Int>
  result<void> read_int(std::string_view key, std::uint64_t min, std::uint64_t max, Int& out) {
    std::uint64_t v = out;
    auto r = read_count(key, min, max, v);
    out = static_cast<Int>(v);
    return r;
  }

  result<void> read_seconds(std::string_view key, std::uint64_t min, std::uint64_t max,
                            std::chrono::seconds& out) {
    auto v = static_cast<std::uint64_t>(out.count());
    auto r = read_count(key, min, max, v);
    out = std::chrono::seconds(v);
    return r;
  }

  result<void> read_size(std::string_view key, std::uint64_t& out) {
    const toml::node* n = find(key);
    if (n == nullptr) {
      return {};
    }
    if (auto i = n->value_exact<std::int64_t>()) {
      if (*i <= 0) {
        return bad(*n, key, "expected a positive size");
      }
      out = static_cast<std::uint64_t>(*i);
      return {};
    }
    auto s = n->value_exact<std::string>();
    if (!s) {
      return bad(*n, key, "expected a size such as 50M");
    }
    auto parsed = parse_size(*s);
    if (!parsed) {
      return bad(*n, key, parsed.err().message);
    }
    out = *parsed;
    return {};
  }

  result<void> read(std::string_view key, std::vector<std::string>& out) {
    const toml::node* n = find(key);
    if (n == nullptr) {
      return {};
    }
    const toml::array* arr = n->as_array();
    if (arr == nullptr) {
      return bad(*n, key, "expected a list of strings");
    }
    out.clear();
    for (const toml::node& item : *arr) {
      auto v = item.value_exact<std::string>();
      if (!v) {
        return bad(item, key, "expected a list of strings");
      }
      out.push_back(*v);
    }
    return {};
  }

  // Returns the sub-table `key`, or nullptr if absent; an error if it is not a table.
  result<const toml::table*> sub_table(std::string_view key) {
    const toml::node* n = find(key);
    if (n == nullptr) {
      return static_cast<const toml::table*>(nullptr);
    }
    if (!n->is_table()) {
      return bad(*n, key, "expected a table");
    }
    return n->as_table();
  }

  result<void> check_unknown() const {
    for (const auto& [k, v] : table_) {
      if (!seen_.contains(std::string(k.str()))) {
        return bad(v, k.str(), "unknown key");
      }
    }
    return {};
  }

  const std::filesystem::path& file() const { return file_; }

 private:
  const toml::table& table_;
  std::string prefix_;
  const std::filesystem::path& file_;
  std::set<std::string, std::less<>> seen_;
};

#define COPPER_TRY(expr)     \
  do {                       \
    const auto& r_ = (expr); \
    if (!r_) {               \
      return r_.err();       \
    }                        \
  } while (false)

result<void> check_endpoints(table_reader& r, std::string_view key,
                             const std::vector<std::string>& list, const toml::table& t) {
  for (const auto& ep : list) {
    auto colon = ep.rfind(':');
    bool ok = colon != std::string::npos && colon > 0 && colon + 1 < ep.size();
    if (ok) {
      auto port = ep.substr(colon + 1);
      ok = port.find_first_not_of("0123456789") == std::string::npos && port.size() <= 5 &&
           std::stoul(port) <= 65535;
    }
    if (!ok) {
      return r.bad(*t.get(key), key,
                   fmt::format("'{}' is not host:port (use [::1]:port for IPv6)", ep));
    }
  }
  return {};
}

result<void> read_listen(table_reader& parent, config& c) {
  auto t = parent.sub_table("listen");
  COPPER_TRY(t);
  if (*t == nullptr) {
    return {};
  }
  table_reader r(**t, "listen.", parent.file());
  auto& l = c.listen;
  std::pair<const char*, std::vector<std::string>*> keys[] = {{"smtp", &l.smtp},
                                                              {"submission", &l.submission},
                                                              {"submissions", &l.submissions},
                                                              {"imap", &l.imap},
                                                              {"imaps", &l.imaps},
                                                              {"pop3", &l.pop3},
                                                              {"pop3s", &l.pop3s},
                                                              {"http", &l.http},
                                                              {"https", &l.https}};
  for (auto& [key, list] : keys) {
    COPPER_TRY(r.read(key, *list));
    COPPER_TRY(check_endpoints(r, key, *list, **t));
  }
  return r.check_unknown();
}

result<void> read_tls(table_reader& parent, config& c) {
  auto t = parent.sub_table("tls");
  COPPER_TRY(t);
  if (*t == nullptr) {
    return {};
  }
  table_reader r(**t, "tls.", parent.file());
  COPPER_TRY(r.read("cert", c.tls.cert));
  COPPER_TRY(r.read("key", c.tls.key));
  if (c.tls.cert.empty() != c.tls.key.empty()) {
    const char* set_key = c.tls.cert.empty() ? "key" : "cert";
    return r.bad(*(*t)->get(set_key), set_key,
                 "tls.cert and tls.key must both be set or both be empty");
  }
  return r.check_unknown();
}

result<void> read_dns(table_reader& parent, config& c) {
  auto t = parent.sub_table("dns");
  COPPER_TRY(t);
  if (*t == nullptr) {
    return {};
  }
  table_reader r(**t, "dns.", parent.file());
  COPPER_TRY(r.read("servers", c.dns.servers));
  COPPER_TRY(check_endpoints(r, "servers", c.dns.servers, **t));
  return r.check_unknown();
}

result<void> read_limits(table_reader& parent, config& c) {
  auto t = parent.sub_table("limits");
  COPPER_TRY(t);
  if (*t == nullptr) {
    return {};
  }
  table_reader r(**t, "limits.", parent.file());
  COPPER_TRY(r.read_int("max_connections", 1, 1'000'000, c.limits.max_connections));
  COPPER_TRY(r.read_int("max_connections_per_ip", 1, 1'000'000, c.limits.max_connections_per_ip));
  return r.check_unknown();
}

result<void> read_smtp(table_reader& parent, config& c) {
  auto t = parent.sub_table("smtp");
  COPPER_TRY(t);
  if (*t == nullptr) {
    return {};
  }
  table_reader r(**t, "smtp.", parent.file());
  auto& s = c.smtp;
  COPPER_TRY(r.read_size("max_message_size", s.max_message_size));
  COPPER_TRY(r.read_int("max_recipients", 1, 100'000, s.max_recipients));
  COPPER_TRY(r.read_int("max_line_length", 1000, 1'000'000, s.max_line_length));
  COPPER_TRY(r.read_int("max_errors", 1, 10'000, s.max_errors));
  COPPER_TRY(r.read_seconds("idle_timeout", 1, 86'400, s.idle_timeout));
  return r.check_unknown();
}

result<void> read_auth(table_reader& parent, config& c) {
  auto t = parent.sub_table("auth");
  COPPER_TRY(t);
  if (*t == nullptr) {
    return {};
  }
  table_reader r(**t, "auth.", parent.file());
  auto& a = c.auth;
  COPPER_TRY(r.read_int("max_failures_per_ip", 1, 1'000'000, a.max_failures_per_ip));
  COPPER_TRY(r.read_int("max_failures_per_account", 1, 1'000'000, a.max_failures_per_account));
  COPPER_TRY(r.read_seconds("failure_window", 1, 86'400ull * 7, a.failure_window));
  COPPER_TRY(r.read("plaintext_on_loopback", a.plaintext_on_loopback));
  return r.check_unknown();
}

result<void> read_http(table_reader& parent, config& c) {
  auto t = parent.sub_table("http");
  COPPER_TRY(t);
  if (*t == nullptr) {
    return {};
  }
  table_reader r(**t, "http.", parent.file());
  auto& h = c.http;
  COPPER_TRY(r.read_int("max_requests_per_connection", 1, 100'000, h.max_requests_per_connection));
  // Beast's parser takes the header limit as a 32-bit count.
  COPPER_TRY(r.read_int("max_header_size", 1024, std::uint64_t{1024} * 1024, h.max_header_size));
  COPPER_TRY(r.read_size("max_body_size", h.max_body_size));
  COPPER_TRY(r.read_seconds("request_timeout", 1, 3600, h.request_timeout));
  COPPER_TRY(r.read_seconds("idle_timeout", 1, 3600, h.idle_timeout));
  COPPER_TRY(r.read_seconds("session_idle_timeout", 1, 86'400, h.session_idle_timeout));
  COPPER_TRY(r.read_seconds("session_lifetime", 1, 86'400ull * 30, h.session_lifetime));
  COPPER_TRY(r.read("web_root", h.web_root));
  COPPER_TRY(r.read("metrics_token", h.metrics_token));
  return r.check_unknown();
}

// Backends not yet implemented are refused by name rather than ignored.
result<void> read_backend(table_reader& parent, std::string_view section,
                          std::string_view supported) {
  auto t = parent.sub_table(section);
  COPPER_TRY(t);
  if (*t == nullptr) {
    return {};
  }
  table_reader r(**t, std::string(section) + ".", parent.file());
  std::string backend(supported);
  COPPER_TRY(r.read("backend", backend));
  if (backend != supported) {
    return r.bad(
        *(*t)->get("backend"), "backend",
        fmt::format("'{}' is not supported by this build (supported: \"{}\")", backend, supported));
  }
  return r.check_unknown();
}

std::string system_hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == 0) {
    return "localhost";
  }
  return buf;
}

}  // namespace

result<std::uint64_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      return make_error("size too large");
    }
    n = n * 10 + digit;
    ++i;
  }
  if (i == 0) {
    return make_error(fmt::format("'{}' is not a size (examples: 50M, 512K, 1G)", text));
  }
  std::string unit(text.substr(i));
  for (char& ch : unit) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  std::uint64_t mult = 1;
  if (unit.empty() || unit == "B") {
    mult = 1;
  } else if (unit == "K" || unit == "KB" || unit == "KIB") {
    mult = 1024;
  } else if (unit == "M" || unit == "MB" || unit == "MIB") {
    mult = 1024ull * 1024;
  } else if (unit == "G" || unit == "GB" || unit == "GIB") {
    mult = 1024ull * 1024 * 1024;
  } else {
    return make_error(fmt::format("'{}' is not a size (examples: 50M, 512K, 1G)", text));
  }
  if (n == 0 || n > std::numeric_limits<std::uint64_t>::max() / mult) {
    return make_error("size out of range");
  }
  return n * mult;
}

std::filesystem::path locate(const std::string& from_command_line) {
  if (!from_command_line.empty()) {
    return from_command_line;
  }
  if (const char* env = std::getenv("COPPER_CONFIG"); env != nullptr && *env != 0) {
    return env;
  }
  return "copper.toml";
}

result<config> load(const std::filesystem::path& file) {
  toml::table root;
  // toml++ reads a directory as an empty document.
  if (std::error_code ec; std::filesystem::is_directory(file, ec)) {
    return make_error(fmt::format("{}: cannot read: is a directory", file.string()));
  }
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    if (src.begin.line == 0) {
      return make_error(fmt::format("{}: cannot read: {}", file.string(), e.description()));
    }
    return make_error(fmt::format("{}:{}:{}: {}", file.string(), src.begin.line, src.begin.column,
                                  e.description()));
  }
  config c;
  c.source = file;
  table_reader r(root, "", file);
  COPPER_TRY(r.read("hostname", c.hostname));
  std::string data_dir = c.data_dir.string();
  COPPER_TRY(r.read("data_dir", data_dir));
  COPPER_TRY(r.read("log_level", c.log_level));
  static const std::set<std::string, std::less<>> levels = {"trace", "debug", "info",
                                                            "warn",  "error", "off"};
  if (const auto* n = root.get("log_level"); n != nullptr && !levels.contains(c.log_level)) {
    return r.bad(*n, "log_level", "expected one of trace, debug, info, warn, error, off");
  }
  COPPER_TRY(read_listen(r, c));
  COPPER_TRY(read_tls(r, c));
  COPPER_TRY(read_dns(r, c));
  COPPER_TRY(read_limits(r, c));
  COPPER_TRY(read_smtp(r, c));
  COPPER_TRY(read_auth(r, c));
  COPPER_TRY(read_http(r, c));
  COPPER_TRY(read_backend(r, "store", "sqlite"));
  COPPER_TRY(read_backend(r, "directory", "internal"));
  COPPER_TRY(read_backend(r, "kv", "memory"));
  COPPER_TRY(r.check_unknown());

  if (c.hostname.empty()) {
    c.hostname = system_hostname();
  }
  if (data_dir.empty()) {
    return r.bad(*root.get("data_dir"), "data_dir", "must not be empty");
  }
  auto base = std::filesystem::absolute(file).parent_path();
  auto resolve = [&](const std::string& p) -> std::string {
    if (p.empty() || std::filesystem::path(p).is_absolute()) {
      return p;
    }
    return (base / p).lexically_normal().string();
  };
  c.data_dir = resolve(data_dir);
  c.tls.cert = resolve(c.tls.cert);
  c.tls.key = resolve(c.tls.key);
  c.http.web_root = resolve(c.http.web_root);
  return c;
}

}  // namespace copper::config
