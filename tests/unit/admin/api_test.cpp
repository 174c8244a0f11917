// The admin API's dispatcher without HTTP: the route table, 404/405, the
// JSON body rules, login, session and CSRF checks and roles, over a real
// SQLite store.
#include "admin/api.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

#include "directory/internal_directory.h"
#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace copper::admin {
namespace {

namespace json = boost::json;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.hostname = "mx.example.org";
    ASSERT_TRUE(ops_.add_domain("example.org").ok());
    ASSERT_TRUE(ops_.create_user({"root@example.org", "root-password", 0, 0, "admin"}).ok());
    ASSERT_TRUE(ops_.create_user({"joe@example.org", "joe-password", 0, 0, "user"}).ok());
  }

  api_request make(std::string method, std::vector<std::string> path, std::string body = {}) {
    api_request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.content_type = r.body.empty() ? "" : "application/json";
    r.host = "mx.example.org";
    r.client_ip = "192.0.2.1";
    r.session_token = token_;
    r.csrf_token = csrf_;
    return r;
  }

  void login(const std::string& user, const std::string& password) {
    auto res = api_.handle(make(
        "POST", {"login"}, R"({"username":")" + user + R"(","password":")" + password + "\"}"));
    ASSERT_EQ(res.status, 200u) << res.body;
    auto v = json::parse(res.body);
    csrf_ = std::string(v.at("csrf_token").as_string());
    for (const auto& [name, value] : res.headers) {
      if (name == "Set-Cookie") {
        token_ = value.substr(value.find('=') + 1, 64);
      }
    }
  }

  static std::string code_of(const api_response& r) {
    return std::string(json::parse(r.body).at("code").as_string());
  }

  test::temp_dir tmp_;
  store::sqlite::sqlite_store store_{tmp_.path()};
  directory::internal_directory dir_{store_};
  config::config cfg_;
  operations ops_{dir_, store_, store_, cfg_};
  sessions sessions_{store_, {}};
  auth::failure_limiter limiter_{3, 3, std::chrono::seconds(60)};
  core::metrics_registry metrics_;
  core::counter& failures_ = metrics_.add_counter("copper_auth_failures_total", "", "");
  api api_{ops_, sessions_, dir_, limiter_, failures_, cfg_};
  std::string token_;
  std::string csrf_;
};

TEST_F(ApiTest, RoutesAreUniqueAndWellFormed) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& r : api::routes()) {
    EXPECT_TRUE(seen.emplace(r.method, r.pattern).second) << r.method << " " << r.pattern;
    EXPECT_FALSE(r.pattern.starts_with("/")) << r.pattern;
    EXPECT_TRUE(r.fn != nullptr);
  }
}

TEST_F(ApiTest, UnknownPathsAndMethods) {
  auto r = api_.handle(make("GET", {"nothing"}));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(code_of(r), "not_found");
  r = api_.handle(make("PUT", {"users"}));
  EXPECT_EQ(r.status, 405u);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, POST"}));
}

TEST_F(ApiTest, BodiesMustBeJson) {
  auto req = make("POST", {"login"}, "username=a");
  req.content_type = "application/x-www-form-urlencoded";
  EXPECT_EQ(api_.handle(req).status, 415u);
  EXPECT_EQ(code_of(api_.handle(make("POST", {"login"}, "{"))), "invalid_json");
}

TEST_F(ApiTest, SessionsCsrfAndRoles) {
  EXPECT_EQ(code_of(api_.handle(make("GET", {"me"}))), "not_authenticated");
  login("joe@example.org", "joe-password");
  EXPECT_EQ(api_.handle(make("GET", {"me"})).status, 200u);
  EXPECT_EQ(code_of(api_.handle(make("GET", {"users"}))), "forbidden");
  login("root@example.org", "root-password");
  EXPECT_EQ(api_.handle(make("GET", {"users"})).status, 200u);
  auto add = make("POST", {"domains"}, R"({"name":"new.org"})");
  add.csrf_token = "x";
  EXPECT_EQ(code_of(api_.handle(add)), "csrf");
  add.csrf_token = csrf_;
  add.origin = "https://elsewhere.org";
  EXPECT_EQ(code_of(api_.handle(add)), "csrf");
  add.origin = "https://mx.example.org";
  EXPECT_EQ(api_.handle(add).status, 201u);
  EXPECT_EQ(api_.handle(make("DELETE", {"domains", "new.org"})).status, 204u);
  EXPECT_EQ(api_.handle(make("POST", {"logout"})).status, 204u);
  EXPECT_EQ(code_of(api_.handle(make("GET", {"session"}))), "not_authenticated");
}

TEST_F(ApiTest, FailedLoginsAreLimited) {
  for (int i = 0; i < 3; ++i) {
    auto r =
        api_.handle(make("POST", {"login"}, R"({"username":"joe@example.org","password":"x"})"));
    EXPECT_EQ(code_of(r), "bad_credentials");
  }
  auto r = api_.handle(
      make("POST", {"login"}, R"({"username":"joe@example.org","password":"joe-password"})"));
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(code_of(r), "rate_limited");
  EXPECT_FALSE(limiter_.allowed("192.0.2.1", "joe@example.org"));
  EXPECT_EQ(failures_.value(), 3u);
}

}  // namespace
}  // namespace copper::admin
