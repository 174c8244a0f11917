// The admin JSON API under /admin/api/ (docs/openapi.yaml): one table of
// routes {method, pattern, access, handler}; the dispatcher enforces the
// session, CSRF and role rules in one place before a handler runs. It sees
// the request as http/ hands it over (api_request) and has no I/O: handle()
// blocks on the store and password hashing, so http/ calls it on the worker
// pool. Adding an endpoint is a line in the table and a handler.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "admin/operations.h"
#include "admin/sessions.h"
#include "auth/failure_limiter.h"
#include "config/config.h"
#include "core/metrics.h"
#include "directory/directory.h"

namespace copper::admin {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct api_request {
  std::string method;             // "GET", "POST", ...
  std::vector<std::string> path;  // percent-decoded segments below /admin/api/
  header_list query;              // decoded query fields
  std::string session_token;      // the copper_session cookie, if any
  std::string csrf_token;         // X-CSRF-Token
  std::optional<std::string> origin;
  std::string host;
  std::string content_type;
  std::string body;
  std::string client_ip;
};

struct api_response {
  unsigned status = 200;
  std::string body;  // JSON, empty with 204
  header_list headers;
};

inline constexpr std::string_view session_cookie = "copper_session";

class api {
 public:
  // `failures` counts failed logins (copper_auth_failures_total{protocol="web"}).
  api(operations& ops, sessions& sessions, directory::directory& dir,
      auth::failure_limiter& limiter, core::counter& failures, const config::config& cfg)
      : ops_(ops),
        sessions_(sessions),
        dir_(dir),
        limiter_(limiter),
        failures_(failures),
        cfg_(cfg) {}

  // Blocking: run it on the worker pool.
  api_response handle(const api_request& req);

  enum class access { anyone, user, admin };
  struct call {
    const api_request& req;
    std::vector<std::string> params;  // the {} segments of the pattern, in order
    boost::json::object body;
    std::optional<active_session> session;
  };
  using handler = api_response (api::*)(call&);
  struct route {
    std::string_view method;
    std::string_view pattern;  // "users/{}": segments, {} matches one
    access need;
    handler fn;
  };
  // Every route, for the dispatcher and the OpenAPI test.
  static std::span<const route> routes();

 private:
  api_response dispatch(const api_request& req);

  api_response login(call& c);
  api_response logout(call& c);
  api_response get_session(call& c);
  api_response me(call& c);
  api_response me_password(call& c);
  api_response list_domains(call& c);
  api_response add_domain(call& c);
  api_response remove_domain(call& c);
  api_response domain_dns(call& c);
  api_response list_users(call& c);
  api_response create_user(call& c);
  api_response get_user(call& c);
  api_response update_user(call& c);
  api_response remove_user(call& c);
  api_response list_aliases(call& c);
  api_response add_alias(call& c);
  api_response remove_alias(call& c);
  api_response list_queue(call& c);
  api_response flush_queue(call& c);
  api_response remove_queued(call& c);
  api_response status(call& c);

  operations& ops_;
  sessions& sessions_;
  directory::directory& dir_;
  auth::failure_limiter& limiter_;
  core::counter& failures_;
  const config::config& cfg_;
};

// {"error": message, "code": code, "field": field?} with the status the code
// maps to (400, 401, 403, 404, 409, 413, 415, 429; 500 for anything else).
api_response error_reply(const error& e);

}  // namespace copper::admin
