// The key that seals account numbers, through the real server and command
// line: it lives in a key file beside the store (or in the state directory),
// never in the database; a key the store kept in earlier versions moves out;
// rotation re-seals under a new key; a production server without a key does
// not start.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"
#include "payops/adapters/secret_box.h"
#include "payops/store/funding.h"
#include "payops/store/kv.h"
#include "payops/store/store.h"

namespace payops::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kAccountNumber = "000123456789";
constexpr const char* kBatch = "ach_2030-01-07";

struct CommandResult {
  int exit_code = -1;
  std::string output;  // standard output and standard error
};

// Runs `env_prefix payops args...` (no encryption key in the environment
// unless the prefix sets one) and waits for it, at most 60 s.
CommandResult Payops(const std::string& env_prefix, const std::string& args) {
  std::string cmd = "env -u PAYOPS_ENCRYPTION_KEY -u PAYOPS_STATE_DIR " + env_prefix +
                    " timeout 60 " + PAYOPS_BINARY + " " + args + " 2>&1";
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteKeyFile(const std::string& path, const std::string& text, mode_t mode = 0600) {
  fs::remove(path);
  std::ofstream(path) << text;
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string DbPath(const std::string& store_url) {
  return store_url.substr(std::string("sqlite://").size());
}

// The key in a key file, without its newline.
std::string KeyIn(const std::string& path) {
  std::string text = ReadAll(path);
  EXPECT_EQ(text.size(), 65u) << path;
  EXPECT_EQ(text.back(), '\n');
  return text.substr(0, 64);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string RawKey(const std::string& hex) {
  std::string raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    raw.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return raw;
}

// Every byte of the SQLite database (main file, WAL and shared memory).
std::string DatabaseBytes(const std::string& db) {
  std::string all = ReadAll(db);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    if (fs::exists(db + suffix)) all += ReadAll(db + suffix);
  }
  return all;
}

// Whether the database bytes hold the key as hex (either case) or raw.
bool HoldsKey(const std::string& bytes, const std::string& hex) {
  return bytes.find(hex) != std::string::npos || bytes.find(Upper(hex)) != std::string::npos ||
         bytes.find(RawKey(hex)) != std::string::npos;
}

std::string AdminKey(const ServerProcess& s) {
  int rc = 0;
  std::string key = s.RunCli(
      {"key", "create", "--store", s.store_url(), "--role", "admin", "--name", "Root"}, &rc);
  EXPECT_EQ(rc, 0);
  key.erase(key.find_last_not_of('\n') + 1);
  return key;
}

std::string IdOf(const HttpResult& r) {
  EXPECT_LT(r.status, 300) << r.body;
  if (r.status >= 300) return "";
  return std::string(json::parse(r.body).at("id").as_string());
}

// An org with a verified sender whose bank account holds kAccountNumber, one
// ACH transaction from it, and the day's batch closed (the sandbox clock at
// the 07:00 Pacific cutoff), so that kBatch exports with the account number.
void SealAnAccountNumberInABatch(const ServerProcess& s) {
  std::string admin = AdminKey(s);
  auto post = [&](const std::string& path, const std::string& body) {
    return Request(s.port(), "POST", path, body, {{"Authorization", "Bearer " + admin}});
  };
  std::string org = IdOf(post(
      "/v1/orgs",
      R"({"name":"Org","domain":"keys.example","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro","go_live_date":"2026-01-01","allowed_countries":["US","MX"],"fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":150},{"direction":"payout","currency":"USD","corridor":"US-MX","fee":100}]})"));
  std::string user = IdOf(post(
      "/v1/users",
      R"({"org_id":")" + org +
          R"(","name":"Jose","email":"j@c.example","country":"US","kyc_status":"VERIFIED","tier":3})"));
  std::string rcp = IdOf(post("/v1/users/" + user + "/recipients",
                              R"({"name":"Ana","country":"MX","payout_method":"cash_pickup"})"));
  std::string bank =
      IdOf(post("/v1/users/" + user + "/bank-accounts",
                R"({"routing_number":"011000015","account_number":")" +
                    std::string(kAccountNumber) + R"(","sandbox_balance":100000000})"));
  IdOf(post(
      "/v1/transactions",
      R"({"user_id":")" + user + R"(","recipient_id":")" + rcp +
          R"(","funding":{"type":"ach","id":")" + bank +
          R"("},"amount":10000,"currency":"USD","payout_currency":"MXN","corridor":"US-MX","ip_address":"8.8.8.8","device_id":"sandbox-risk-0"})"));
  ASSERT_EQ(post("/v1/sandbox/clock", R"({"now":"2030-01-07T07:00:00-08:00"})").status, 200);
}

