// The group-commit writer on its own: jobs share batches, each job rolls back
// alone, values come back after the commit, a lost transaction fails the
// whole batch, and closing commits what was submitted.
#include "store/sqlite/writer.h"

#include <gtest/gtest.h>

#include <future>
#include <string>

#include "store/sqlite/connection.h"
#include "temp_dir.h"

namespace copper::store::sqlite {
namespace {

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database db(file());
    configure(db);
    db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY)");
  }

  std::filesystem::path file() const { return dir_.path() / "w.db"; }

  std::int64_t count() {
    database db(file());
    auto st = db.prepare("SELECT count(*) FROM t");
    st.step();
    return st.int64(0);
  }

  static writer::apply_fn insert(std::int64_t x) {
    return [x](database& db) -> result<void> {
      db.prepare("INSERT INTO t(x) VALUES (?)").bind(1, x).run();
      return {};
    };
  }

  copper::test::temp_dir dir_;
};

TEST_F(WriterTest, JobsQueuedDuringACommitShareTheNextOne) {
  writer w(file());
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  // The first job holds the writer until the others have queued up.
  w.submit(
      [&](database& db) -> result<void> {
        started.set_value();
        released.wait();
        return insert(0)(db);
      },
      [](result<void> r) { EXPECT_TRUE(r.ok()); });
  started.get_future().wait();
  std::vector<std::promise<result<void>>> done(10);
  for (int i = 1; i <= 10; ++i) {
    w.submit(insert(i), [&done, i](result<void> r) { done[i - 1].set_value(std::move(r)); });
  }
  release.set_value();
  w.flush();
  for (auto& d : done) {
    EXPECT_TRUE(d.get_future().get().ok());
  }
  EXPECT_EQ(w.batches(), 2u);
  EXPECT_EQ(count(), 11);
}

TEST_F(WriterTest, AFailingJobRollsBackAlone) {
  writer w(file());
  std::promise<result<void>> bad;
  std::promise<result<void>> thrown;
  std::promise<result<void>> good;
  w.submit(
      [](database& db) -> result<void> {
        EXPECT_TRUE(insert(1)(db).ok());
        return make_error("refused", "CANNOT");
      },
      [&](result<void> r) { bad.set_value(std::move(r)); });
  w.submit(
      [](database& db) -> result<void> {
        EXPECT_TRUE(insert(2)(db).ok());
        (void)insert(2)(db);  // UNIQUE constraint: throws db_error
        return {};
      },
      [&](result<void> r) { thrown.set_value(std::move(r)); });
  w.submit(insert(3), [&](result<void> r) { good.set_value(std::move(r)); });
  w.flush();
  auto b = bad.get_future().get();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.err().code, "CANNOT");
  EXPECT_FALSE(thrown.get_future().get().ok());
  EXPECT_TRUE(good.get_future().get().ok());
  database db(file());
  auto st = db.prepare("SELECT group_concat(x) FROM t");
  st.step();
  EXPECT_EQ(st.text(0), "3");
}

TEST_F(WriterTest, CallReturnsTheValueAfterTheCommit) {
  writer w(file());
  bool after_commit_ran = false;
  std::int64_t seen_by_other_connection = -1;
  auto r = w.call<std::int64_t>(
      [](database& db) -> result<std::int64_t> {
        EXPECT_TRUE(insert(42)(db).ok());
        return db.last_insert_rowid();
      },
      [&] {
        after_commit_ran = true;
        seen_by_other_connection = count();
      });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(after_commit_ran);
  EXPECT_EQ(seen_by_other_connection, 1);

  auto failed = w.call<int>([](database&) -> result<int> { return make_error("no", "LIMIT"); });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.err().code, "LIMIT");

  // From the writer thread itself a call could never finish: refused.
  std::promise<result<void>> nested;
  w.submit([](database&) -> result<void> { return {}; },
           [&](result<void>) {
             nested.set_value(w.call<void>([](database&) -> result<void> { return {}; }));
           });
  EXPECT_FALSE(nested.get_future().get().ok());
}

// SQLite can drop a transaction under a job (disk full, I/O error): nothing
// of the batch is durable, so no job of it may report success.
TEST_F(WriterTest, ALostTransactionFailsTheWholeBatch) {
  writer w(file());
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  std::promise<result<void>> first;
  w.submit(
      [&](database&) -> result<void> {
        started.set_value();
        released.wait();
        return {};
      },
      [](result<void>) {});
  started.get_future().wait();
  w.submit(insert(1), [&](result<void> r) { first.set_value(std::move(r)); });
  w.submit(
      [](database& db) -> result<void> {
        db.exec("ROLLBACK");
        return {};
      },
      [](result<void> r) { EXPECT_FALSE(r.ok()); });
  release.set_value();
  w.flush();
  EXPECT_FALSE(first.get_future().get().ok());
  EXPECT_EQ(count(), 0);

  // The writer carries on.
  auto r = w.call<void>([](database& db) { return insert(2)(db); });
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(count(), 1);
}

TEST_F(WriterTest, DestructionCommitsPendingJobs) {
  {
    writer w(file());
    for (int i = 0; i < 20; ++i) {
      w.submit(insert(i), [](result<void> r) { EXPECT_TRUE(r.ok()); });
    }
  }
  EXPECT_EQ(count(), 20);
}

TEST_F(WriterTest, UnopenableFileThrowsFromTheConstructor) {
  EXPECT_THROW(writer(dir_.path() / "missing" / "w.db"), db_error);
}

// A batch of relaxed jobs only commits without fsync; one synced job makes
// the whole batch synced (writer.h "durability").
TEST_F(WriterTest, ABatchIsSyncedIfAnyJobOfItMustBe) {
  writer w(file());
  auto synchronous_mode = [](database& db) -> result<std::int64_t> {
    auto st = db.prepare("PRAGMA synchronous");
    st.step();
    return st.int64(0);
  };
  auto relaxed = w.call<std::int64_t>(synchronous_mode, {}, durability::relaxed);
  ASSERT_TRUE(relaxed.ok());
  EXPECT_EQ(*relaxed, 1) << "NORMAL";
  auto synced = w.call<std::int64_t>(synchronous_mode, {}, durability::synced);
  ASSERT_TRUE(synced.ok());
  EXPECT_EQ(*synced, 2) << "FULL";

  // A relaxed job queued behind a synced one, in the same batch.
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  w.submit(
      [&](database&) -> result<void> {
        started.set_value();
        released.wait();
        return {};
      },
      [](result<void>) {});
  started.get_future().wait();
  std::promise<std::int64_t> seen;
  w.submit(
      insert(1), [](result<void>) {}, durability::synced);
  w.submit(
      [&](database& db) -> result<void> {
        seen.set_value(*synchronous_mode(db));
        return {};
      },
      [](result<void>) {}, durability::relaxed);
  release.set_value();
  EXPECT_EQ(seen.get_future().get(), 2) << "the synced job's batch";
  w.flush();
  EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace copper::store::sqlite
