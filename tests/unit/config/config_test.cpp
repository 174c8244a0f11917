// config::load and parse_size against real files in a temporary directory.
// Every error must name the file, the key and the line (etc/copper.toml).
#include "config/config.h"

#include <gtest/gtest.h>

#include <string>

#include "temp_dir.h"

namespace copper::config {
namespace {

namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  result<config> load_text(std::string_view text) { return load(dir_.write("copper.toml", text)); }

  config load_ok(std::string_view text) {
    auto r = load_text(text);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    return r.ok() ? r.value() : config{};
  }

  // Loads `text`, expects an error, and checks that it names the file, the
  // line ("copper.toml:LINE:") and every fragment in `names`.
  std::string load_error(std::string_view text, int line,
                         std::initializer_list<std::string_view> names) {
    auto r = load_text(text);
    EXPECT_FALSE(r.ok()) << "accepted:\n" << text;
    if (r.ok()) {
      return {};
    }
    const std::string& msg = r.err().message;
    std::string file = (dir_.path() / "copper.toml").string();
    EXPECT_EQ(msg.rfind(file + ":" + std::to_string(line) + ":", 0), 0u)
        << "does not start with the file and line " << line << ": " << msg;
    for (auto name : names) {
      EXPECT_NE(msg.find(name), std::string::npos) << "'" << name << "' missing in: " << msg;
    }
    return msg;
  }

  test::temp_dir dir_;
};

// The keys ARCHITECTURE.md fixes, plus every key etc/copper.toml documents.
TEST_F(ConfigTest, EveryDocumentedKeyParses) {
  config c = load_ok(R"(
hostname = "mail.example.org"
data_dir = "/srv/copper"
log_level = "debug"

[listen]
smtp        = ["127.0.0.1:2525"]
submission  = ["127.0.0.1:5587", "[::1]:5587"]
submissions = ["*:5465"]
imap        = ["127.0.0.1:1143"]
imaps       = ["127.0.0.1:1993"]
pop3        = ["127.0.0.1:1110"]
pop3s       = ["127.0.0.1:1995"]
http        = ["127.0.0.1:8080"]
https       = ["127.0.0.1:8443"]

[tls]
cert = "/etc/ssl/mail.pem"
key  = "/etc/ssl/mail.key"

[dns]
servers = ["192.0.2.53:53", "[2001:db8::53]:53"]

[limits]
max_connections = 500
max_connections_per_ip = 7

[smtp]
max_message_size = "25M"
max_recipients = 42
max_line_length = 2000
max_errors = 3
idle_timeout = 60

[auth]
max_failures_per_ip = 11
max_failures_per_account = 4
failure_window = 120
plaintext_on_loopback = true

[store]
backend = "sqlite"

[directory]
backend = "internal"

[kv]
backend = "memory"
)");
  EXPECT_EQ(c.hostname, "mail.example.org");
  EXPECT_EQ(c.data_dir, fs::path("/srv/copper"));
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.source, dir_.path() / "copper.toml");

  EXPECT_EQ(c.listen.smtp, std::vector<std::string>{"127.0.0.1:2525"});
  EXPECT_EQ(c.listen.submission, (std::vector<std::string>{"127.0.0.1:5587", "[::1]:5587"}));
  EXPECT_EQ(c.listen.submissions, std::vector<std::string>{"*:5465"});
  EXPECT_EQ(c.listen.imap, std::vector<std::string>{"127.0.0.1:1143"});
  EXPECT_EQ(c.listen.imaps, std::vector<std::string>{"127.0.0.1:1993"});
  EXPECT_EQ(c.listen.pop3, std::vector<std::string>{"127.0.0.1:1110"});
  EXPECT_EQ(c.listen.pop3s, std::vector<std::string>{"127.0.0.1:1995"});
  EXPECT_EQ(c.listen.http, std::vector<std::string>{"127.0.0.1:8080"});
  EXPECT_EQ(c.listen.https, std::vector<std::string>{"127.0.0.1:8443"});

  EXPECT_EQ(c.tls.cert, "/etc/ssl/mail.pem");
  EXPECT_EQ(c.tls.key, "/etc/ssl/mail.key");
  EXPECT_EQ(c.dns.servers, (std::vector<std::string>{"192.0.2.53:53", "[2001:db8::53]:53"}));

  EXPECT_EQ(c.limits.max_connections, 500u);
  EXPECT_EQ(c.limits.max_connections_per_ip, 7u);