// The NACHA file of kBatch as the server exports it (with a fresh admin key).
HttpResult NachaFrom(const ServerProcess& s) {
  return Request(s.port(), "GET", std::string("/v1/ach/batches/") + kBatch + "/nacha", "",
                 {{"Authorization", "Bearer " + AdminKey(s)}});
}

std::unique_ptr<store::Store> OpenStore(const std::string& url) {
  auto s = store::Open(url);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return s.ok() ? std::move(*s) : nullptr;
}

std::optional<std::string> Setting(const std::string& url, const std::string& name) {
  auto st = OpenStore(url);
  std::optional<std::string> value;
  EXPECT_TRUE(st->Read([&](store::Tx& tx) -> Status {
                  PAYOPS_ASSIGN_OR_RETURN(value, store::GetSetting(tx, name));
                  return Status::Ok();
                }).ok());
  return value;
}

// The sealed account number of the store's one bank account.
std::string SealedAccountNumber(const std::string& url) {
  auto st = OpenStore(url);
  std::vector<store::SealedAccountNumber> all;
  EXPECT_TRUE(st->Read([&](store::Tx& tx) -> Status {
                  PAYOPS_ASSIGN_OR_RETURN(all, store::ListSealedAccountNumbers(tx, "", 10));
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? "" : all.front().sealed;
}

bool Opens(const std::string& hex, const std::string& sealed) {
  auto box = adapters::SecretBox::FromHexKey(hex);
  if (!box.ok()) return false;
  auto plain = box->Open(sealed);
  return plain.ok() && *plain == kAccountNumber;
}

TEST(EncryptionKey, ANewStoreHoldsNoKeyAndTheKeyFileOpensItAfterARestart) {
  ServerProcess s;
  const std::string db = DbPath(s.store_url());
  const std::string key_file = db + ".key";
  EXPECT_NE(s.Log().find("created the key file " + key_file), std::string::npos) << s.Log();
  SealAnAccountNumberInABatch(s);
  ASSERT_TRUE(fs::exists(key_file));
  EXPECT_EQ(ModeOf(key_file), 0600u);
  const std::string hex = KeyIn(key_file);
  ASSERT_TRUE(adapters::SecretBox::FromHexKey(hex).ok()) << hex;
  ASSERT_EQ(s.Terminate(), 0);

  const std::string bytes = DatabaseBytes(db);
  ASSERT_GT(bytes.size(), 4096u);
  EXPECT_FALSE(HoldsKey(bytes, hex)) << "the database file holds the encryption key";
  EXPECT_EQ(bytes.find(kAccountNumber), std::string::npos) << "an account number in clear";
  EXPECT_EQ(bytes.find("generated_encryption_key"), std::string::npos);

  ServerProcess again(s.store_url());
  EXPECT_EQ(again.Log().find("created the key file"), std::string::npos) << again.Log();
  EXPECT_NE(again.Log().find("source=" + key_file), std::string::npos);
  auto file = NachaFrom(again);
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_NE(file.body.find(kAccountNumber), std::string::npos) << file.body;
  EXPECT_EQ(KeyIn(key_file), hex);
}

TEST(EncryptionKey, AKeyKeptInTheStoreMovesToTheKeyFile) {
  ServerProcess s;
  const std::string db = DbPath(s.store_url());
  const std::string key_file = db + ".key";
  SealAnAccountNumberInABatch(s);
  ASSERT_EQ(s.Terminate(), 0);
  // The store as an earlier version left it: the generated key in the
  // settings, no key file, no key check value.
  const std::string hex = KeyIn(key_file);
  fs::remove(key_file);
  {
    auto st = OpenStore(s.store_url());
    ASSERT_TRUE(st->Write([&](store::Tx& tx) -> Status {
                    PAYOPS_TRY(store::PutSetting(tx, "generated_encryption_key", hex));
                    return store::DeleteSetting(tx, "encryption_key_check");
                  }).ok());
  }
  ASSERT_TRUE(HoldsKey(DatabaseBytes(db), hex)) << "the old layout keeps the key in the database";

  // A production server (no --sandbox, no encryption_key) starts on it.
  {
    ServerProcess upgraded(s.store_url(), {}, /*sandbox=*/false);
    std::string log = upgraded.Log();
    EXPECT_NE(log.find("moved the encryption key kept in the store to the key file " + key_file),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("deleted the encryption key from the store"), std::string::npos) << log;
    ASSERT_TRUE(fs::exists(key_file));
    EXPECT_EQ(ModeOf(key_file), 0600u);
    EXPECT_EQ(KeyIn(key_file), hex);
    auto file = NachaFrom(upgraded);
    ASSERT_EQ(file.status, 200) << file.body;
    EXPECT_NE(file.body.find(kAccountNumber), std::string::npos);
    EXPECT_EQ(upgraded.Terminate(), 0);
  }
  EXPECT_FALSE(Setting(s.store_url(), "generated_encryption_key").has_value());
  EXPECT_FALSE(HoldsKey(DatabaseBytes(db), hex)) << "the deleted key is still in the file's bytes";
  // A second start finds nothing more to move.
  ServerProcess again(s.store_url(), {}, /*sandbox=*/false);
  EXPECT_EQ(again.Log().find("moved the encryption key"), std::string::npos);
}

TEST(EncryptionKey, RotationReSealsEveryAccountNumberUnderTheNewKey) {
  ServerProcess s;
  const std::string url = s.store_url();
  const std::string key_file = DbPath(url) + ".key";
  SealAnAccountNumberInABatch(s);
  ASSERT_EQ(s.Terminate(), 0);
  const std::string k1 = KeyIn(key_file);
  ASSERT_TRUE(Opens(k1, SealedAccountNumber(url)));

  // Key file: a new random key replaces it; it is never printed.
  CommandResult rotated = Payops("", "key rotate-encryption --store " + url);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("re-sealed 1 account numbers"), std::string::npos)
      << rotated.output;
  const std::string k2 = KeyIn(key_file);
  EXPECT_NE(k2, k1);
  EXPECT_EQ(ModeOf(key_file), 0600u);
  EXPECT_FALSE(fs::exists(key_file + ".new"));
  EXPECT_EQ(rotated.output.find(k2), std::string::npos);
  EXPECT_FALSE(Opens(k1, SealedAccountNumber(url)));
  EXPECT_TRUE(Opens(k2, SealedAccountNumber(url)));
  CommandResult exported = Payops("", "ach export --store " + url + " --batch " + kBatch);
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find(kAccountNumber), std::string::npos);
  // The old key is refused as a whole, before anything is read with it.
  CommandResult old =
      Payops("PAYOPS_ENCRYPTION_KEY=" + k1, "ach export --store " + url + " --batch " + kBatch);
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_NE(old.output.find("wrong_encryption_key"), std::string::npos) << old.output;

  // Configured key: the key file is left alone; the new key is the one given.
  const std::string k3 = adapters::SecretBox::NewHexKey();
  CommandResult given = Payops("PAYOPS_ENCRYPTION_KEY=" + k2,
                               "key rotate-encryption --store " + url + " --new-key " + k3);
  ASSERT_EQ(given.exit_code, 0) << given.output;
  EXPECT_NE(given.output.find("set encryption_key"), std::string::npos) << given.output;
  EXPECT_EQ(KeyIn(key_file), k2);
  EXPECT_TRUE(Opens(k3, SealedAccountNumber(url)));
  EXPECT_FALSE(Opens(k2, SealedAccountNumber(url)));
  EXPECT_EQ(Payops("", "ach export --store " + url + " --batch " + kBatch).exit_code, 1);
  EXPECT_EQ(
      Payops("PAYOPS_ENCRYPTION_KEY=" + k3, "ach export --store " + url + " --batch " + kBatch)
          .exit_code,
      0);

  // Configured key, no --new-key: the generated key is printed first.
  CommandResult printed =
      Payops("PAYOPS_ENCRYPTION_KEY=" + k3, "key rotate-encryption --store " + url);
  ASSERT_EQ(printed.exit_code, 0) << printed.output;
  const std::string marker = "new encryption key: ";
  size_t at = printed.output.find(marker);
  ASSERT_NE(at, std::string::npos) << printed.output;
  const std::string k4 = printed.output.substr(at + marker.size(), 64);
  EXPECT_TRUE(Opens(k4, SealedAccountNumber(url)));

  // Bad input changes nothing.
  EXPECT_EQ(Payops("PAYOPS_ENCRYPTION_KEY=" + k4,
                   "key rotate-encryption --store " + url + " --new-key abc")
                .exit_code,
            2);
  EXPECT_EQ(Payops("PAYOPS_ENCRYPTION_KEY=" + k4,
                   "key rotate-encryption --store " + url + " --new-key " + k4)
                .exit_code,
            2);
  EXPECT_EQ(Payops("", "key rotate-encryption --store " + url).exit_code, 1);  // k2 is stale
  EXPECT_TRUE(Opens(k4, SealedAccountNumber(url)));
  EXPECT_EQ(KeyIn(key_file), k2);
}

TEST(EncryptionKey, AServerStillOnARotatedOutKeySealsNothingMore) {
  ServerProcess s;
  const std::string url = s.store_url();
  SealAnAccountNumberInABatch(s);
  std::string admin = AdminKey(s);
  auto users = Request(s.port(), "GET", "/v1/users", "", {{"Authorization", "Bearer " + admin}});
  const std::string user(json::parse(users.body).at("data").at(0).at("id").as_string());
  const std::string bank = R"({"routing_number":"011000015","account_number":"555566667777"})";
  auto post_bank = [&] {
    return Request(s.port(), "POST", "/v1/users/" + user + "/bank-accounts", bank,
                   {{"Authorization", "Bearer " + admin}});
  };
  ASSERT_EQ(post_bank().status, 201);
  CommandResult rotated = Payops("", "key rotate-encryption --store " + url);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("re-sealed 2 account numbers"), std::string::npos)
      << rotated.output;
  auto refused = post_bank();
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("encryption_key_changed"), std::string::npos) << refused.body;
  auto listed = Request(s.port(), "GET", "/v1/users/" + user + "/bank-accounts", "",
                        {{"Authorization", "Bearer " + admin}});
  EXPECT_EQ(json::parse(listed.body).at("data").as_array().size(), 2u);
}

