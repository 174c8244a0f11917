// copper: the one binary. Parses the command line, loads the config, and
// hands over to `serve` or a management command.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>

#include "app/cli.h"
#include "app/serve.h"
#include "config/config.h"
#include "core/log.h"

namespace {

using copper::app::cli_request;

void add_group(CLI::App& app, const std::string& name, const std::string& help,
               const std::vector<std::pair<std::string, std::string>>& actions, cli_request& req,
               bool with_user_options) {
  auto* group = app.add_subcommand(name, help);
  group->require_subcommand(1);
  for (const auto& [action, action_help] : actions) {
    auto* sub = group->add_subcommand(action, action_help);
    sub->add_option("args", req.args, "arguments");
    if (with_user_options) {
      sub->add_flag("--password-stdin", req.password_stdin,
                    "read the password from standard input (one line)");
      sub->add_option("--quota", req.quota, "storage quota, e.g. 2G (0 = unlimited)");
      sub->add_option("--quota-messages", req.quota_messages,
                      "message-count quota (0 = unlimited)");
      if (action == "add") {
        sub->add_flag("--admin", req.admin, "give the user the admin role (admin portal)");
      }
    }
    sub->callback([&req, name, action = action] {
      req.group = name;
      req.action = action;
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Copper: an all-in-one mail server", "copper"};
  std::string config_path;
  app.add_option("--config", config_path,
                 "config file (default: $COPPER_CONFIG, else ./copper.toml)");
  app.require_subcommand(1);

  bool serve = false;
  app.add_subcommand("serve", "run the server until SIGTERM")->callback([&] { serve = true; });
  cli_request req;
  add_group(app, "domain", "manage local domains",
            {{"add", "add DOMAIN"}, {"remove", "remove DOMAIN"}, {"list", "list domains"}}, req,
            false);
  add_group(app, "user", "manage users",
            {{"add", "add ADDRESS"},
             {"remove", "remove ADDRESS"},
             {"passwd", "set the password of ADDRESS"},
             {"quota", "set the quota of ADDRESS (--quota SIZE, --quota-messages N)"},
             {"role", "set the role of ADDRESS: admin or user"},
             {"disable", "disable ADDRESS: no logins anywhere, mail still arrives"},
             {"enable", "enable ADDRESS again"},
             {"list", "list users [DOMAIN]"}},
            req, true);
  add_group(app, "alias", "manage aliases (ALIAS may be @domain for a catch-all)",
            {{"add", "add ALIAS TARGET..."},
             {"remove", "remove ALIAS [TARGET...]"},
             {"list", "list aliases [DOMAIN]"}},
            req, false);
  add_group(app, "queue", "inspect the outbound queue",
            {{"list", "list queued messages"},
             {"flush", "retry everything now"},
             {"remove", "remove ID"}},
            req, false);
  auto* dns = app.add_subcommand("dns-records", "print the DNS records DOMAIN must publish");
  dns->add_option("domain", req.args, "the domain")->required();
  dns->callback([&] { req.group = "dns-records"; });

  CLI11_PARSE(app, argc, argv);

  auto path = copper::config::locate(config_path);
  if (!std::filesystem::exists(path)) {
    fmt::print(stderr,
               "copper: config file {} not found (use --config FILE, set COPPER_CONFIG, or copy "
               "etc/copper.toml)\n",
               path.string());
    return 2;
  }
  auto cfg = copper::config::load(path);
  if (!cfg) {
    fmt::print(stderr, "copper: {}\n", cfg.err().message);
    return 2;
  }
  copper::log::init(serve ? cfg->log_level : "warn");
  if (serve) {
    return copper::app::serve(*cfg);
  }
  return copper::app::run_management(*cfg, req);
}
