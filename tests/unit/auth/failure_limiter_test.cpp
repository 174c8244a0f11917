// failure_limiter with explicit time points: a sliding window of failures per
// client address and per account.
#include "auth/failure_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace copper::auth {
namespace {

using std::chrono::seconds;
using clock = failure_limiter::clock;

// Far from the clock's epoch so that "t0 - window" is meaningful.
const clock::time_point t0 = clock::time_point{} + std::chrono::hours(1000);

TEST(FailureLimiter, FreshClientsAreAllowed) {
  failure_limiter l(3, 2, seconds(60));
  EXPECT_TRUE(l.allowed("192.0.2.1", "alice@example.org", t0));
  EXPECT_TRUE(l.allowed("192.0.2.1", "", t0));
}

TEST(FailureLimiter, PerIpLimit) {
  failure_limiter l(3, 100, seconds(60));
  // A guesser trying a different account each time is still caught by address.
  l.record_failure("192.0.2.1", "a@example.org", t0);
  l.record_failure("192.0.2.1", "b@example.org", t0 + seconds(1));
  EXPECT_TRUE(l.allowed("192.0.2.1", "c@example.org", t0 + seconds(2)));
  l.record_failure("192.0.2.1", "c@example.org", t0 + seconds(2));
  EXPECT_FALSE(l.allowed("192.0.2.1", "d@example.org", t0 + seconds(3)));
  EXPECT_FALSE(l.allowed("192.0.2.1", "", t0 + seconds(3)));
  // Other addresses are not affected, even for the same accounts.
  EXPECT_TRUE(l.allowed("192.0.2.2", "a@example.org", t0 + seconds(3)));
  EXPECT_TRUE(l.allowed("2001:db8::1", "d@example.org", t0 + seconds(3)));
}

TEST(FailureLimiter, PerAccountLimit) {
  failure_limiter l(100, 2, seconds(60));
  // A distributed guesser: many addresses, one account.
  l.record_failure("192.0.2.1", "bob@example.org", t0);
  l.record_failure("192.0.2.2", "bob@example.org", t0 + seconds(1));
  EXPECT_FALSE(l.allowed("192.0.2.3", "bob@example.org", t0 + seconds(2)));
  EXPECT_TRUE(l.allowed("192.0.2.3", "alice@example.org", t0 + seconds(2)));
  EXPECT_TRUE(l.allowed("192.0.2.1", "alice@example.org", t0 + seconds(2)));
}

// Without an account name (a malformed AUTH) only the address counts.
TEST(FailureLimiter, EmptyAccountCountsOnlyTheAddress) {
  failure_limiter l(3, 1, seconds(60));
  l.record_failure("192.0.2.1", "", t0);
  l.record_failure("192.0.2.1", "", t0);
  EXPECT_TRUE(l.allowed("192.0.2.9", "", t0));
  EXPECT_TRUE(l.allowed("192.0.2.1", "", t0));
  l.record_failure("192.0.2.1", "", t0);
  EXPECT_FALSE(l.allowed("192.0.2.1", "", t0));
}

TEST(FailureLimiter, WindowExpiry) {
  failure_limiter l(3, 100, seconds(60));
  l.record_failure("192.0.2.1", "a", t0);
  l.record_failure("192.0.2.1", "a", t0 + seconds(10));
  l.record_failure("192.0.2.1", "a", t0 + seconds(20));
  EXPECT_FALSE(l.allowed("192.0.2.1", "a", t0 + seconds(59)));
  // The window is [t, t + 60s): the first failure stops counting at t0 + 60s.
  EXPECT_TRUE(l.allowed("192.0.2.1", "a", t0 + seconds(60)));
  // Sliding, not fixed: a new failure now blocks again until t0 + 70s.
  l.record_failure("192.0.2.1", "a", t0 + seconds(60));
  EXPECT_FALSE(l.allowed("192.0.2.1", "a", t0 + seconds(69)));
  EXPECT_TRUE(l.allowed("192.0.2.1", "a", t0 + seconds(70)));
  EXPECT_TRUE(l.allowed("192.0.2.1", "a", t0 + seconds(1000)));
}

TEST(FailureLimiter, AccountWindowExpiry) {
  failure_limiter l(100, 2, seconds(30));
  l.record_failure("192.0.2.1", "bob", t0);
  l.record_failure("192.0.2.2", "bob", t0 + seconds(5));
  EXPECT_FALSE(l.allowed("192.0.2.3", "bob", t0 + seconds(29)));
  EXPECT_TRUE(l.allowed("192.0.2.3", "bob", t0 + seconds(30)));
}

// Only the newest failures are kept (bounded memory), and those are the ones
// that decide when the client may try again.
TEST(FailureLimiter, ManyFailuresKeepTheNewest) {
  failure_limiter l(3, 1000, seconds(60));
  for (int i = 0; i < 100; ++i) {
    l.record_failure("192.0.2.1", "a", t0 + seconds(i));
  }
  // The newest three are at t0+97s, 98s and 99s.
  EXPECT_FALSE(l.allowed("192.0.2.1", "x", t0 + seconds(156)));
  EXPECT_TRUE(l.allowed("192.0.2.1", "x", t0 + seconds(157)));
}

// With many addresses tracked the limiter prunes its maps (bounded memory);
// pruning must drop only failures that are outside the window.
TEST(FailureLimiter, PruningKeepsFailuresInsideTheWindow) {
  failure_limiter l(1, 1, seconds(60));
  constexpr int many = 10'000;  // the pruning threshold of failure_limiter.cpp
  for (int i = 0; i < many; ++i) {
    l.record_failure("ip" + std::to_string(i), "user" + std::to_string(i), t0);
  }
  // Both maps are large now: this failure prunes them, inside the window.
  l.record_failure("late", "late-user", t0 + seconds(59));
  EXPECT_FALSE(l.allowed("ip0", "", t0 + seconds(59)));
  EXPECT_FALSE(l.allowed("ip" + std::to_string(many - 1), "", t0 + seconds(59)));
  EXPECT_FALSE(l.allowed("fresh-ip", "user7", t0 + seconds(59)));
  EXPECT_TRUE(l.allowed("fresh-ip", "someone", t0 + seconds(59)));

  // Past the window the old failures are gone; the late one still counts.
  l.record_failure("later", "", t0 + seconds(90));
  EXPECT_TRUE(l.allowed("ip0", "user0", t0 + seconds(90)));
  EXPECT_FALSE(l.allowed("late", "", t0 + seconds(90)));
  EXPECT_FALSE(l.allowed("other-ip", "late-user", t0 + seconds(90)));
}

// Success does not reset the count (see failure_limiter.h): there is no call
// for it, and interleaved checks do not change the outcome.
TEST(FailureLimiter, CheckingDoesNotCount) {
  failure_limiter l(2, 2, seconds(60));
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(l.allowed("192.0.2.1", "a", t0));
  }
  l.record_failure("192.0.2.1", "a", t0);
  EXPECT_TRUE(l.allowed("192.0.2.1", "a", t0));
  l.record_failure("192.0.2.1", "a", t0);
  EXPECT_FALSE(l.allowed("192.0.2.1", "a", t0));
}

}  // namespace
}  // namespace copper::auth
