// A real `payops serve` process on a free loopback port, and a minimal
// HTTP/1.1 client that can also send raw bytes.
#pragma once

#include <sys/types.h>

#include <cstdlib>
#include <istream>
#include <map>
#include <string>
#include <vector>

namespace payops::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

// The payops binary the tests run: the test build's, or the one that the
// environment's PAYOPS_TEST_BINARY names (a Release build, to measure it).
std::string PayopsBinary();

// Sends `raw` (a whole HTTP request) and reads the response (Connection: close).
// With `half_close`, the write side is shut after `raw`: a request cut short
// then ends at the client's FIN, not at the server's read timeout.
HttpResult SendRaw(int port, const std::string& raw, bool half_close = false);
// The same for one request; the answer is checked against docs/openapi.yaml
// (contract.h) and every disagreement is a test failure.
HttpResult Request(int port, const std::string& method, const std::string& target,
                   const std::string& body = "",
                   const std::vector<std::pair<std::string, std::string>>& headers = {});

class ServerProcess {
 public:
  // Starts `payops serve` on a fresh store (a temp SQLite file unless
  // `store_url` is given), in sandbox mode, and waits until it listens. Its
  // temp directory is also its state directory (PAYOPS_STATE_DIR), for it and
  // for RunCli.
  explicit ServerProcess(std::string store_url = "", std::vector<std::string> extra_args = {},
                         bool sandbox = true);
  ~ServerProcess();
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& store_url() const { return store_url_; }
  // Sends SIGTERM and waits; returns the exit status.
  int Terminate();
  // Sends SIGKILL (no shutdown of any kind) and reaps the process.
  void Kill();
  // Everything the server wrote to stderr so far.
  std::string Log();
  // Runs `payops ARGS...` against the same store; returns stdout, sets *exit_code.
  std::string RunCli(const std::vector<std::string>& args, int* exit_code) const;
  // The same with standard input read from the file `stdin_path`; *stderr_text
  // (when given) gets what the command wrote to standard error.
  // `program` (default: the payops binary) is another program of the build,
  // e.g. PAYOPS_MAIL_INGEST_BINARY.
  std::string RunCliWithInput(const std::vector<std::string>& args, const std::string& stdin_path,
                              int* exit_code, std::string* stderr_text = nullptr,
                              const std::string& program = "") const;
  // The temp directory of this server (its state directory), removed with it.
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string store_url_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Sets an environment variable for the servers started in this scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// ASCII lowercase.
std::string Lower(std::string s);
// The header lines left in `head` ("Name: value", CR/LF or LF ends) by
// lowercase name; lines without a colon are skipped.
std::map<std::string, std::string> ReadHeaderLines(std::istream& head);

// A PostgreSQL URL for the tests from PAYOPS_TEST_PG_URL_FILE, or "".
std::string PostgresUrlForTests();
// Whether this run of the API tests is on PostgreSQL (PAYOPS_TEST_BACKEND=
// postgresql): CTest runs every API test once on each backend.
bool TestsOnPostgres();
// A new empty schema in the database of `base_url` (default: the test
// cluster's) and the URL whose connections use it, so that a server's data,
// jobs and sandbox clock are its own.
std::string NewPostgresSchemaUrl(const std::string& base_url = "");
// The store of a fresh test server: a SQLite file in `dir`, or a new schema
// on PostgreSQL in the PostgreSQL run.
std::string FreshStoreUrl(const std::string& dir);

}  // namespace payops::testing