TEST(EncryptionKey, AnInterruptedRotationIsUndoneOrFinishedAtTheNextStart) {
  ServerProcess s;
  const std::string url = s.store_url();
  const std::string key_file = DbPath(url) + ".key";
  SealAnAccountNumberInABatch(s);
  ASSERT_EQ(s.Terminate(), 0);
  const std::string k1 = KeyIn(key_file);

  // Stopped before its transaction committed: the new key is dropped.
  WriteKeyFile(key_file + ".new", adapters::SecretBox::NewHexKey() + "\n");
  {
    ServerProcess undone(url, {}, /*sandbox=*/false);
    EXPECT_NE(undone.Log().find("did not commit"), std::string::npos) << undone.Log();
    EXPECT_FALSE(fs::exists(key_file + ".new"));
    EXPECT_EQ(KeyIn(key_file), k1);
    auto file = NachaFrom(undone);
    ASSERT_EQ(file.status, 200) << file.body;
  }

  // Stopped after its commit, before the rename: the new key takes over.
  ASSERT_EQ(Payops("", "key rotate-encryption --store " + url).exit_code, 0);
  const std::string k2 = KeyIn(key_file);
  WriteKeyFile(key_file + ".new", k2 + "\n");
  WriteKeyFile(key_file, k1 + "\n");
  ServerProcess finished(url, {}, /*sandbox=*/false);
  EXPECT_NE(finished.Log().find("finished an interrupted key rotation"), std::string::npos)
      << finished.Log();
  EXPECT_FALSE(fs::exists(key_file + ".new"));
  EXPECT_EQ(KeyIn(key_file), k2);
  EXPECT_EQ(ModeOf(key_file), 0600u);
  auto file = NachaFrom(finished);
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_NE(file.body.find(kAccountNumber), std::string::npos);
}

