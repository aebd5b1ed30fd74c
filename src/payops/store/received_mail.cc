#include "payops/store/received_mail.h"

namespace payops::store {

Result<std::optional<std::string>> FindReceivedMail(Tx& tx, const std::string& key) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT ticket_id FROM received_mail WHERE mail_key = ?", {key}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

Status InsertReceivedMail(Tx& tx, const std::string& key, const std::string& ticket_id,
                          Instant received_at) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO received_mail (mail_key, ticket_id, received_at) VALUES (?, ?, ?)",
              {key, ticket_id, ToMicros(received_at)}));
  return Status::Ok();
}

Result<int64_t> DeleteReceivedMailBefore(Tx& tx, Instant cutoff) {
  return tx.Exec("DELETE FROM received_mail WHERE received_at < ?", {ToMicros(cutoff)});
}

}  // namespace payops::store
