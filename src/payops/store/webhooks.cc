#include "payops/store/webhooks.h"

#include <algorithm>
#include <sstream>

namespace payops::store {
namespace {

constexpr const char* kWebhookColumns =
    "id, url, events, secret, status, created_by, created_at, disabled_at, disabled_reason";
constexpr const char* kDeliveryColumns =
    "id, webhook_id, event_id, event_type, body, status, attempts, next_attempt_at, last_error, "
    "last_status_code, created_at, delivered_at";

std::string JoinEvents(const std::vector<std::string>& events) {
  std::string out;
  for (const auto& e : events) out += (out.empty() ? "" : " ") + e;
  return out;
}

std::vector<std::string> SplitEvents(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string e;
  while (in >> e) out.push_back(e);
  return out;
}

Webhook WebhookFromRow(const Row& r) {
  Webhook w;
  w.id = r.Text(0);
  w.url = r.Text(1);
  w.events = SplitEvents(r.Text(2));
  w.secret = r.Text(3);
  w.status = r.Text(4);
  w.created_by = r.OptText(5);
  w.created_at = FromMicros(r.Int(6));
  w.disabled_at_us = r.OptInt(7);
  w.disabled_reason = r.OptText(8);
  return w;
}

WebhookDelivery DeliveryFromRow(const Row& r) {
  WebhookDelivery d;
  d.id = r.Text(0);
  d.webhook_id = r.Text(1);
  d.event_id = r.Text(2);
  d.event_type = r.Text(3);
  d.body = r.Text(4);
  d.status = r.Text(5);
  d.attempts = r.Int(6);
  d.next_attempt_at_us = r.Int(7);
  d.last_error = r.OptText(8);
  d.last_status_code = r.OptInt(9);
  d.created_at = FromMicros(r.Int(10));
  d.delivered_at_us = r.OptInt(11);
  return d;
}

}  // namespace

Status InsertWebhook(Tx& tx, const Webhook& w) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO webhooks (id, url, events, secret, status, created_by, "
              "created_at, disabled_at, disabled_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {w.id, w.url, JoinEvents(w.events), w.secret, w.status, Opt(w.created_by),
               ToMicros(w.created_at), Opt(w.disabled_at_us), Opt(w.disabled_reason)}));
  return Status::Ok();
}

Result<std::optional<Webhook>> FindWebhook(Tx& tx, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne(std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE id = ?", {id}));
  if (!row) return std::optional<Webhook>();
  return std::optional<Webhook>(WebhookFromRow(*row));
}

Result<Page<Webhook>> ListWebhooks(Tx& tx, const PageRequest& page) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query(std::string("SELECT ") + kWebhookColumns +
                              " FROM webhooks WHERE status <> 'deleted' AND id > ? ORDER BY id "
                              "LIMIT ?",
                          {page.after_id.value_or(""), int64_t{page.limit + 1}}));
  return ToPage<Webhook>(rows, page.limit, WebhookFromRow);
}

Result<std::vector<Webhook>> ActiveWebhooks(Tx& tx, int limit) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows,
                          tx.Query(std::string("SELECT ") + kWebhookColumns +
                                       " FROM webhooks WHERE status = 'active' ORDER BY id LIMIT ?",
                                   {int64_t{limit}}));
  std::vector<Webhook> out;
  for (const Row& r : rows) out.push_back(WebhookFromRow(r));
  return out;
}

Result<int64_t> CountLiveWebhooks(Tx& tx) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT COUNT(*) FROM webhooks WHERE status <> 'deleted'", {}));
  return row ? row->Int(0) : 0;
}

Status RetireWebhook(Tx& tx, const std::string& id, std::string_view status, Instant at,
                     std::string_view reason) {
  PAYOPS_TRY(
      tx.Exec("UPDATE webhooks SET status = ?, disabled_at = ?, disabled_reason = ? WHERE id = ?",
              {std::string(status), ToMicros(at), std::string(reason), id}));
  PAYOPS_TRY(tx.Exec(
      "UPDATE webhook_deliveries SET status = 'canceled', lease_until = NULL, leased_by = NULL "
      "WHERE webhook_id = ? AND status IN ('queued', 'failed')",
      {id}));
  return Status::Ok();
}

Status InsertWebhookDelivery(Tx& tx, const WebhookDelivery& d) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, body, "
              "status, attempts, next_attempt_at, created_at, last_error) VALUES (?, ?, ?, ?, "
              "?, ?, ?, ?, ?, ?)",
              {d.id, d.webhook_id, d.event_id, d.event_type, d.body, d.status, d.attempts,
               d.next_attempt_at_us, ToMicros(d.created_at), Opt(d.last_error)}));
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, int64_t>>> CountWaitingDeliveriesByEndpoint(Tx& tx) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query("SELECT webhook_id, COUNT(*) FROM webhook_deliveries WHERE status IN "
                          "('queued', 'failed') GROUP BY webhook_id",
                          {}));
  std::vector<std::pair<std::string, int64_t>> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.emplace_back(r.Text(0), r.Int(1));
  return out;
}

