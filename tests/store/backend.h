// The store tests run every case on each backend: a fresh SQLite file, and a
// fresh schema in the throwaway PostgreSQL cluster that CTest starts.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "payops/store/store.h"

namespace payops::testing {

inline std::string PgBaseUrl() {
  const char* file = std::getenv("PAYOPS_TEST_PG_URL_FILE");
  if (!file) return "";
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  return url;
}

// The number of rows of `table` (-1 when the read fails, which also fails the test).
inline int64_t Count(store::Store& s, const std::string& table) {
  int64_t n = -1;
  EXPECT_TRUE(s.Read([&](store::Tx& tx) -> Status {
                 PAYOPS_ASSIGN_OR_RETURN(auto row,
                                         tx.QueryOne("SELECT COUNT(*) FROM " + table, {}));
                 n = row->Int(0);
                 return Status::Ok();
               }).ok());
  return n;
}

// Opens a migrated, empty store of the kind named by the test parameter.
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static int counter = 0;
    std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    if (GetParam() == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / ("payops-store-" + name);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite://" + (dir_ / "test.db").string();
    } else {
      std::string base = PgBaseUrl();
      ASSERT_FALSE(base.empty()) << "no PostgreSQL test cluster: run through ctest";
      auto admin = store::Open(base);
      ASSERT_TRUE(admin.ok()) << admin.error().message;
      ASSERT_TRUE((*admin)
                      ->Write([&](store::Tx& tx) -> Status {
                        PAYOPS_TRY(tx.Exec("CREATE SCHEMA " + name, {}));
                        return Status::Ok();
                      })
                      .ok());
      url_ = base + "?options=-csearch_path%3D" + name;
    }
    auto s = store::Open(url_, options_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    auto v = store::Migrate(*store_);
    ASSERT_TRUE(v.ok()) << v.error().message;
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  store::StoreOptions options_;
  std::unique_ptr<store::Store> store_;
  std::string url_;
  std::filesystem::path dir_;
};

#define PAYOPS_BACKENDS(Suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::testing::Values("sqlite", "postgres"), \
                           [](const auto& info) { return info.param; })

}  // namespace payops::testing