  EXPECT_EQ(c.smtp.max_message_size, 25ull * 1024 * 1024);
  EXPECT_EQ(c.smtp.max_recipients, 42u);
  EXPECT_EQ(c.smtp.max_line_length, 2000u);
  EXPECT_EQ(c.smtp.max_errors, 3u);
  EXPECT_EQ(c.smtp.idle_timeout, std::chrono::seconds(60));

  EXPECT_EQ(c.auth.max_failures_per_ip, 11u);
  EXPECT_EQ(c.auth.max_failures_per_account, 4u);
  EXPECT_EQ(c.auth.failure_window, std::chrono::seconds(120));
  EXPECT_TRUE(c.auth.plaintext_on_loopback);
}

// The example shipped in etc/ must itself load.
TEST_F(ConfigTest, ShippedExampleLoads) {
  fs::path example = fs::path(COPPER_SOURCE_DIR) / "etc" / "copper.toml";
  auto r = load(example);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->hostname, "mail.example.org");
  EXPECT_EQ(r->data_dir, (fs::absolute(example).parent_path() / "var").lexically_normal());
  EXPECT_EQ(r->listen.smtp, std::vector<std::string>{"127.0.0.1:2525"});
  EXPECT_EQ(r->listen.imap, std::vector<std::string>{"127.0.0.1:1143"});
  EXPECT_EQ(r->listen.http, std::vector<std::string>{"127.0.0.1:8080"});
  EXPECT_EQ(r->listen.https, std::vector<std::string>{"127.0.0.1:8443"});
  EXPECT_EQ(r->http.max_body_size, 1024u * 1024);
  EXPECT_EQ(r->tls.cert, "");  // empty stays empty: the self-signed default
  EXPECT_EQ(r->smtp.max_message_size, 50ull * 1024 * 1024);
}

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  config c = load_ok("");
  EXPECT_FALSE(c.hostname.empty());  // the system's host name
  EXPECT_EQ(c.data_dir, dir_.path() / "var");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.listen.smtp.empty());
  EXPECT_EQ(c.smtp.max_message_size, 50ull * 1024 * 1024);
  EXPECT_EQ(c.smtp.max_line_length, 8192u);
  EXPECT_EQ(c.auth.failure_window, std::chrono::seconds(900));
  EXPECT_FALSE(c.auth.plaintext_on_loopback);
}

TEST_F(ConfigTest, RelativePathsResolveAgainstTheConfigDirectory) {
  config c =
      load_ok("data_dir = \"state/mail\"\n[tls]\ncert = \"tls/c.pem\"\nkey = \"../k.pem\"\n");
  EXPECT_EQ(c.data_dir, dir_.path() / "state" / "mail");
  EXPECT_EQ(c.tls.cert, (dir_.path() / "tls" / "c.pem").string());
  EXPECT_EQ(c.tls.key, (dir_.path().parent_path() / "k.pem").string());

  EXPECT_EQ(load_ok("data_dir = \"../elsewhere\"\n").data_dir,
            dir_.path().parent_path() / "elsewhere");
  EXPECT_EQ(load_ok("data_dir = \"/abs/dir\"\n").data_dir, fs::path("/abs/dir"));
}

TEST_F(ConfigTest, ConfigInASubdirectory) {
  auto file = dir_.write("etc/copper/copper.toml", "data_dir = \"var\"\n");
  auto r = load(file);
  ASSERT_TRUE(r.ok()) << r.err().message;
  EXPECT_EQ(r->data_dir, dir_.path() / "etc" / "copper" / "var");
}

TEST_F(ConfigTest, UnknownTopLevelKey) {
  load_error("hostname = \"h\"\n\nbogus = 1\n", 3, {"bogus", "unknown key"});
}

TEST_F(ConfigTest, UnknownSection) {
  load_error("hostname = \"h\"\n[imap]\nport = 1\n", 2, {"imap", "unknown key"});
}

TEST_F(ConfigTest, UnknownKeyInASection) {
  load_error("[smtp]\nmax_recipients = 5\nmax_size = 5\n", 3, {"smtp.max_size", "unknown key"});
  load_error("[listen]\nsmpt = [\"127.0.0.1:25\"]\n", 2, {"listen.smpt", "unknown key"});
  load_error("[store]\nbackend = \"sqlite\"\npath = \"x\"\n", 3, {"store.path", "unknown key"});
}