Result<int64_t> CountWaitingDeliveries(Tx& tx, const std::optional<std::string>& webhook_id,
                                       int64_t cap) {
  std::string sql =
      "SELECT COUNT(*) FROM (SELECT 1 FROM webhook_deliveries WHERE status IN ('queued', "
      "'failed')";
  std::vector<Value> params;
  if (webhook_id) {
    sql += " AND webhook_id = ?";
    params.emplace_back(*webhook_id);
  }
  sql += " LIMIT ?) AS waiting";
  params.emplace_back(cap);
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  return rows.empty() ? 0 : rows[0].Int(0);
}

Result<Page<WebhookDelivery>> ListWebhookDeliveries(Tx& tx, const std::string& webhook_id,
                                                    const PageRequest& page) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query(std::string("SELECT ") + kDeliveryColumns +
                              " FROM webhook_deliveries WHERE webhook_id = ? AND id > ? ORDER BY "
                              "id LIMIT ?",
                          {webhook_id, page.after_id.value_or(""), int64_t{page.limit + 1}}));
  return ToPage<WebhookDelivery>(rows, page.limit, DeliveryFromRow);
}

Result<std::vector<WebhookAttempt>> ListWebhookAttempts(Tx& tx,
                                                        const std::vector<std::string>& ids) {
  std::vector<WebhookAttempt> out;
  if (ids.empty()) return out;
  std::string sql =
      "SELECT delivery_id, attempt, at, status_code, error, duration_ms FROM webhook_attempts "
      "WHERE delivery_id IN (";
  std::vector<Value> params;
  for (size_t i = 0; i < ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.emplace_back(ids[i]);
  }
  sql += ") ORDER BY delivery_id, attempt";
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  for (const Row& r : rows) {
    out.push_back({r.Text(0), r.Int(1), FromMicros(r.Int(2)), r.OptInt(3), r.OptText(4), r.Int(5)});
  }
  return out;
}

Result<bool> WebhookDeliveryDue(Tx& tx, Instant now, Instant lease_now) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne("SELECT id FROM webhook_deliveries WHERE status IN ('queued', 'failed') AND "
                  "next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) LIMIT 1",
                  {ToMicros(now), ToMicros(lease_now)}));
  return row.has_value();
}

Result<std::vector<WebhookDelivery>> ClaimWebhookDeliveries(Tx& tx, Instant now, Instant lease_now,
                                                            Instant lease_until,
                                                            std::string_view worker, int limit) {
  std::string sql =
      "UPDATE webhook_deliveries SET lease_until = ?, leased_by = ? WHERE id IN (SELECT id FROM "
      "webhook_deliveries WHERE status IN ('queued', 'failed') AND next_attempt_at <= ? AND "
      "(lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?";
  if (tx.dialect() == Dialect::kPostgres) sql += " FOR UPDATE SKIP LOCKED";
  sql += std::string(") RETURNING ") + kDeliveryColumns;
  PAYOPS_ASSIGN_OR_RETURN(Rows rows,
                          tx.Query(sql, {ToMicros(lease_until), std::string(worker), ToMicros(now),
                                         ToMicros(lease_now), int64_t{limit}}));
  std::vector<WebhookDelivery> out;
  for (const Row& r : rows) out.push_back(DeliveryFromRow(r));
  std::sort(out.begin(), out.end(), [](const WebhookDelivery& a, const WebhookDelivery& b) {
    return a.next_attempt_at_us != b.next_attempt_at_us
               ? a.next_attempt_at_us < b.next_attempt_at_us
               : a.id < b.id;
  });
  return out;
}

Result<bool> FinishWebhookDelivery(Tx& tx, std::string_view worker, const WebhookOutcome& o) {
  Result<int64_t> changed = int64_t{0};
  if (!o.attempt && o.status == "canceled") {
    changed = tx.Exec(
        "UPDATE webhook_deliveries SET status = 'canceled', lease_until = NULL, leased_by = NULL "
        "WHERE id = ? AND leased_by = ?",
        {o.delivery_id, std::string(worker)});
  } else if (!o.attempt) {
    changed = tx.Exec(
        "UPDATE webhook_deliveries SET lease_until = NULL, leased_by = NULL WHERE id = ? AND "
        "leased_by = ?",
        {o.delivery_id, std::string(worker)});
  } else {
    const WebhookAttempt& a = *o.attempt;
    changed = tx.Exec(
        "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, "
        "last_error = ?, last_status_code = ?, delivered_at = ?, lease_until = NULL, "
        "leased_by = NULL WHERE id = ? AND leased_by = ?",
        {o.status, a.attempt, ToMicros(o.next_attempt_at), Opt(a.error), Opt(a.status_code),
         o.status == "delivered" ? Value(ToMicros(a.at)) : Value(Null{}), o.delivery_id,
         std::string(worker)});
  }
  if (!changed.ok()) return changed.take_error();
  if (*changed != 1) return false;
  if (o.attempt) {
    const WebhookAttempt& a = *o.attempt;
    PAYOPS_TRY(
        tx.Exec("INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, "
                "error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
                {a.delivery_id, a.attempt, ToMicros(a.at), Opt(a.status_code), Opt(a.error),
                 a.duration_ms}));
  }
  return true;
}

}  // namespace payops::store