TEST(EncryptionKey, AProductionServerWithoutAKeyRefusesToStart) {
  char tmpl[] = "/tmp/payops-nokey-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string url = "sqlite://" + dir + "/prod.db";
  const std::string key_file = dir + "/prod.db.key";
  const std::string serve = "serve --store " + url + " --listen 127.0.0.1:0";

  CommandResult refused = Payops("", serve);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("no encryption key"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find(key_file), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(key_file));

  // The commands that need no key run without one, and make none.
  EXPECT_EQ(Payops("", "migrate --store " + url).exit_code, 0);
  EXPECT_EQ(Payops("", "key create --store " + url + " --role admin --name Root").exit_code, 0);
  EXPECT_FALSE(fs::exists(key_file));
  EXPECT_EQ(Payops("", "ach export --store " + url + " --batch " + kBatch).exit_code, 1);
  EXPECT_FALSE(fs::exists(key_file));

  // `payops demo` prepares a sandbox store, key file included.
  CommandResult demo = Payops("", "demo --store " + url);
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  EXPECT_NE(demo.output.find("created the key file " + key_file), std::string::npos) << demo.output;
  ASSERT_TRUE(fs::exists(key_file));
  EXPECT_EQ(ModeOf(key_file), 0600u);
  const std::string hex = KeyIn(key_file);
  { ServerProcess production(url, {}, /*sandbox=*/false); }

  // A key file others may read, or one that holds no key, is not used.
  ASSERT_EQ(chmod(key_file.c_str(), 0640), 0);
  CommandResult readable = Payops("", serve);
  EXPECT_EQ(readable.exit_code, 1);
  EXPECT_NE(readable.output.find("key_file_permissions"), std::string::npos) << readable.output;
  ASSERT_EQ(chmod(key_file.c_str(), 0604), 0);
  EXPECT_EQ(Payops("", serve).exit_code, 1);
  WriteKeyFile(key_file, "not a key\n");
  CommandResult malformed = Payops("", serve);
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_NE(malformed.output.find("invalid_key_file"), std::string::npos) << malformed.output;
  // Nor does a sandbox server replace a bad key file.
  EXPECT_EQ(Payops("", serve + " --sandbox").exit_code, 1);
  // Another valid key is not this store's.
  WriteKeyFile(key_file, adapters::SecretBox::NewHexKey() + "\n");
  CommandResult wrong = Payops("", serve);
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.output.find("wrong_encryption_key"), std::string::npos) << wrong.output;
  WriteKeyFile(key_file, hex + "\n");
  { ServerProcess production(url, {}, /*sandbox=*/false); }
  fs::remove_all(dir);
}

