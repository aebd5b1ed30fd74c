// payops-mail-ingest: `payops mail-ingest` as a program of its own for mail
// servers, which start it once per message. It links only what ingest needs
// (GMime, the store, the desk's services), so that starting it loads a third
// of the shared libraries of `payops` (docs/BENCHMARKS.md, "Mail ingest").
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "payops/adapters/mime_parser.h"
#include "payops/cli/config.h"
#include "payops/cli/mail_ingest_cmd.h"
#include "payops/cli/settings.h"

int main(int argc, char** argv) {
  using namespace payops;
  using namespace payops::cli;
  CLI::App app{
      "payops-mail-ingest: read one RFC 5322 message on standard input: a new ticket "
      "or a reply (the same as `payops mail-ingest`)"};
  std::string config_file;
  std::optional<std::string> store, log_level, state_dir;
  bool sandbox = false;
  std::vector<std::string> recipients;
  app.add_option("--config", config_file, "TOML configuration file");
  app.add_option("--store", store, "sqlite:///abs/path.db or postgresql://user@host:port/db");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error");
  app.add_option("--state-dir", state_dir, "directory of the key file of a PostgreSQL store");
  app.add_flag("--sandbox", sandbox,
               "sandbox store: the time is the sandbox clock the server saved");
  app.add_option("--recipient", recipients,
                 "the envelope recipient (Postfix: ${recipient}); repeatable; chooses the "
                 "category from [mail.addresses] before To and Cc");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // A wrong command line in the mail server's configuration: keep the mail.
    return rc == 0 ? 0 : kExitTempFail;
  }
  Config cfg;
  const char* env_config = std::getenv("PAYOPS_CONFIG");
  const std::string file = !config_file.empty() ? config_file : (env_config ? env_config : "");
  if (!file.empty()) {
    Status loaded = LoadConfigFile(file, cfg);
    if (!loaded.ok()) return MailDefer(loaded.error());
  }
  Status env = ApplyEnvironment(cfg);
  if (!env.ok()) return MailDefer(env.error());
  if (store) cfg.store = *store;
  if (log_level) cfg.log_level = *log_level;
  if (state_dir) cfg.state_dir = *state_dir;
  if (sandbox) cfg.sandbox = true;
  SetUpLogging(cfg);
  int rc = RunMailIngest(cfg, recipients);
  adapters::ShutdownMime();
  return rc;
}
