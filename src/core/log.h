// Structured logging: one event per line, key=value pairs, never a secret or
// a message body (STYLE.md). A thin layer over spdlog.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace copper::log {

// Sets up the default logger: level from a name ("debug", "info", ...).
void init(std::string_view level);

// Quotes a value for key=value output when it has spaces, quotes or controls.
std::string quote(std::string_view value);

}  // namespace copper::log