TEST_F(ConfigTest, WrongTypes) {
  load_error("hostname = 5\n", 1, {"hostname", "string"});
  load_error("\ndata_dir = [\"a\"]\n", 2, {"data_dir", "string"});
  load_error("[listen]\nsmtp = \"127.0.0.1:25\"\n", 2, {"listen.smtp", "list"});
  load_error("[listen]\nsmtp = [\"127.0.0.1:25\", 25]\n", 2, {"listen.smtp", "list"});
  load_error("[smtp]\nmax_recipients = \"5\"\n", 2, {"smtp.max_recipients", "integer"});
  load_error("[auth]\nplaintext_on_loopback = \"yes\"\n", 2, {"auth.plaintext_on_loopback"});
  load_error("listen = 5\n", 1, {"listen", "table"});
  load_error("[smtp]\nmax_message_size = 1.5\n", 2, {"smtp.max_message_size"});
}

// TOML has distinct integer, float and boolean types; a value of the wrong one
// is a mistake in the file, not something to convert.
TEST_F(ConfigTest, NoConversionBetweenTomlTypes) {
  load_error("[auth]\nplaintext_on_loopback = 1\n", 2, {"auth.plaintext_on_loopback"});
  load_error("[auth]\nplaintext_on_loopback = 0\n", 2, {"auth.plaintext_on_loopback"});
  load_error("[smtp]\nmax_recipients = true\n", 2, {"smtp.max_recipients"});
  load_error("[smtp]\nidle_timeout = 30.0\n", 2, {"smtp.idle_timeout"});
  load_error("[smtp]\nmax_message_size = true\n", 2, {"smtp.max_message_size"});
}

TEST_F(ConfigTest, OutOfRangeValues) {
  // RFC 5321 4.5.3.1.6: a server must accept lines of 1000 octets.
  load_error("[smtp]\nmax_line_length = 999\n", 2, {"smtp.max_line_length", "1000"});
  load_error("[smtp]\nmax_recipients = 0\n", 2, {"smtp.max_recipients"});
  load_error("[smtp]\n\nmax_recipients = -1\n", 3, {"smtp.max_recipients"});
  load_error("[smtp]\nidle_timeout = 0\n", 2, {"smtp.idle_timeout"});
  load_error("[smtp]\nidle_timeout = 86401\n", 2, {"smtp.idle_timeout"});
  load_error("[limits]\nmax_connections = 0\n", 2, {"limits.max_connections"});
  load_error("[auth]\nfailure_window = 0\n", 2, {"auth.failure_window"});
  load_error("[smtp]\nmax_message_size = 0\n", 2, {"smtp.max_message_size"});
  load_error("[smtp]\nmax_message_size = \"50X\"\n", 2, {"smtp.max_message_size", "50X"});
  load_error("log_level = \"verbose\"\n", 1, {"log_level"});
  load_error("data_dir = \"\"\n", 1, {"data_dir"});

  EXPECT_EQ(load_ok("[smtp]\nmax_line_length = 1000\n").smtp.max_line_length, 1000u);
  EXPECT_EQ(load_ok("[smtp]\nmax_message_size = 1000\n").smtp.max_message_size, 1000u);
}

TEST_F(ConfigTest, HttpSection) {
  config d = load_ok("");
  EXPECT_EQ(d.http.max_requests_per_connection, 100u);
  EXPECT_EQ(d.http.max_header_size, 16u * 1024);
  EXPECT_EQ(d.http.idle_timeout, std::chrono::seconds(60));
  config c = load_ok(
      "[http]\nmax_requests_per_connection = 5\nmax_header_size = 2048\n"
      "max_body_size = \"2M\"\nrequest_timeout = 7\nidle_timeout = 9\n");
  EXPECT_EQ(c.http.max_requests_per_connection, 5u);
  EXPECT_EQ(c.http.max_header_size, 2048u);
  EXPECT_EQ(c.http.max_body_size, 2u * 1024 * 1024);
  EXPECT_EQ(c.http.request_timeout, std::chrono::seconds(7));
  EXPECT_EQ(c.http.idle_timeout, std::chrono::seconds(9));
  load_error("[http]\nmax_header_size = 100\n", 2, {"http.max_header_size", "1024"});
  load_error("[http]\n\nmax_requests_per_connection = 0\n", 3,
             {"http.max_requests_per_connection"});
  load_error("[http]\nmax_body_size = \"1Q\"\n", 2, {"http.max_body_size"});
  load_error("[http]\nidle_timeout = 0\n", 2, {"http.idle_timeout"});
  load_error("[http]\nkeepalive = 1\n", 2, {"http.keepalive", "unknown key"});
}

