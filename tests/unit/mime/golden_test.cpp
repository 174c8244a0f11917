// ENVELOPE, BODYSTRUCTURE and BODY of every message in messages/ against
// what Dovecot 2.3.19 answered for it (golden/, made by make_golden.sh).
// A quoted string and a literal carrying the same text are the same IMAP
// string (RFC 3501 4.3), so values are compared as token lists; where Copper
// differs from Dovecot on purpose, overrides.txt holds the expected value
// and the RFC section that decides.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mime/imap.h"

namespace copper::mime {
namespace {

const std::filesystem::path here = std::filesystem::path(COPPER_SOURCE_DIR) / "tests/unit/mime";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "<set>-<name>" for every golden triple, sorted.
std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(here / "golden")) {
    if (entry.path().extension() == ".bodystructure") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::filesystem::path message_path(const std::string& name) {
  auto dash = name.find('-');
  return here / "messages" / name.substr(0, dash) / (name.substr(dash + 1) + ".eml");
}

// overrides.txt: "# why" comment lines, then "<set>-<name>.<item> <value>".
std::map<std::string, std::string> overrides() {
  std::map<std::string, std::string> out;
  std::istringstream in(read_file(here / "overrides.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    auto space = line.find(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

// IMAP tokens with strings unquoted: literal and quoted forms compare equal.
std::vector<std::string> tokens(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ') {
      ++i;
    } else if (c == '(' || c == ')') {
      out.emplace_back(1, c);
      ++i;
    } else if (c == '"') {
      std::string text = "s:";
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          ++i;
        }
        text += s[i];
      }
      ++i;
      out.push_back(text);
    } else if (c == '{') {
      std::size_t close = s.find('}', i);
      std::size_t n = std::stoul(std::string(s.substr(i + 1, close - i - 1)));
      out.push_back("s:" + std::string(s.substr(close + 3, n)));
      i = close + 3 + n;
    } else {
      std::size_t end = s.find_first_of(" ()", i);
      end = end == std::string_view::npos ? s.size() : end;
      out.push_back("a:" + std::string(s.substr(i, end - i)));
      i = end;
    }
  }
  return out;
}

struct outcome {
  int exact = 0;       // byte for byte Dovecot's answer
  int same = 0;        // the same IMAP value in another string form
  int overridden = 0;  // differs from Dovecot on purpose, as overrides.txt expects
  int wrong = 0;
};

outcome check(const std::string& name, bool report) {
  static const std::map<std::string, std::string> expected_overrides = overrides();
  std::string raw = read_file(message_path(name));
  message m = parse(raw);
  const std::pair<const char*, std::string> items[] = {
      {"envelope", imap_envelope(raw, m)},
      {"bodystructure", imap_bodystructure(raw, m, true)},
      {"body", imap_bodystructure(raw, m, false)},
  };
  outcome o;
  for (const auto& [item, ours] : items) {
    std::string key = name + "." + item;
    std::string dovecot = read_file(here / "golden" / key);
    if (ours == dovecot) {
      ++o.exact;
      continue;
    }
    if (tokens(ours) == tokens(dovecot)) {
      ++o.same;
      continue;
    }
    auto it = expected_overrides.find(key);
    if (it != expected_overrides.end() && tokens(ours) == tokens(it->second)) {
      ++o.overridden;
      continue;
    }
    ++o.wrong;
    if (report) {
      ADD_FAILURE() << key << "\n ours:    " << ours << "\n dovecot: " << dovecot;
    }
  }
  return o;
}

class golden : public ::testing::TestWithParam<std::string> {};

TEST_P(golden, matches_dovecot_or_override) {
  outcome o = check(GetParam(), true);
  EXPECT_EQ(o.wrong, 0);
}

INSTANTIATE_TEST_SUITE_P(corpus, golden, ::testing::ValuesIn(golden_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// Every override must still be needed, and the tally is printed for the record.
TEST(golden_summary, tally) {
  int messages = 0;
  int exact_messages = 0;
  int corpus_messages = 0;
  int corpus_exact = 0;
  int same = 0;
  int overridden = 0;
  for (const std::string& name : golden_names()) {
    outcome o = check(name, false);
    bool corpus = name.rfind("extra-", 0) != 0;
    ++messages;
    corpus_messages += corpus ? 1 : 0;
    if (o.exact == 3) {
      ++exact_messages;
      corpus_exact += corpus ? 1 : 0;
    }
    same += o.same;
    overridden += o.overridden;
  }
  std::size_t override_count = overrides().size();
  EXPECT_EQ(static_cast<std::size_t>(overridden), override_count) << "stale entry in overrides.txt";
  std::printf(
      "golden: %d/%d messages byte-identical to Dovecot (shared corpus: %d/%d); "
      "%d values equal up to quoted-vs-literal form; %d values overridden\n",
      exact_messages, messages, corpus_exact, corpus_messages, same, overridden);
}

}  // namespace
}  // namespace copper::mime
