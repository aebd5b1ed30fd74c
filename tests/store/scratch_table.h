// A scratch SQLite file holding one table `t (x)`, for the tests of the
// store's threads and waits (store/sqlite_sync_test.cc, http/fiber_test.cc):
// a fresh directory per test, removed after it, and the writes, counts and
// polling those tests share.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "payops/store/store.h"

namespace payops::testing {

class ScratchTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("payops-scratch-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "s.db").string();
    // The table, made with the default options before a test opens its own.
    auto plain = store::Open(url_);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    ASSERT_TRUE((*plain)
                    ->Write([](store::Tx& tx) -> Status {
                      PAYOPS_TRY(tx.Exec("CREATE TABLE t (x BIGINT NOT NULL)", {}));
                      return Status::Ok();
                    })
                    .ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Status Insert(store::Store& s, int64_t x) {
    return s.Write([x](store::Tx& tx) -> Status {
      PAYOPS_TRY(tx.Exec("INSERT INTO t (x) VALUES (?)", {x}));
      return Status::Ok();
    });
  }

  static Result<int64_t> Count(store::Store& s) {
    int64_t n = -1;
    PAYOPS_TRY(s.Read([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COUNT(*) FROM t", {}));
      n = row->Int(0);
      return Status::Ok();
    }));
    return n;
  }

  // Polls `done` every 5 ms for up to 10 s.
  template <class Pred>
  static void WaitUntil(Pred done) {
    for (int waited = 0; !done() && waited < 10000; waited += 5) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  std::filesystem::path dir_;
  std::string url_;
};

}  // namespace payops::testing
