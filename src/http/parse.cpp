#include "http/parse.h"

#include <boost/url/parse.hpp>

#include "core/text.h"

namespace copper::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return std::nullopt;
      }
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

fields parse_query(std::string_view query) {
  fields out;
  while (!query.empty() && out.size() < max_fields) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (name && value && !name->empty()) {
      out.emplace_back(std::move(*name), std::move(*value));
    }
  }
  return out;
}

fields parse_cookies(std::string_view header) {
  fields out;
  while (!header.empty() && out.size() < max_fields) {
    auto semi = header.find(';');
    std::string_view pair = trim_blanks(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      continue;  // RFC 6265 5.2: a cookie without '=' or a name is ignored
    }
    std::string_view name = trim_blanks(pair.substr(0, eq));
    std::string_view value = trim_blanks(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!name.empty()) {
      out.emplace_back(std::string(name), std::string(value));
    }
  }
  return out;
}

std::optional<std::string> find_field(const fields& f, std::string_view name) {
  for (const auto& [k, v] : f) {
    if (k == name) {
      return v;
    }
  }
  return std::nullopt;
}

std::optional<target> parse_target(std::string_view request_target) {
  auto parsed = boost::urls::parse_origin_form(request_target);
  if (!parsed) {
    return std::nullopt;
  }
  return target{std::string(parsed->encoded_path()), std::string(parsed->encoded_query())};
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 2.2 forbids most control characters even when escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

bool plausible_address(std::string_view address) {
  if (address.empty() || address.size() > 254) {
    return false;
  }
  auto at = address.rfind('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == address.size()) {
    return false;
  }
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>' || c == '"' || c == '&' || c == '\'') {
      return false;
    }
  }
  return true;
}

std::optional<std::string> autodiscover_email(std::string_view body) {
  // Only the first 64 KiB are looked at, whatever the body limit.
  body = body.substr(0, std::size_t{64} * 1024);
  constexpr std::string_view open = "<EMailAddress>";
  constexpr std::string_view close = "</EMailAddress>";
  auto start = body.find(open);
  if (start == std::string_view::npos) {
    return std::nullopt;
  }
  start += open.size();
  auto end = body.find(close, start);
  if (end == std::string_view::npos || end - start > 1024) {
    return std::nullopt;
  }
  std::string_view value = body.substr(start, end - start);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\n' ||
                            value.front() == '\r' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\n' || value.back() == '\r' ||
                            value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (!plausible_address(value)) {
    return std::nullopt;
  }
  return std::string(value);
}

std::optional<std::vector<std::string>> path_segments(std::string_view path,
                                                      std::size_t max_segments) {
  std::vector<std::string> out;
  for (;;) {
    if (out.size() == max_segments) {
      return std::nullopt;
    }
    auto slash = path.find('/');
    auto segment = percent_decode(path.substr(0, slash), false);
    if (!segment) {
      return std::nullopt;
    }
    out.push_back(std::move(*segment));
    if (slash == std::string_view::npos) {
      return out;
    }
    path.remove_prefix(slash + 1);
  }
}

}  // namespace copper::http
