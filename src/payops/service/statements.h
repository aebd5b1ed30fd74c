// Monthly statements (SPEC §3.4, §3.7) and billing disputes (SPEC §3.1).
//
// Every posting adds itself to the org's monthly aggregates in the same
// transaction (RecordPosting), so a statement reads a few aggregate rows
// whatever the month's volume; the figures are sums of the ledger's entries
// (tests/service/statement_test.cc ties them out). A statement is issued once
// per org and month (by the monthly job, or on first read once the month has
// ended) and never changes: corrections issued from a billing ticket become
// lines of the org's next statement.
#pragma once

#include "payops/core/statement.h"
#include "payops/service/env.h"
#include "payops/store/statements.h"

namespace payops::service {

// Inside the posting's transaction: adds `p` (of the org, in the transaction's
// `corridor`, at `at`) to its monthly aggregate. Deposits add nothing.
Status RecordPosting(store::Tx& tx, const std::string& org_id, const std::string& corridor,
                     const Posting& p, Instant at);

struct StatementView {
  store::StatementRecord record;
  std::string org_name;
  std::vector<statement::Line> lines;
  std::vector<statement::Totals> totals;
  bool issued_now = false;  // this call issued it
  std::string Csv() const;
};

// Issues the org's statement of `month` (inside the caller's transaction), or
// returns the one issued before unchanged. Queues the email with the CSV to
// each of the org's billing contacts when it issues. kRefused
// "month_not_ended" when the month has not ended at env.clock.Now().
Result<StatementView> IssueStatement(Env& env, store::Tx& tx, const std::string& org_id,
                                     statement::Month month, const std::string& issued_by);

// The statement of the org for "YYYY-MM": partners read their own org's only
// (another org's: 404); staff (not EMI) name the org. Issued on first read if
// the monthly job has not issued it yet. Errors: invalid_month (400),
// month_not_ended (422), missing_field org_id.
Result<StatementView> GetMonthlyStatement(Env& env, const Actor& actor,
                                          const std::optional<std::string>& org_id,
                                          const std::string& month);

// The org's issued statements, newest first (at most 120), with totals.
Result<std::vector<StatementView>> ListStatements(Env& env, const Actor& actor,
                                                  const std::optional<std::string>& org_id);

// The monthly job: issues last month's statement (the month before `at`'s New
// York month) for every org that existed before that month ended. Returns the
// number issued.
Result<int> IssueMonthlyStatements(Env& env, Instant at);

// ---- Billing disputes ----

// Checks that the statement belongs to the ticket's org and names its lines,
// then records the reference (inside the ticket's creation). Errors (422,
// field statement_id / line_ids): statement_not_found, unknown_line,
// category_not_billing (only billing and report tickets name a statement).
Status LinkTicketStatement(store::Tx& tx, const std::string& ticket_id,
                           const std::optional<std::string>& org_id, const std::string& category,
                           const std::string& statement_id,
                           const std::vector<std::string>& line_ids);

struct DisputedStatement {
  store::StatementRecord record;
  std::vector<statement::Line> lines;  // the named lines (all lines when none named)
  std::vector<store::CorrectionRecord> corrections;
};
// The statement a ticket names, if any (inside a read of the ticket).
Result<std::optional<DisputedStatement>> TicketStatement(store::Tx& tx,
                                                         const std::string& ticket_id);

struct NewCorrection {
  int64_t amount = 0;  // signed minor units; negative credits the org
  std::string currency;
  std::string reason;
  std::optional<std::string> line_id;  // a line of the statement the ticket names
};
// Staff (admin, agent, ops manager) issue a correction from a billing or
// report ticket of an org: it waits for the org's next statement and is
// recorded in the ticket's history. Errors: 403 for others, 404 ticket,
// 422 invalid_value / category_not_billing / unknown_line.
Result<store::CorrectionRecord> IssueCorrection(Env& env, const Actor& actor,
                                                const std::string& ticket_id,
                                                const NewCorrection& in);

}  // namespace payops::service
