// Monthly statements: the aggregates kept with every posting, issued
// statements and their lines, corrections, and the statement a ticket names.
#pragma once

#include "payops/core/clock.h"
#include "payops/core/statement.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

// Adds one posting (count 1, volume, fee) to its aggregate row of the org's month.
Status AddToMonthlyAggregate(Tx& tx, const std::string& org_id, const std::string& month,
                             const statement::AggregateDelta& d, const std::string& corridor);
// Adds `count` postings of one row at once (bulk loads, the benchmark).
Status AddToMonthlyAggregateN(Tx& tx, const std::string& org_id, const std::string& month,
                              const statement::Aggregate& a);
// The org's aggregate rows of the month.
Result<std::vector<statement::Aggregate>> MonthlyAggregates(Tx& tx, const std::string& org_id,
                                                            const std::string& month);

struct StatementRecord {
  std::string id;
  std::string org_id;
  std::string month;
  Instant issued_at;
  std::string issued_by;
};

// Inserts the statement and its lines (ids set by the caller). kConflict
// "duplicate" when the org already has a statement for the month.
Status InsertStatement(Tx& tx, const StatementRecord& s, const std::vector<statement::Line>& lines);
Result<std::optional<StatementRecord>> FindStatement(Tx& tx, const std::string& org_id,
                                                     const std::string& month);
Result<std::optional<StatementRecord>> FindStatementById(Tx& tx, const std::string& id);
Result<std::vector<statement::Line>> StatementLines(Tx& tx, const std::string& statement_id);
// The org's statements, newest month first, at most `limit`.
Result<std::vector<StatementRecord>> ListStatements(Tx& tx, const std::string& org_id, int limit);

struct CorrectionRecord {
  std::string id;
  std::string org_id;
  std::optional<std::string> ticket_id;
  std::optional<std::string> statement_id;
  std::optional<std::string> line_id;
  std::string currency;
  int64_t amount = 0;
  std::string reason;
  std::string created_by;
  Instant created_at;
  std::optional<std::string> applied_statement_id;
  // Joined for display: the ticket's number, the named statement's month.
  std::optional<int64_t> ticket_number;
  std::optional<std::string> statement_month;
};
Status InsertCorrection(Tx& tx, const CorrectionRecord& c);
// Corrections of the org not yet on a statement, created before `before`, in id order.
Result<std::vector<CorrectionRecord>> PendingCorrections(Tx& tx, const std::string& org_id,
                                                         Instant before);
Status MarkCorrectionsApplied(Tx& tx, const std::vector<std::string>& ids,
                              const std::string& statement_id);
Result<std::vector<CorrectionRecord>> TicketCorrections(Tx& tx, const std::string& ticket_id);

struct TicketStatementRef {
  std::string ticket_id;
  std::string statement_id;
  std::vector<std::string> line_ids;
};
Status InsertTicketStatement(Tx& tx, const TicketStatementRef& r);
Result<std::optional<TicketStatementRef>> FindTicketStatement(Tx& tx, const std::string& ticket_id);

}  // namespace payops::store
