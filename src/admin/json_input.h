// What the admin API reads from a request before any decision: the JSON
// body (bounded in size and nesting), the media type, and whether an Origin
// header names the host the request was sent to. No I/O: the fuzzer
// (tests/fuzz/admin_api_fuzzer.cpp) and the unit tests call it alone.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace copper::admin {

constexpr std::size_t max_json_body = std::size_t{64} * 1024;
constexpr std::size_t max_json_depth = 16;
// Strings a request may carry: addresses are far shorter, passwords are
// bounded by the password policy (1024), lists by the alias targets we take.
constexpr std::size_t max_json_string = 4096;
constexpr std::size_t max_list_items = 100;

// The body as a JSON object; errors carry code invalid_json (or too_large).
result<boost::json::object> parse_json_object(std::string_view body);

// "application/json", optionally with parameters ("; charset=utf-8").
bool is_json_media_type(std::string_view content_type);

// RFC 6454 7: an Origin "scheme://host[:port]" whose host[:port] equals the
// Host header (case-insensitive). "null" and anything malformed never match.
bool origin_matches(std::string_view origin, std::string_view host);

// Typed optional members of a body; a member of the wrong type is a 400
// with code invalid_field and the member's name as field.
result<std::optional<std::string>> string_member(const boost::json::object& o,
                                                 std::string_view name);
result<std::optional<std::uint64_t>> uint_member(const boost::json::object& o,
                                                 std::string_view name);
result<std::optional<bool>> bool_member(const boost::json::object& o, std::string_view name);
result<std::optional<std::vector<std::string>>> string_list_member(const boost::json::object& o,
                                                                   std::string_view name);

}  // namespace copper::admin
