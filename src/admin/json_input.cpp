#include "admin/json_input.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include "core/address.h"

namespace copper::admin {
namespace {

error wrong_type(std::string_view name, std::string_view expected) {
  return make_error(std::string(name) + " must be " + std::string(expected), "invalid_field",
                    std::string(name));
}

}  // namespace

result<boost::json::object> parse_json_object(std::string_view body) {
  if (body.size() > max_json_body) {
    return make_error("request body too large", "too_large");
  }
  boost::json::parse_options opts;
  opts.max_depth = max_json_depth;
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec, {}, opts);
  if (ec) {
    return make_error("invalid JSON: " + ec.message(), "invalid_json");
  }
  if (!v.is_object()) {
    return make_error("the body must be a JSON object", "invalid_json");
  }
  return std::move(v.as_object());
}

bool is_json_media_type(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
    type.remove_suffix(1);
  }
  return to_lower_ascii(type) == "application/json";
}

bool origin_matches(std::string_view origin, std::string_view host) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || host.empty() || host.size() > 300) {
    return false;
  }
  auto scheme = to_lower_ascii(origin.substr(0, scheme_end));
  if (scheme != "https" && scheme != "http") {
    return false;
  }
  auto authority = origin.substr(scheme_end + 3);
  if (authority.empty() || authority.find_first_of("/?#@ ") != std::string_view::npos) {
    return false;
  }
  // Host may omit the default port that Origin omits too; compare literally
  // after dropping it from both.
  auto strip_default = [&](std::string_view a) {
    std::string s = to_lower_ascii(a);
    std::string_view dflt = scheme == "https" ? ":443" : ":80";
    if (s.size() > dflt.size() && s.ends_with(dflt)) {
      s.resize(s.size() - dflt.size());
    }
    return s;
  };
  return strip_default(authority) == strip_default(host);
}

result<std::optional<std::string>> string_member(const boost::json::object& o,
                                                 std::string_view name) {
  auto* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::string>{};
  }
  if (!v->is_string() || v->as_string().size() > max_json_string) {
    return wrong_type(name, "a string of at most 4096 octets");
  }
  return std::optional<std::string>{std::string(v->as_string())};
}

result<std::optional<std::uint64_t>> uint_member(const boost::json::object& o,
                                                 std::string_view name) {
  auto* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::uint64_t>{};
  }
  if (v->is_uint64()) {
    return std::optional<std::uint64_t>{v->as_uint64()};
  }
  if (v->is_int64() && v->as_int64() >= 0) {
    return std::optional<std::uint64_t>{static_cast<std::uint64_t>(v->as_int64())};
  }
  return wrong_type(name, "a non-negative integer");
}

result<std::optional<bool>> bool_member(const boost::json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<bool>{};
  }
  if (!v->is_bool()) {
    return wrong_type(name, "true or false");
  }
  return std::optional<bool>{v->as_bool()};
}

result<std::optional<std::vector<std::string>>> string_list_member(const boost::json::object& o,
                                                                   std::string_view name) {
  auto* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::vector<std::string>>{};
  }
  if (!v->is_array() || v->as_array().size() > max_list_items) {
    return wrong_type(name, "a list of at most 100 strings");
  }
  std::vector<std::string> out;
  for (const auto& item : v->as_array()) {
    if (!item.is_string() || item.as_string().size() > max_json_string) {
      return wrong_type(name, "a list of strings");
    }
    out.emplace_back(item.as_string());
  }
  return std::optional<std::vector<std::string>>{std::move(out)};
}

}  // namespace copper::admin
