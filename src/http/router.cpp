#include "http/router.h"

namespace copper::http {

method parse_method(std::string_view name) {
  // RFC 9110 9.1: method names are case-sensitive.
  if (name == "GET") {
    return method::get;
  }
  if (name == "HEAD") {
    return method::head;
  }
  if (name == "POST") {
    return method::post;
  }
  if (name == "PUT") {
    return method::put;
  }
  if (name == "PATCH") {
    return method::patch;
  }
  if (name == "DELETE") {
    return method::delete_;
  }
  return method::other;
}

match find_route(std::string_view path, method m) {
  const route* best = nullptr;
  for (const auto& r : routes) {
    if (!r.prefix && r.path == path) {
      best = &r;
      break;
    }
    if (r.prefix && path.starts_with(r.path) &&
        (best == nullptr || r.path.size() > best->path.size())) {
      best = &r;
    }
  }
  if (best == nullptr) {
    return {};
  }
  return {best, (best->methods & static_cast<unsigned>(m)) != 0};
}

std::string allow_header(const route& r) {
  std::string out;
  auto add = [&](method m, std::string_view name) {
    if ((r.methods & static_cast<unsigned>(m)) != 0) {
      out += out.empty() ? "" : ", ";
      out += name;
    }
  };
  add(method::get, "GET");
  add(method::head, "HEAD");
  add(method::post, "POST");
  add(method::put, "PUT");
  add(method::patch, "PATCH");
  add(method::delete_, "DELETE");
  return out;
}

bool served_over_plain_http(std::string_view path) {
  return path == "/healthz" || path.starts_with("/.well-known/");
}

}  // namespace copper::http
