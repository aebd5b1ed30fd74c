#include "payops/adapters/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace payops::adapters {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/payops-keyfile-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }

  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::string dir_;
};

TEST(KeyFileFor, BesideTheSqliteFileOrInTheStateDirectory) {
  EXPECT_EQ(KeyFileFor("sqlite:///var/db/payops.db", "/ignored").value(), "/var/db/payops.db.key");
  EXPECT_EQ(KeyFileFor("sqlite://./payops.db", "").value(), "./payops.db.key");
  EXPECT_EQ(KeyFileFor("postgresql://payops@127.0.0.1:5432/payops", "/var/lib/payops/").value(),
            "/var/lib/payops/encryption.key");
  EXPECT_EQ(KeyFileFor("postgres://h/db", "/srv/state").value(), "/srv/state/encryption.key");
  EXPECT_FALSE(KeyFileFor("postgresql://h/db", "").ok());
  EXPECT_FALSE(KeyFileFor("sqlite://", "/x").ok());
  EXPECT_FALSE(KeyFileFor("mysql://h/db", "/x").ok());
}

TEST_F(KeyFileTest, CreatesOnceWithModeSixHundredWhateverTheUmask) {
  const std::string path = dir_ + "/store.db.key";
  const mode_t old = umask(0);
  Status created = CreateKeyFile(path, kKey);
  umask(old);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ReadKeyFile(path).value(), std::optional<std::string>(kKey));
  Status again = CreateKeyFile(path, "ff" + std::string(kKey).substr(2));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "key_file_exists");
  EXPECT_EQ(ReadKeyFile(path).value(), std::optional<std::string>(kKey));  // left alone
  EXPECT_EQ(CreateKeyFile(dir_ + "/no/such/dir.key", kKey).error().code, "key_file_unwritable");
}

TEST_F(KeyFileTest, ReadsOnlyAPrivateFileHoldingOneKey) {
  EXPECT_FALSE(ReadKeyFile(dir_ + "/missing.key").value().has_value());
  EXPECT_EQ(ReadKeyFile(Write("a.key", std::string(kKey) + "\n", 0600)).value(),
            std::optional<std::string>(kKey));
  EXPECT_EQ(ReadKeyFile(Write("b.key", kKey, 0400)).value(), std::optional<std::string>(kKey));
  for (mode_t open_mode : {0640, 0604, 0644, 0660, 0602, 0610}) {
    auto r = ReadKeyFile(Write("open.key", std::string(kKey) + "\n", open_mode));
    ASSERT_FALSE(r.ok()) << std::oct << open_mode;
    EXPECT_EQ(r.error().code, "key_file_permissions");
    EXPECT_EQ(r.error().kind, ErrorKind::kRefused);
  }
  EXPECT_EQ(ReadKeyFile(dir_).error().code, "key_file_permissions");  // a directory
  for (const std::string& bad :
       {std::string(""), std::string(kKey).substr(1) + "\n", std::string(kKey) + "0\n",
        std::string(kKey) + "\n\n", "zz" + std::string(kKey).substr(2), std::string(200, 'a')}) {
    auto r = ReadKeyFile(Write("bad.key", bad, 0600));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_key_file") << bad;
  }
}

TEST_F(KeyFileTest, ReplacesAndRemoves) {
  const std::string path = dir_ + "/k.key";
  ASSERT_TRUE(CreateKeyFile(path + ".new", kKey).ok());
  ASSERT_TRUE(ReplaceKeyFile(path + ".new", path).ok());
  EXPECT_FALSE(fs::exists(path + ".new"));
  EXPECT_EQ(ReadKeyFile(path).value(), std::optional<std::string>(kKey));
  ASSERT_TRUE(RemoveKeyFile(path).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(RemoveKeyFile(path).ok());  // already gone
}

TEST_F(KeyFileTest, MakesAPrivateStateDirectory) {
  const std::string state = dir_ + "/state";
  ASSERT_TRUE(EnsureKeyDirectory(state).ok());
  EXPECT_EQ(ModeOf(state), 0700u);
  EXPECT_TRUE(EnsureKeyDirectory(state).ok());
  EXPECT_FALSE(EnsureKeyDirectory(dir_ + "/a/b").ok());  // one level only
  EXPECT_EQ(DirectoryOf("/a/b.key"), "/a");
  EXPECT_EQ(DirectoryOf("b.key"), ".");
  EXPECT_EQ(DirectoryOf("/b.key"), "/");
}

}  // namespace
}  // namespace payops::adapters
