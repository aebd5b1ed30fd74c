#include "payops/service/delivery.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "payops/core/mail_ids.h"
#include "payops/core/retry.h"

namespace payops::service {
namespace {

using store::OutboxOutcome;

// Acknowledgements answer the customer's mail; the desk's notices to staff
// are generated; a reply written by a person carries no Auto-Submitted.
std::string AutoSubmittedOf(std::string_view event) {
  if (event == "ticket_created") return "auto-replied";
  if (event == "public_reply") return "";
  return "auto-generated";
}

OutboxOutcome Failure(const store::OutboxMessage& m, const Error& e, bool permanent,
                      const DeliveryPolicy& p, Instant now) {
  OutboxOutcome o;
  o.id = m.id;
  o.at = now;
  o.error = e.message;
  const int64_t made = m.attempts + 1;
  const bool dead = permanent || made >= p.max_attempts;
  o.kind = dead ? OutboxOutcome::Kind::kDead : OutboxOutcome::Kind::kFailed;
  o.next_attempt_at = dead ? now : now + RetryDelay(made, p.retry_base, p.retry_max);
  return o;
}

// Claims a batch of `kind`, runs `send` on each row while the lease holds,
// and records the outcomes in one commit.
template <class SendFn>
Result<int> DeliverBatch(Env& env, std::string_view kind, const DeliveryPolicy& p,
                         std::string_view worker, SendFn&& send) {
  const Instant now = env.clock.Now();
  const Instant lease_now = env.LeaseClock().Now();
  bool due = false;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(due, store::OutboxHasDue(tx, kind, now, lease_now));
    return Status::Ok();
  }));
  if (!due) return 0;
  const Instant lease_until = lease_now + p.lease;
  std::vector<store::OutboxMessage> rows;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(
        rows, store::ClaimOutbox(tx, kind, now, lease_now, lease_until, worker, p.batch));
    return Status::Ok();
  }));
  std::vector<OutboxOutcome> outcomes;
  outcomes.reserve(rows.size());
  int attempted = 0;
  for (const store::OutboxMessage& m : rows) {
    const Instant at = env.clock.Now();
    // A row whose lease is about to end goes back rather than risk a second
    // sender taking it while this one still sends.
    if (env.LeaseClock().Now() + p.lease / 5 > lease_until) {
      outcomes.push_back({m.id, OutboxOutcome::Kind::kReleased, at, {}, {}, at});
      continue;
    }
    ++attempted;
    outcomes.push_back(send(m, at));
  }
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    for (const OutboxOutcome& o : outcomes) {
      PAYOPS_ASSIGN_OR_RETURN(bool held, store::FinishOutbox(tx, worker, o));
      if (!held) spdlog::warn("msg=\"outbox lease lost before the outcome\" id={}", o.id);
    }
    return Status::Ok();
  }));
  return attempted;
}

}  // namespace

Result<std::string> BuildOutboundMime(const MailSettings& settings, const mail::Mailbox& from,
                                      const store::OutboxMessage& m, Instant now) {
  mail::MimeMail mm;
  mm.from = from;
  mm.reply_to = from;
  mm.to = {{"", m.to_address}};
  mm.subject = m.subject;
  const std::string ticket = m.ticket_id.value_or("");
  mm.message_id =
      m.message_id ? *m.message_id : mail::OutboundMessageId(ticket, m.id, settings.domain);
  if (!ticket.empty()) {
    mm.in_reply_to = {mail::TicketThreadId(ticket, settings.domain)};
    mm.references = mm.in_reply_to;
  }
  mm.date = now;
  mm.auto_submitted = AutoSubmittedOf(m.event);
  mm.text = m.body;
  mm.html = m.html_body.value_or("");
  mm.boundary_seed = m.id;
  if (m.attachment_name && m.attachment_type && m.attachment_body) {
    mm.attachments.push_back({*m.attachment_name, *m.attachment_type, *m.attachment_body});
  }
  return mail::BuildMime(mm);
}

Result<int> DeliverEmails(Env& env, adapters::MailSender& sender, const DeliveryPolicy& p,
                          std::string_view worker) {
  PAYOPS_ASSIGN_OR_RETURN(mail::Mailbox from, mail::ParseMailbox(env.mail.from));
  return DeliverBatch(
      env, "email", p, worker, [&](const store::OutboxMessage& m, Instant at) -> OutboxOutcome {
        auto mime = BuildOutboundMime(env.mail, from, m, at);
        if (!mime.ok()) return Failure(m, mime.error(), true, p, at);
        adapters::Envelope e{from.address, {m.to_address}, std::move(*mime)};
        Status sent = sender.Send(e);
        if (!sent.ok()) {
          const bool permanent =
              sent.error().kind == ErrorKind::kRefused || sent.error().kind == ErrorKind::kInvalid;
          OutboxOutcome o = Failure(m, sent.error(), permanent, p, at);
          spdlog::log(
              o.kind == OutboxOutcome::Kind::kDead ? spdlog::level::warn : spdlog::level::info,
              "msg=\"email not sent\" id={} attempt={} dead={} error=\"{}\"", m.id, m.attempts + 1,
              o.kind == OutboxOutcome::Kind::kDead, sent.error().message);
          return o;
        }
        OutboxOutcome o;
        o.id = m.id;
        o.kind = OutboxOutcome::Kind::kSent;
        o.at = at;
        o.message_id =
            m.message_id ? *m.message_id
                         : mail::OutboundMessageId(m.ticket_id.value_or(""), m.id, env.mail.domain);
        return o;
      });
}

std::string PagerDutyBody(const Env& env, const PagingSettings& paging,
                          const store::OutboxMessage& m) {
  namespace json = boost::json;
  const bool resolve = m.event == "page_resolve";
  json::object o{{"routing_key", paging.routing_key},
                 {"event_action", resolve ? "resolve" : "trigger"},
                 {"dedup_key", m.ticket_id.value_or(m.id)}};
  if (!resolve) {
    std::string summary = mail::OneLine(m.subject + " — " + m.body);
    if (summary.size() > 1024) summary.resize(1024);
    o["payload"] =
        json::object{{"summary", summary}, {"source", paging.source}, {"severity", "critical"}};
    if (m.ticket_id) {
      o["links"] = json::array{json::object{
          {"href", env.desk.base_url + "/#/tickets/" + *m.ticket_id}, {"text", m.subject}}};
    }
  }
  return json::serialize(o);
}

Result<int> DeliverPages(Env& env, adapters::HttpPoster& poster, const PagingSettings& paging,
                         const DeliveryPolicy& p, std::string_view worker) {
  return DeliverBatch(
      env, "page", p, worker, [&](const store::OutboxMessage& m, Instant at) -> OutboxOutcome {
        auto reply = poster.Post(paging.url, {"Content-Type: application/json"},
                                 PagerDutyBody(env, paging, m), p.http_timeout_ms);
        if (!reply.ok()) return Failure(m, reply.error(), false, p, at);
        if (reply->status >= 200 && reply->status < 300) {
          OutboxOutcome o;
          o.id = m.id;
          o.kind = OutboxOutcome::Kind::kSent;
          o.at = at;
          return o;
        }
        // 429 and 5xx are worth retrying; any other answer will not change.
        const bool permanent = reply->status != 429 && reply->status < 500;
        return Failure(
            m,
            Error::Unavailable("paging endpoint answered " + std::to_string(reply->status) + ": " +
                               mail::OneLine(reply->body.substr(0, 200))),
            permanent, p, at);
      });
}

}  // namespace payops::service
