#include "payops/cli/mail_ingest_cmd.h"

#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "payops/adapters/mime_parser.h"
#include "payops/cli/settings.h"
#include "payops/core/inbound_mail.h"
#include "payops/core/mime.h"
#include "payops/core/validate.h"
#include "payops/service/mail_ingest.h"
#include "payops/store/store.h"

namespace payops::cli {
namespace {

// Data errors refuse the message (the sender gets a bounce with the reason);
// everything else (the store unreachable, the configuration) defers it.
int MailFail(const Error& e) {
  std::cerr << "payops: " << e.message << " (" << e.code << ")\n";
  const bool refused = e.kind == ErrorKind::kInvalid || e.kind == ErrorKind::kRefused;
  return refused ? kExitDataErr : kExitTempFail;
}

}  // namespace

int MailDefer(const Error& e) {
  std::cerr << "payops: " << e.message << " (" << e.code << ")\n";
  return kExitTempFail;
}

namespace {

// Standard input, at most `max_bytes`. A longer message is refused without
// being kept: the rest is read and dropped (up to kMaxDrainBytes) so that the
// mail server writing it sees the exit status, not a broken pipe.
Result<std::string> ReadMessage(int fd, size_t max_bytes) {
  constexpr size_t kMaxDrainBytes = size_t{1} << 30;
  std::string message;
  std::string chunk(size_t{1} << 16, '\0');
  size_t drained = 0;
  bool too_large = false;
  for (;;) {
    ssize_t n = read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Unavailable("cannot read the message from standard input");
    if (n == 0) break;
    const auto got = static_cast<size_t>(n);
    if (too_large || message.size() + got > max_bytes) {
      too_large = true;
      message.clear();
      message.shrink_to_fit();
      drained += got;
      if (drained > kMaxDrainBytes) break;
      continue;
    }
    message.append(chunk.data(), got);
  }
  if (too_large) {
    return Error::Invalid("message_too_large",
                          "the message is larger than " + std::to_string(max_bytes >> 20) + " MiB",
                          "message");
  }
  return message;
}

}  // namespace

int RunMailIngest(const Config& cfg, const std::vector<std::string>& recipients) {
  service::MailIngestSettings settings;
  if (recipients.size() > mail::kMaxEnvelopeRecipients) {
    return MailDefer(Error::Invalid(
        "too_many_recipients",
        "at most " + std::to_string(mail::kMaxEnvelopeRecipients) + " --recipient", "recipient"));
  }
  for (const std::string& r : recipients) {
    // The mail server's command line is wrong: keep the message until it is fixed.
    if (!IsEmail(r)) {
      return MailDefer(Error::Invalid(
          "invalid_recipient",
          "--recipient '" + mail::HeaderText(r, 200) + "' is not an email address", "recipient"));
    }
  }
  {
    auto raw = ReadMessage(STDIN_FILENO, mail::kMaxMessageBytes);
    if (!raw.ok()) return MailFail(raw.error());
    auto parsed = adapters::ParseMimeMessage(*raw);
    if (!parsed.ok()) return MailFail(parsed.error());
    parsed->envelope_recipients = recipients;
    raw->clear();
    raw->shrink_to_fit();
    // One message: one read connection, and migrations only when behind.
    store::StoreOptions opt;
    opt.read_connections = 1;
    opt.writer_cache_kib = cfg.writer_cache_kib;
    opt.reader_cache_kib = cfg.reader_cache_kib;
    opt.pipelined_sync = cfg.pipelined_sync;
    auto s = store::Open(cfg.store, opt);
    if (!s.ok()) return MailDefer(s.error());
    if (!store::SchemaIsCurrent(**s)) {
      auto migrated = store::Migrate(**s);
      if (!migrated.ok()) return MailDefer(migrated.error());
    }
    std::unique_ptr<ManualClock> manual;
    if (cfg.sandbox) {
      auto start = SandboxStart(**s, "");
      if (!start.ok()) return MailDefer(start.error());
      manual = std::make_unique<ManualClock>(*start);
    }
    RealClock real;
    const Clock& clock = manual ? static_cast<const Clock&>(*manual) : real;
    service::Env env(**s, clock, cfg.sandbox);
    std::optional<desk::SlaRules> sla_rules;
    Status desk_settings = ApplyDeskSettings(cfg, env, sla_rules);
    if (!desk_settings.ok()) return MailDefer(desk_settings.error());
    settings.our_domain = mail::OurMailDomain(cfg.smtp_from, cfg.public_url);
    if (!cfg.smtp_from.empty()) {
      settings.our_addresses.push_back(mail::LowerAscii(mail::AddressOf(cfg.smtp_from)));
    }
    for (const auto& [address, category] : cfg.mail_addresses) {
      settings.our_addresses.push_back(address);
    }
    settings.address_categories = cfg.mail_addresses;
    auto result = service::IngestMail(env, settings, *parsed);
    if (!result.ok()) return MailFail(result.error());
    std::cout << service::DescribeMailIngest(*result) << "\n";
  }
  return 0;
}

}  // namespace payops::cli
