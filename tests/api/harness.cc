#include "harness.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "contract.h"
#include "payops/store/store.h"

namespace payops::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// The payops binary the tests run: the test build's, or the one that
// PAYOPS_TEST_BINARY names (to measure a Release build with these tests).
std::string PayopsBinary() {
  const char* other = std::getenv("PAYOPS_TEST_BINARY");
  return other && *other ? std::string(other) : std::string(PAYOPS_BINARY);
}

HttpResult SendRaw(int port, const std::string& raw, bool half_close) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("connect failed");
  }
  size_t sent = 0;
  while (sent < raw.size()) {
    ssize_t n = send(fd, raw.data() + sent, raw.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) and close before reading everything
    sent += static_cast<size_t>(n);
  }
  if (half_close) shutdown(fd, SHUT_WR);
  std::string in;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  HttpResult r;
  size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return r;
  std::istringstream head(in.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  if (line.size() >= 12) r.status = std::atoi(line.substr(9, 3).c_str());
  r.headers = ReadHeaderLines(head);
  r.body = in.substr(head_end + 4);
  return r;
}

HttpResult Request(int port, const std::string& method, const std::string& target,
                   const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) raw += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH") {
    raw +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  raw += "\r\n" + body;
  HttpResult r = SendRaw(port, raw);
  // Every answer keeps the contract of docs/openapi.yaml.
  for (const std::string& problem : ContractViolations(method, target, r)) {
    ADD_FAILURE() << "openapi.yaml: " << problem;
  }
  return r;
}

namespace {

// The servers of several tests share the test cluster's database (its
// default schema), as the servers of one deployment do: they share its
// encryption key too, configured, instead of each making a key file of its
// own. A test on a schema of its own (search_path) keeps its key file.
constexpr const char* kSharedDatabaseKey =
    "7e57da7a7e57da7a7e57da7a7e57da7a7e57da7a7e57da7a7e57da7a7e57da7a";

// The state directory of a server: its own temp directory, except in the
// PostgreSQL run, where the servers that a test starts one after another on
// one schema (a restart) share one, as they share the key file beside an
// SQLite store.
std::string StateDirFor(const std::string& store_url, const std::string& own_dir) {
  const size_t at = store_url.find("search_path%3D");
  if (!TestsOnPostgres() || at == std::string::npos) return own_dir;
  const std::string dir = "/tmp/payops-pgstate-" + store_url.substr(at + 14);
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

bool SharesTestDatabase(const std::string& store_url) {
  return store_url.rfind("postgresql://", 0) == 0 &&
         store_url.find("search_path") == std::string::npos;
}

std::string SharedKeyEnv(const std::string& store_url) {
  return SharesTestDatabase(store_url)
             ? std::string("PAYOPS_ENCRYPTION_KEY=") + kSharedDatabaseKey + " "
             : std::string();
}

}  // namespace

ServerProcess::ServerProcess(std::string store_url, std::vector<std::string> extra_args,
                             bool sandbox) {
  char tmpl[] = "/tmp/payops-api-XXXXXX";
  dir_ = mkdtemp(tmpl);
  store_url_ = store_url.empty() ? FreshStoreUrl(dir_) : store_url;
  log_path_ = dir_ + "/server.log";
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    dup2(fd, 1);
    // The key file of a PostgreSQL store goes to the state directory: this
    // server's own, never the machine's.
    setenv("PAYOPS_STATE_DIR", StateDirFor(store_url_, dir_).c_str(), 1);
    if (SharesTestDatabase(store_url_)) setenv("PAYOPS_ENCRYPTION_KEY", kSharedDatabaseKey, 1);
    std::vector<std::string> args = {PayopsBinary(), "serve",       "--store",          store_url_,
                                     "--listen",     "127.0.0.1:0", "--worker-threads", "8"};
    if (sandbox) {
      // A fixed start makes every case file's dates deterministic: Monday
      // 2030-01-07 05:00 Pacific (PST), before that day's ACH cutoff.
      args.push_back("--sandbox");
      args.push_back("--clock-start");
      args.push_back("2030-01-07T05:00:00-08:00");
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(args[0].c_str(), argv.data());
    _exit(127);
  }
  const std::string marker = "listening on http://127.0.0.1:";
  for (int i = 0; i < 600; ++i) {  // up to 30 s under sanitizers
    std::string log = ReadFile(log_path_);
    size_t at = log.find(marker);
    if (at != std::string::npos) {
      port_ = std::atoi(log.c_str() + at + marker.size());
      return;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("payops serve exited early:\n" + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("payops serve did not start:\n" + ReadFile(log_path_));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Terminate();
  std::string cmd = "rm -rf '" + dir_ + "'";
  if (std::system(cmd.c_str()) != 0) {
  }
}

int ServerProcess::Terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::Log() {
  return ReadFile(log_path_);
}

std::string ServerProcess::RunCli(const std::vector<std::string>& args, int* exit_code) const {
  std::string cmd = "PAYOPS_STATE_DIR='" + StateDirFor(store_url_, dir_) + "' " +
                    SharedKeyEnv(store_url_) + PayopsBinary();
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string ServerProcess::RunCliWithInput(const std::vector<std::string>& args,
                                           const std::string& stdin_path, int* exit_code,
                                           std::string* stderr_text,
                                           const std::string& program) const {
  const std::string err_path = dir_ + "/cli.stderr";
  std::string cmd = SharedKeyEnv(store_url_) + (program.empty() ? PayopsBinary() : program);
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " < '" + stdin_path + "' 2> '" + err_path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (stderr_text) *stderr_text = ReadFile(err_path);
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::map<std::string, std::string> ReadHeaderLines(std::istream& head) {
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    out[Lower(line.substr(0, colon))] = v;
  }
  return out;
}

std::string PostgresUrlForTests() {
  const char* file = std::getenv("PAYOPS_TEST_PG_URL_FILE");
  if (!file) return "";
  std::string url = ReadFile(file);
  while (!url.empty() && (url.back() == '\n' || url.back() == ' ')) url.pop_back();
  return url;
}

}  // namespace payops::testing

namespace payops::testing {

bool TestsOnPostgres() {
  const char* backend = std::getenv("PAYOPS_TEST_BACKEND");
  return backend && std::string(backend) == "postgresql";
}

std::string NewPostgresSchemaUrl(const std::string& base_url) {
  static std::atomic<int> counter{0};
  const std::string base = base_url.empty() ? PostgresUrlForTests() : base_url;
  if (base.empty()) throw std::runtime_error("PAYOPS_TEST_PG_URL_FILE is not set");
  const std::string schema =
      "t" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
  store::StoreOptions opt;
  opt.read_connections = 1;
  auto s = store::Open(base, opt);
  if (!s.ok()) throw std::runtime_error("cannot open " + base + ": " + s.error().message);
  Status made = (*s)->Write([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(tx.Exec("CREATE SCHEMA " + schema, {}));
    return Status::Ok();
  });
  if (!made.ok()) throw std::runtime_error("cannot create schema: " + made.error().message);
  return base + "?options=-csearch_path%3D" + schema;
}

std::string FreshStoreUrl(const std::string& dir) {
  return TestsOnPostgres() ? NewPostgresSchemaUrl() : "sqlite://" + dir + "/payops.db";
}

}  // namespace payops::testing
