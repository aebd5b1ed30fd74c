// Delivery of the outbox: emails over SMTP and pages to a PagerDuty Events
// API v2 endpoint. Each call claims a batch of due rows with a lease (so
// servers sharing a store never send one row twice at once), sends them
// through an adapter, and records every outcome in one commit: sent; failed,
// retried after an exponential backoff on the Clock; dead after
// max_attempts or a permanent refusal.
#pragma once

#include <string>
#include <string_view>

#include "payops/adapters/http_poster.h"
#include "payops/adapters/mail_sender.h"
#include "payops/core/mime.h"
#include "payops/service/env.h"
#include "payops/store/outbox.h"

namespace payops::service {

struct DeliveryPolicy {
  int max_attempts = 8;                          // then dead
  Micros retry_base = std::chrono::seconds(30);  // first retry; doubles each time
  Micros retry_max = std::chrono::hours(1);      // longest wait between attempts
  Micros lease = std::chrono::minutes(5);        // a claimed batch's lease
  int batch = 100;                               // rows claimed at once (1..500)
  long http_timeout_ms = 10000;                  // a webhook or page POST, whole
};

struct PagingSettings {
  std::string url = "https://events.pagerduty.com/v2/enqueue";
  std::string routing_key;
  std::string source = "payops";
};

// The email of an outbox row as sent: From and Reply-To the support address,
// threaded under its ticket (mail_ids.h), Auto-Submitted on automatic mail,
// dated `now`.
Result<std::string> BuildOutboundMime(const MailSettings& settings, const mail::Mailbox& from,
                                      const store::OutboxMessage& m, Instant now);

// One batch of due emails; returns how many were attempted (0: none due).
Result<int> DeliverEmails(Env& env, adapters::MailSender& sender, const DeliveryPolicy& policy,
                          std::string_view worker);

// The PagerDuty Events v2 body of a page row: trigger (urgent_page) or
// resolve (page_resolve), dedup_key the ticket id.
std::string PagerDutyBody(const Env& env, const PagingSettings& paging,
                          const store::OutboxMessage& m);
// One batch of due pages; returns how many were attempted.
Result<int> DeliverPages(Env& env, adapters::HttpPoster& poster, const PagingSettings& paging,
                         const DeliveryPolicy& policy, std::string_view worker);

}  // namespace payops::service
