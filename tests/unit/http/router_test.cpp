#include "http/router.h"

#include <gtest/gtest.h>

namespace copper::http {
namespace {

TEST(Router, ExactRoutes) {
  auto m = find_route("/healthz", method::get);
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.found->id, route_id::healthz);
  EXPECT_TRUE(m.method_allowed);
  EXPECT_EQ(find_route("/metrics", method::head).found->id, route_id::metrics);
  EXPECT_EQ(find_route("/healthz/", method::get).found, nullptr);
  EXPECT_EQ(find_route("/healthzz", method::get).found, nullptr);
}

TEST(Router, ExactWinsOverPrefix) {
  EXPECT_EQ(find_route("/mail/config-v1.1.xml", method::get).found->id, route_id::autoconfig);
  EXPECT_EQ(find_route("/mail/", method::get).found->id, route_id::mail);
  EXPECT_EQ(find_route("/mail/inbox", method::get).found->id, route_id::mail);
  EXPECT_EQ(find_route("/.well-known/autoconfig/mail/config-v1.1.xml", method::get).found->id,
            route_id::autoconfig);
}

TEST(Router, LongestPrefixAndUnknownPaths) {
  EXPECT_EQ(find_route("/.well-known/other", method::get).found->id, route_id::well_known);
  EXPECT_EQ(find_route("/admin/users", method::get).found->id, route_id::admin);
  EXPECT_EQ(find_route("/nope", method::get).found, nullptr);
  EXPECT_EQ(find_route("/mail", method::get).found->id, route_id::add_slash);
  EXPECT_EQ(find_route("/mailx", method::get).found, nullptr);
  EXPECT_EQ(find_route("", method::get).found, nullptr);
}

TEST(Router, MethodNotAllowedNamesTheAllowedOnes) {
  auto m = find_route("/healthz", method::post);
  ASSERT_NE(m.found, nullptr);
  EXPECT_FALSE(m.method_allowed);
  EXPECT_EQ(allow_header(*m.found), "GET, HEAD");
  auto a = find_route("/autodiscover/autodiscover.xml", method::get);
  ASSERT_NE(a.found, nullptr);
  EXPECT_FALSE(a.method_allowed);
  EXPECT_EQ(allow_header(*a.found), "POST");
  EXPECT_TRUE(find_route("/Autodiscover/Autodiscover.xml", method::post).method_allowed);
}

TEST(Router, MethodsAreCaseSensitive) {
  EXPECT_EQ(parse_method("GET"), method::get);
  EXPECT_EQ(parse_method("get"), method::other);
  EXPECT_EQ(parse_method("Delete"), method::other);
  EXPECT_FALSE(find_route("/healthz", parse_method("PUT")).method_allowed);
}

TEST(Router, PlainHttpServesOnlyHealthAndWellKnown) {
  EXPECT_TRUE(served_over_plain_http("/healthz"));
  EXPECT_TRUE(served_over_plain_http("/.well-known/autoconfig/mail/config-v1.1.xml"));
  EXPECT_FALSE(served_over_plain_http("/metrics"));
  EXPECT_FALSE(served_over_plain_http("/admin/"));
  EXPECT_FALSE(served_over_plain_http("/healthz/x"));
}

TEST(Router, AdminApiTakesEveryMethodItServes) {
  for (auto m : {method::get, method::post, method::put, method::patch, method::delete_}) {
    auto r = find_route("/admin/api/users/a%40b", m);
    ASSERT_NE(r.found, nullptr);
    EXPECT_EQ(r.found->id, route_id::admin_api);
    EXPECT_TRUE(r.method_allowed);
  }
  EXPECT_EQ(parse_method("PATCH"), method::patch);
  EXPECT_EQ(parse_method("DELETE"), method::delete_);
  EXPECT_EQ(parse_method("delete"), method::other);
  EXPECT_EQ(find_route("/admin/index.html", method::get).found->id, route_id::admin);
  EXPECT_FALSE(find_route("/admin/", method::patch).method_allowed);
  EXPECT_EQ(allow_header(*find_route("/admin/api/x", method::get).found),
            "GET, HEAD, POST, PUT, PATCH, DELETE");
}

}  // namespace
}  // namespace copper::http
