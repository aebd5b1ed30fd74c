#include "payops/store/statements.h"

#include <boost/json.hpp>

namespace payops::store {
namespace {

constexpr const char* kStatementColumns = "id, org_id, month, issued_at, issued_by";
constexpr const char* kCorrectionColumns =
    "c.id, c.org_id, c.ticket_id, c.statement_id, c.line_id, c.currency, c.amount, c.reason, "
    "c.created_by, c.created_at, c.applied_statement_id, t.number, s.month";
constexpr const char* kCorrectionJoins =
    " FROM statement_corrections c LEFT JOIN tickets t ON t.id = c.ticket_id "
    "LEFT JOIN statements s ON s.id = c.statement_id";

StatementRecord StatementFromRow(const Row& r) {
  return StatementRecord{r.Text(0), r.Text(1), r.Text(2), FromMicros(r.Int(3)), r.Text(4)};
}

CorrectionRecord CorrectionFromRow(const Row& r) {
  CorrectionRecord c;
  c.id = r.Text(0);
  c.org_id = r.Text(1);
  c.ticket_id = r.OptText(2);
  c.statement_id = r.OptText(3);
  c.line_id = r.OptText(4);
  c.currency = r.Text(5);
  c.amount = r.Int(6);
  c.reason = r.Text(7);
  c.created_by = r.Text(8);
  c.created_at = FromMicros(r.Int(9));
  c.applied_statement_id = r.OptText(10);
  c.ticket_number = r.OptInt(11);
  c.statement_month = r.OptText(12);
  return c;
}

constexpr const char* kUpsertAggregate =
    "INSERT INTO monthly_aggregates (org_id, month, section, currency, corridor, fee, count, "
    "volume, fee_total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (org_id, month, section, currency, corridor, fee) DO UPDATE SET "
    "count = monthly_aggregates.count + excluded.count, "
    "volume = monthly_aggregates.volume + excluded.volume, "
    "fee_total = monthly_aggregates.fee_total + excluded.fee_total";

}  // namespace

Status AddToMonthlyAggregate(Tx& tx, const std::string& org_id, const std::string& month,
                             const statement::AggregateDelta& d, const std::string& corridor) {
  PAYOPS_TRY(
      tx.Exec(kUpsertAggregate, {org_id, month, std::string(statement::SectionName(d.section)),
                                 d.currency, corridor, d.fee, int64_t{1}, d.volume, d.fee}));
  return Status::Ok();
}

Status AddToMonthlyAggregateN(Tx& tx, const std::string& org_id, const std::string& month,
                              const statement::Aggregate& a) {
  PAYOPS_TRY(
      tx.Exec(kUpsertAggregate, {org_id, month, std::string(statement::SectionName(a.section)),
                                 a.currency, a.corridor, a.fee, a.count, a.volume, a.fee_total}));
  return Status::Ok();
}

Result<std::vector<statement::Aggregate>> MonthlyAggregates(Tx& tx, const std::string& org_id,
                                                            const std::string& month) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query("SELECT section, currency, corridor, fee, count, volume, fee_total "
                          "FROM monthly_aggregates WHERE org_id = ? AND month = ?",
                          {org_id, month}));
  std::vector<statement::Aggregate> out;
  for (const Row& r : rows) {
    PAYOPS_ASSIGN_OR_RETURN(statement::Section s, statement::ParseSection(r.Text(0)));
    out.push_back(
        statement::Aggregate{s, r.Text(1), r.Text(2), r.Int(3), r.Int(4), r.Int(5), r.Int(6)});
  }
  return out;
}

Status InsertStatement(Tx& tx, const StatementRecord& s,
                       const std::vector<statement::Line>& lines) {
  PAYOPS_TRY(tx.Exec(
      std::string("INSERT INTO statements (") + kStatementColumns + ") VALUES (?, ?, ?, ?, ?)",
      {s.id, s.org_id, s.month, ToMicros(s.issued_at), s.issued_by}));
  for (const statement::Line& l : lines) {
    PAYOPS_TRY(tx.Exec(
        "INSERT INTO statement_lines (id, statement_id, seq, section, currency, corridor, count, "
        "volume, fee, fee_total, amount, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {l.id, s.id, l.seq, std::string(statement::SectionName(l.section)), l.currency, l.corridor,
         l.count, l.volume, l.fee, l.fee_total, l.amount, l.description}));
  }
  return Status::Ok();
}

Result<std::optional<StatementRecord>> FindStatement(Tx& tx, const std::string& org_id,
                                                     const std::string& month) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kStatementColumns +
                                                    " FROM statements WHERE org_id = ? AND "
                                                    "month = ?",
                                                {org_id, month}));
  if (!row) return std::optional<StatementRecord>();
  return std::optional<StatementRecord>(StatementFromRow(*row));
}

