// The management commands of ARCHITECTURE.md (domain, user, alias, queue,
// dns-records). Each returns the process exit status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace copper::app {

struct cli_request {
  std::string group;   // domain, user, alias, queue, dns-records
  std::string action;  // add, remove, list, passwd, flush
  std::vector<std::string> args;
  bool password_stdin = false;
  std::string quota;           // "" = not given
  std::string quota_messages;  // "" = not given
  bool admin = false;          // user add --admin
};

int run_management(const config::config& cfg, const cli_request& req);

}  // namespace copper::app