TEST_F(ConfigTest, BadEndpoints) {
  load_error("[listen]\nsmtp = [\"localhost\"]\n", 2, {"listen.smtp", "localhost"});
  load_error("[listen]\nsmtp = [\":25\"]\n", 2, {"listen.smtp"});
  load_error("[listen]\nsmtp = [\"127.0.0.1:\"]\n", 2, {"listen.smtp"});
  load_error("[listen]\nsmtp = [\"127.0.0.1:65536\"]\n", 2, {"listen.smtp"});
  load_error("[listen]\nsmtp = [\"127.0.0.1:25x\"]\n", 2, {"listen.smtp"});
  load_error("[listen]\nsmtp = [\"127.0.0.1:1000000\"]\n", 2, {"listen.smtp"});
  load_error("[dns]\nservers = [\"192.0.2.53\"]\n", 2, {"dns.servers"});
  EXPECT_EQ(load_ok("[listen]\nsmtp = [\"127.0.0.1:65535\"]\n").listen.smtp.size(), 1u);
}

TEST_F(ConfigTest, TlsCertWithoutKeyIsRefused) {
  load_error("[tls]\ncert = \"c.pem\"\n", 2, {"tls.cert", "tls.key"});
  load_error("[tls]\ncert = \"\"\nkey = \"k.pem\"\n", 3, {"tls.key"});
  config c = load_ok("[tls]\ncert = \"\"\nkey = \"\"\n");
  EXPECT_EQ(c.tls.cert, "");
  EXPECT_EQ(c.tls.key, "");
}

TEST_F(ConfigTest, UnsupportedBackendIsRefused) {
  load_error("[store]\nbackend = \"mariadb\"\n", 2, {"store.backend", "mariadb"});
  load_error("[directory]\n\nbackend = \"ldap\"\n", 3, {"directory.backend", "ldap"});
  load_error("[kv]\nbackend = \"redis\"\n", 2, {"kv.backend", "redis"});
  load_error("[store]\nbackend = 1\n", 2, {"store.backend"});
}

TEST_F(ConfigTest, TomlSyntaxErrorNamesFileAndLine) {
  load_error("hostname = \"h\"\ndata_dir = \n", 2, {});
  load_error("[smtp\n", 1, {});
  load_error("a = \"unterminated\n", 1, {});
  load_error("hostname = \"a\"\nhostname = \"b\"\n", 2, {"hostname"});  // duplicate key
}

TEST_F(ConfigTest, UnreadableFileNamesTheFile) {
  fs::path missing = dir_.path() / "nope" / "copper.toml";
  auto r = load(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find(missing.string()), std::string::npos) << r.err().message;

  // A directory is not a config file either.
  auto d = load(dir_.path());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.err().message.find(dir_.path().string()), std::string::npos) << d.err().message;
}

// --- parse_size --------------------------------------------------------------

std::uint64_t size_ok(std::string_view text) {
  auto r = parse_size(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.err().message);
  return r.ok() ? r.value() : 0;
}

TEST(ParseSize, Units) {
  EXPECT_EQ(size_ok("100"), 100u);
  EXPECT_EQ(size_ok("100B"), 100u);
  EXPECT_EQ(size_ok("512K"), 512u * 1024);
  EXPECT_EQ(size_ok("10KB"), 10u * 1024);
  EXPECT_EQ(size_ok("10KiB"), 10u * 1024);
  EXPECT_EQ(size_ok("50M"), 50ull * 1024 * 1024);
  EXPECT_EQ(size_ok("50mb"), 50ull * 1024 * 1024);
  EXPECT_EQ(size_ok("1MiB"), 1024ull * 1024);
  EXPECT_EQ(size_ok("1G"), 1024ull * 1024 * 1024);
  EXPECT_EQ(size_ok("2gb"), 2048ull * 1024 * 1024);
  EXPECT_EQ(size_ok("18446744073709551615"), 18446744073709551615ull);
}

TEST(ParseSize, Refused) {
  for (std::string_view bad :
       {"", "M", "0", "0M", "-5", "+5", " 5", "5 ", "5 M", "5X", "5MM", "1.5M", "5T", "0x10"}) {
    EXPECT_FALSE(parse_size(bad).ok()) << "'" << bad << "'";
  }
}

TEST(ParseSize, OverflowIsRefused) {
  EXPECT_FALSE(parse_size("18446744073709551616").ok());  // 2^64
  EXPECT_FALSE(parse_size("18446744073709551619").ok());  // wraps to 3 if unchecked
  EXPECT_FALSE(parse_size("99999999999999999999999").ok());
  EXPECT_FALSE(parse_size("17179869184G").ok());  // 2^34 GiB = 2^64
  EXPECT_EQ(size_ok("17179869183G"), 17179869183ull * 1024 * 1024 * 1024);
}

}  // namespace
}  // namespace copper::config
