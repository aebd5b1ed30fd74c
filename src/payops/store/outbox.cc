#include "payops/store/outbox.h"

#include "payops/core/validate.h"

namespace payops::store {

Status InsertOutbox(Tx& tx, const OutboxMessage& m) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO outbox (id, kind, event, to_address, to_address_lc, to_member_id, "
              "subject, body, ticket_id, status, attempts, created_at, sent_at) VALUES (?, ?, ?, "
              "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {m.id, m.kind, m.event, m.to_address, ToLowerAscii(m.to_address), Opt(m.to_member_id),
               m.subject, m.body, Opt(m.ticket_id), m.status, m.attempts, ToMicros(m.created_at),
               Opt(m.sent_at_us)}));
  return Status::Ok();
}

Result<Page<OutboxMessage>> ListOutbox(Tx& tx, const OutboxFilter& f, const PageRequest& page) {
  std::string sql =
      "SELECT id, kind, event, to_address, to_member_id, subject, body, ticket_id, status, "
      "attempts, created_at, sent_at FROM outbox WHERE id > ?";
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
  return ToPage<OutboxMessage>(rows, page.limit, [](const Row& r) {
    return OutboxMessage{
        r.Text(0), r.Text(1),    r.Text(2), r.Text(3), r.OptText(4),          r.Text(5),
        r.Text(6), r.OptText(7), r.Text(8), r.Int(9),  FromMicros(r.Int(10)), r.OptInt(11)};
  });
}

}  // namespace payops::store
