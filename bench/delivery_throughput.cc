// Outbound email throughput against a real SMTP server (the aiosmtpd sink of
// bench/delivery.sh). Prints one line per mode, messages per second:
//   reuse <n> <seconds> <msgs/s>      one libcurl sender, its connection kept
//   fresh <n> <seconds> <msgs/s>      a new sender (connection) per message
//   pipeline <n> <seconds> <msgs/s>   n outbox rows in a SQLite store delivered by
//                                     service::DeliverEmails: claim, MIME, send, record
// Usage: delivery_throughput smtp://127.0.0.1:PORT /abs/dir [messages]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "payops/adapters/mail_sender.h"
#include "payops/core/mime.h"
#include "payops/service/delivery.h"
#include "payops/store/outbox.h"

using namespace payops;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

store::OutboxMessage Row(int i, Instant now) {
  char id[40];
  std::snprintf(id, sizeof id, "msg_bench%08d", i);
  store::OutboxMessage m;
  m.id = id;
  m.kind = "email";
  m.event = "ticket_created";
  // Appended piece by piece: g++ 12 -O3 warns (-Wrestrict) on "literal" + string.
  m.to_address = std::string("r").append(std::to_string(i % 5000)).append("@bench.example");
  m.subject = std::string("[#")
                  .append(std::to_string(1000 + i))
                  .append("] Balance does not match our records");
  m.body =
      "Hello Bench Requester,\n\nWe have received your request #1001: Balance does not match "
      "our records\nPriority: medium.\n\nFollow it at http://127.0.0.1:8080/#/tickets/tkt_x\n";
  m.html_body =
      "<!DOCTYPE html><html><body><p>Hello Bench Requester,</p><p>We have received "
      "your request <strong>#1001</strong>: Balance does not match our records</p>"
      "</body></html>\n";
  m.ticket_id = std::string("tkt_bench").append(std::to_string(i / 2));
  m.created_at = now;
  m.next_attempt_at_us = ToMicros(now);
  return m;
}

int Direct(const std::string& url, int n, bool reuse) {
  RealClock clock;
  service::MailSettings settings;
  settings.domain = "bench.example";
  auto from = mail::ParseMailbox("Bench Support <support@bench.example>");
  adapters::SmtpSettings s;
  s.url = url;
  auto sender = adapters::MakeSmtpSender(s);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    if (!reuse) sender = adapters::MakeSmtpSender(s);
    store::OutboxMessage m = Row(i, clock.Now());
    auto mime = service::BuildOutboundMime(settings, *from, m, clock.Now());
    if (!mime.ok()) return 1;
    Status sent = sender->Send({from->address, {m.to_address}, std::move(*mime)});
    if (!sent.ok()) {
      std::fprintf(stderr, "send failed: %s\n", sent.error().message.c_str());
      return 1;
    }
  }
  double secs = Seconds(start);
  std::printf("%s %d %.3f %.0f\n", reuse ? "reuse" : "fresh", n, secs, n / secs);
  return 0;
}

int Pipeline(const std::string& url, const std::string& dir, int n) {
  auto st = store::Open(std::string("sqlite://").append(dir).append("/delivery-bench.db"));
  if (!st.ok() || !store::Migrate(**st).ok()) return 1;
  RealClock clock;
  service::Env env(**st, clock);
  env.mail.from = "Bench Support <support@bench.example>";
  env.mail.domain = "bench.example";
  Status seeded = (*st)->Write([&](store::Tx& tx) -> Status {
    for (int i = 0; i < n; ++i) PAYOPS_TRY(store::InsertOutbox(tx, Row(i, clock.Now())));
    return Status::Ok();
  });
  if (!seeded.ok()) return 1;
  adapters::SmtpSettings s;
  s.url = url;
  auto sender = adapters::MakeSmtpSender(s);
  service::DeliveryPolicy p;
  p.batch = 20;  // as payops serve
  auto start = std::chrono::steady_clock::now();
  int sent = 0;
  for (;;) {
    auto r = service::DeliverEmails(env, *sender, p, "bench");
    if (!r.ok()) {
      std::fprintf(stderr, "pipeline: %s\n", r.error().message.c_str());
      return 1;
    }
    if (*r == 0) break;
    sent += *r;
  }
  double secs = Seconds(start);
  std::printf("pipeline %d %.3f %.0f\n", sent, secs, sent / secs);
  return sent == n ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: delivery_throughput smtp://HOST:PORT /abs/dir [messages]\n");
    return 2;
  }
  std::string url = argv[1], dir = argv[2];
  int n = argc > 3 ? std::atoi(argv[3]) : 5000;
  if (Direct(url, n, true) != 0) return 1;
  if (Direct(url, std::min(n, 1000), false) != 0) return 1;
  return Pipeline(url, dir, n);
}
