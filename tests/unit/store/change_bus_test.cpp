// The in-process change bus: per-account delivery, unsubscribing by
// destroying the subscription (also from inside its own callback), no
// callback running once its subscription is gone, and concurrent use.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "store/mailbox_store.h"

namespace copper::store {
namespace {

TEST(ChangeBus, PublishReachesSubscribersOfThatAccountOnly) {
  change_bus bus;
  std::vector<mailbox_id> alice_seen;
  std::vector<mailbox_id> alice_seen_2;
  std::vector<mailbox_id> bob_seen;
  auto a = bus.subscribe(1, [&](mailbox_id m) { alice_seen.push_back(m); });
  auto a2 = bus.subscribe(1, [&](mailbox_id m) { alice_seen_2.push_back(m); });
  auto b = bus.subscribe(2, [&](mailbox_id m) { bob_seen.push_back(m); });
  bus.publish(1, 10);
  bus.publish(2, 20);
  bus.publish(3, 30);
  bus.publish(1, 11);
  EXPECT_EQ(alice_seen, (std::vector<mailbox_id>{10, 11}));
  EXPECT_EQ(alice_seen_2, (std::vector<mailbox_id>{10, 11}));
  EXPECT_EQ(bob_seen, std::vector<mailbox_id>{20});
}

TEST(ChangeBus, DestroyingTheSubscriptionUnsubscribes) {
  change_bus bus;
  int calls = 0;
  auto sub = bus.subscribe(1, [&](mailbox_id) { ++calls; });
  bus.publish(1, 1);
  sub.reset();
  bus.publish(1, 1);
  EXPECT_EQ(calls, 1);
}

// A callback may unsubscribe itself, and subscribe others, without deadlock.
TEST(ChangeBus, CallbacksMayUnsubscribeAndSubscribe) {
  change_bus bus;
  std::unique_ptr<change_bus::subscription> self;
  std::unique_ptr<change_bus::subscription> added;
  int self_calls = 0;
  int added_calls = 0;
  self = bus.subscribe(1, [&](mailbox_id) {
    ++self_calls;
    added = bus.subscribe(1, [&](mailbox_id) { ++added_calls; });
    self.reset();
  });
  bus.publish(1, 1);
  bus.publish(1, 2);
  EXPECT_EQ(self_calls, 1);
  EXPECT_EQ(added_calls, 1);  // subscribed during the first publish, called by the second
}

// Once the subscription's destructor returns, its callback is not running
// and will not run: the subscriber may go away.
TEST(ChangeBus, UnsubscribeWaitsForARunningCallback) {
  change_bus bus;
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> callback_done{false};
  auto sub = bus.subscribe(1, [&](mailbox_id) {
    entered.set_value();
    released.wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    callback_done = true;
  });
  std::thread publisher([&] { bus.publish(1, 1); });
  entered.get_future().wait();
  std::atomic<bool> unsubscribed{false};
  std::thread unsubscriber([&] {
    sub.reset();
    unsubscribed = true;
    EXPECT_TRUE(callback_done.load());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(unsubscribed.load());
  release.set_value();
  unsubscriber.join();
  publisher.join();
  EXPECT_TRUE(unsubscribed.load());
}

TEST(ChangeBus, ConcurrentSubscribersAndPublishers) {
  change_bus bus;
  std::atomic<long> calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        bus.publish(i % 2, t);
      }
    });
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        auto sub = bus.subscribe(i % 2, [&](mailbox_id) { ++calls; });
        std::this_thread::yield();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  // Whatever interleaving happened, nothing crashed or hung, and no
  // subscription is left behind.
  long before = calls.load();
  bus.publish(0, 0);
  bus.publish(1, 0);
  EXPECT_EQ(calls.load(), before);
}

}  // namespace
}  // namespace copper::store
