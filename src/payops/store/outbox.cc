#include "payops/store/outbox.h"

#include <algorithm>

#include "payops/core/validate.h"

namespace payops::store {
namespace {

constexpr const char* kColumns =
    "id, kind, event, to_address, to_member_id, subject, body, ticket_id, status, attempts, "
    "created_at, sent_at, html_body, message_id, next_attempt_at, last_error, attachment_name, "
    "attachment_type, attachment_body";

OutboxMessage FromRow(const Row& r) {
  OutboxMessage m;
  m.id = r.Text(0);
  m.kind = r.Text(1);
  m.event = r.Text(2);
  m.to_address = r.Text(3);
  m.to_member_id = r.OptText(4);
  m.subject = r.Text(5);
  m.body = r.Text(6);
  m.ticket_id = r.OptText(7);
  m.status = r.Text(8);
  m.attempts = r.Int(9);
  m.created_at = FromMicros(r.Int(10));
  m.sent_at_us = r.OptInt(11);
  m.html_body = r.OptText(12);
  m.message_id = r.OptText(13);
  m.next_attempt_at_us = r.Int(14);
  m.last_error = r.OptText(15);
  m.attachment_name = r.OptText(16);
  m.attachment_type = r.OptText(17);
  m.attachment_body = r.OptText(18);
  return m;
}

}  // namespace

Status InsertOutbox(Tx& tx, const OutboxMessage& m) {
  PAYOPS_TRY(tx.Exec(
      "INSERT INTO outbox (id, kind, event, to_address, to_address_lc, to_member_id, "
      "subject, body, ticket_id, status, attempts, created_at, sent_at, html_body, message_id, "
      "next_attempt_at, attachment_name, attachment_type, attachment_body, last_error) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {m.id,
       m.kind,
       m.event,
       m.to_address,
       ToLowerAscii(m.to_address),
       Opt(m.to_member_id),
       m.subject,
       m.body,
       Opt(m.ticket_id),
       m.status,
       m.attempts,
       ToMicros(m.created_at),
       Opt(m.sent_at_us),
       Opt(m.html_body),
       Opt(m.message_id),
       m.next_attempt_at_us,
       Opt(m.attachment_name),
       Opt(m.attachment_type),
       Opt(m.attachment_body),
       Opt(m.last_error)}));
  return Status::Ok();
}

Result<Page<OutboxMessage>> ListOutbox(Tx& tx, const OutboxFilter& f, const PageRequest& page) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM outbox WHERE id > ?";
  std::vector<Value> params{page.after_id.value_or("")};
  if (f.to) {
    sql += " AND to_address_lc = ?";
    params.emplace_back(ToLowerAscii(*f.to));
  }
  if (f.ticket_id) {
    sql += " AND ticket_id = ?";
    params.emplace_back(*f.ticket_id);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  return ToPage<OutboxMessage>(rows, page.limit, FromRow);
}

Result<bool> OutboxHasDue(Tx& tx, std::string_view kind, Instant now, Instant lease_now) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT id FROM outbox WHERE kind = ? AND status IN ('queued', "
                            "'failed') AND next_attempt_at <= ? AND (lease_until IS NULL OR "
                            "lease_until < ?) LIMIT 1",
                            {std::string(kind), ToMicros(now), ToMicros(lease_now)}));
  return row.has_value();
}

Result<std::vector<OutboxMessage>> ClaimOutbox(Tx& tx, std::string_view kind, Instant now,
                                               Instant lease_now, Instant lease_until,
                                               std::string_view worker, int limit) {
  if (limit < 1 || limit > kMaxOutboxClaim) {
    return Error::Internal("outbox claim limit out of range");
  }
  std::string sql =
      "UPDATE outbox SET lease_until = ?, leased_by = ? WHERE id IN (SELECT id FROM outbox "
      "WHERE kind = ? AND status IN ('queued', 'failed') AND next_attempt_at <= ? AND "
      "(lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?";
  // Concurrent claims on PostgreSQL pass over each other's rows instead of
  // waiting for them.
  if (tx.dialect() == Dialect::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
  sql += std::string(") RETURNING ") + kColumns;
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query(sql, {ToMicros(lease_until), std::string(worker), std::string(kind),
                                ToMicros(now), ToMicros(lease_now), int64_t{limit}}));
  std::vector<OutboxMessage> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(FromRow(r));
  std::sort(out.begin(), out.end(), [](const OutboxMessage& a, const OutboxMessage& b) {
    return a.next_attempt_at_us != b.next_attempt_at_us
               ? a.next_attempt_at_us < b.next_attempt_at_us
               : a.id < b.id;
  });
  return out;
}

Result<bool> FinishOutbox(Tx& tx, std::string_view worker, const OutboxOutcome& o) {
  using K = OutboxOutcome::Kind;
  Result<int64_t> changed = int64_t{0};
  switch (o.kind) {
    case K::kSent:
      changed = tx.Exec(
          "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, message_id = "
          "COALESCE(?, message_id), last_error = NULL, lease_until = NULL, leased_by = NULL "
          "WHERE id = ? AND leased_by = ?",
          {ToMicros(o.at), Opt(o.message_id), o.id, std::string(worker)});
      break;
    case K::kFailed:
    case K::kDead:
      changed = tx.Exec(
          "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, "
          "next_attempt_at = ?, lease_until = NULL, leased_by = NULL WHERE id = ? AND "
          "leased_by = ?",
          {std::string(o.kind == K::kDead ? "dead" : "failed"), o.error.substr(0, 1000),
           ToMicros(o.next_attempt_at), o.id, std::string(worker)});
      break;
    case K::kReleased:
      changed = tx.Exec(
          "UPDATE outbox SET lease_until = NULL, leased_by = NULL WHERE id = ? AND leased_by = ?",
          {o.id, std::string(worker)});
      break;
  }
  if (!changed.ok()) return changed.take_error();
  return *changed == 1;
}

Result<int64_t> CountOutboxBacklog(Tx& tx, Instant now, int64_t cap) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE status IN "
                            "('queued', 'failed') AND next_attempt_at <= ? LIMIT ?) AS due",
                            {ToMicros(now), cap}));
  return row ? row->Int(0) : 0;
}

Result<int64_t> CountWaitingOutbox(Tx& tx, int64_t cap) {
  PAYOPS_ASSIGN_OR_RETURN(auto row,
                          tx.QueryOne("SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE status IN "
                                      "('queued', 'failed') LIMIT ?) AS waiting",
                                      {cap}));
  return row ? row->Int(0) : 0;
}

}  // namespace payops::store