Result<std::optional<StatementRecord>> FindStatementById(Tx& tx, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kStatementColumns +
                                                    " FROM statements WHERE id = ?",
                                                {id}));
  if (!row) return std::optional<StatementRecord>();
  return std::optional<StatementRecord>(StatementFromRow(*row));
}

Result<std::vector<statement::Line>> StatementLines(Tx& tx, const std::string& statement_id) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows,
      tx.Query("SELECT id, seq, section, currency, corridor, count, volume, fee, fee_total, "
               "amount, description FROM statement_lines WHERE statement_id = ? ORDER BY seq",
               {statement_id}));
  std::vector<statement::Line> out;
  for (const Row& r : rows) {
    statement::Line l;
    l.id = r.Text(0);
    l.seq = r.Int(1);
    PAYOPS_ASSIGN_OR_RETURN(l.section, statement::ParseSection(r.Text(2)));
    l.currency = r.Text(3);
    l.corridor = r.Text(4);
    l.count = r.Int(5);
    l.volume = r.Int(6);
    l.fee = r.Int(7);
    l.fee_total = r.Int(8);
    l.amount = r.Int(9);
    l.description = r.Text(10);
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<StatementRecord>> ListStatements(Tx& tx, const std::string& org_id, int limit) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query(std::string("SELECT ") + kStatementColumns +
                              " FROM statements WHERE org_id = ? ORDER BY month DESC LIMIT ?",
                          {org_id, int64_t{limit}}));
  std::vector<StatementRecord> out;
  for (const Row& r : rows) out.push_back(StatementFromRow(r));
  return out;
}

Status InsertCorrection(Tx& tx, const CorrectionRecord& c) {
  PAYOPS_TRY(tx.Exec(
      "INSERT INTO statement_corrections (id, org_id, ticket_id, statement_id, line_id, currency, "
      "amount, reason, created_by, created_at, applied_statement_id) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {c.id, c.org_id, Opt(c.ticket_id), Opt(c.statement_id), Opt(c.line_id), c.currency, c.amount,
       c.reason, c.created_by, ToMicros(c.created_at), Opt(c.applied_statement_id)}));
  return Status::Ok();
}

Result<std::vector<CorrectionRecord>> PendingCorrections(Tx& tx, const std::string& org_id,
                                                         Instant before) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows,
                          tx.Query(std::string("SELECT ") + kCorrectionColumns + kCorrectionJoins +
                                       " WHERE c.org_id = ? AND c.applied_statement_id IS NULL AND "
                                       "c.created_at < ? ORDER BY c.id",
                                   {org_id, ToMicros(before)}));
  std::vector<CorrectionRecord> out;
  for (const Row& r : rows) out.push_back(CorrectionFromRow(r));
  return out;
}

Status MarkCorrectionsApplied(Tx& tx, const std::vector<std::string>& ids,
                              const std::string& statement_id) {
  for (const std::string& id : ids) {
    PAYOPS_TRY(tx.Exec("UPDATE statement_corrections SET applied_statement_id = ? WHERE id = ?",
                       {statement_id, id}));
  }
  return Status::Ok();
}

Result<std::vector<CorrectionRecord>> TicketCorrections(Tx& tx, const std::string& ticket_id) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows,
                          tx.Query(std::string("SELECT ") + kCorrectionColumns + kCorrectionJoins +
                                       " WHERE c.ticket_id = ? ORDER BY c.id",
                                   {ticket_id}));
  std::vector<CorrectionRecord> out;
  for (const Row& r : rows) out.push_back(CorrectionFromRow(r));
  return out;
}

Status InsertTicketStatement(Tx& tx, const TicketStatementRef& r) {
  boost::json::array ids;
  for (const auto& id : r.line_ids) ids.emplace_back(id);
  PAYOPS_TRY(
      tx.Exec("INSERT INTO ticket_statements (ticket_id, statement_id, line_ids) VALUES (?, ?, ?)",
              {r.ticket_id, r.statement_id, boost::json::serialize(ids)}));
  return Status::Ok();
}

Result<std::optional<TicketStatementRef>> FindTicketStatement(Tx& tx,
                                                              const std::string& ticket_id) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT ticket_id, statement_id, line_ids FROM ticket_statements "
                            "WHERE ticket_id = ?",
                            {ticket_id}));
  if (!row) return std::optional<TicketStatementRef>();
  TicketStatementRef r{row->Text(0), row->Text(1), {}};
  boost::system::error_code ec;
  auto v = boost::json::parse(row->Text(2), ec);
  if (!ec && v.is_array()) {
    for (const auto& id : v.as_array()) {
      if (id.is_string()) r.line_ids.emplace_back(id.as_string());
    }
  }
  return std::optional<TicketStatementRef>(std::move(r));
}

}  // namespace payops::store