TEST(EncryptionKey, APostgresStoreKeepsItsKeyFileInTheStateDirectory) {
  const std::string base = PostgresUrlForTests();
  ASSERT_FALSE(base.empty()) << "PAYOPS_TEST_PG_URL_FILE is not set: run through ctest";
  const std::string schema = "keys_" + std::to_string(getpid());
  {
    auto admin = OpenStore(base);
    ASSERT_TRUE(admin
                    ->Write([&](store::Tx& tx) -> Status {
                      PAYOPS_TRY(tx.Exec("CREATE SCHEMA " + schema, {}));
                      return Status::Ok();
                    })
                    .ok());
  }
  const std::string url = base + "?options=-csearch_path%3D" + schema;
  char tmpl[] = "/tmp/payops-state-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string state = dir + "/state";  // made by payops, mode 0700
  const std::string key_file = state + "/encryption.key";

  CommandResult demo = Payops("PAYOPS_STATE_DIR=" + state, "demo --store '" + url + "'");
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  ASSERT_TRUE(fs::exists(key_file)) << demo.output;
  EXPECT_EQ(ModeOf(key_file), 0600u);
  EXPECT_EQ(ModeOf(state), 0700u);
  const std::string hex = KeyIn(key_file);
  EXPECT_FALSE(Setting(url, "generated_encryption_key").has_value());
  // The flag names the state directory too (and wins over the environment).
  {
    ServerProcess production(url, {"--state-dir", state}, /*sandbox=*/false);
    EXPECT_NE(production.Log().find("source=" + key_file), std::string::npos)
        << production.Log();
  }
  CommandResult elsewhere = Payops("PAYOPS_STATE_DIR=" + dir + "/other",
                                   "serve --store '" + url + "' --listen 127.0.0.1:0");
  EXPECT_EQ(elsewhere.exit_code, 1);
  EXPECT_NE(elsewhere.output.find("no encryption key"), std::string::npos) << elsewhere.output;
  EXPECT_EQ(KeyIn(key_file), hex);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace payops::testing
