// Operations commands beside the management ones of cli.h: `copper stats`
// (the dashboard's hourly statistics) and `copper dns-check` (the live DNS
// check of a domain).
#pragma once

#include "app/cli.h"
#include "store/stats.h"

namespace copper::app {

// copper stats [HOURS]: one line per hour, oldest first (default 24, at most 168).
int stats_command(store::stats_store& stats, const cli_request& req);

// copper dns-check DOMAIN: prints the check as JSON (the admin API's body);
// exit status 1 when a record is missing or wrong.
int dns_check_command(const config::config& cfg, const cli_request& req);

}  // namespace copper::app
