// Monthly statements on both backends: three months of transactions with
// refunds and returns that cross month boundaries, every figure of every
// statement compared with sums over the ledger's entries; a statement never
// changes once issued; plan charges; corrections from a billing ticket land on
// the next statement and in the ticket's history; the CSV is mailed to the
// billing contacts as an attachment; bad months and other orgs are refused.
#include <map>
#include <random>
#include <tuple>

#include "../store/backend.h"
#include "payops/jobs/job_runner.h"
#include "payops/jobs/statement_jobs.h"
#include "payops/service/audit.h"
#include "payops/service/ledger.h"
#include "payops/service/orgs.h"
#include "payops/service/statements.h"
#include "payops/service/tickets.h"
#include "payops/store/outbox.h"

namespace payops::testing {
namespace {

Instant At(const std::string& rfc3339) {
  return *ParseRfc3339(rfc3339);
}

class StatementTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    env_ = std::make_unique<service::Env>(*store_, clock_, /*sandbox_mode=*/true);
    Org o;
    o.name = "Acme";
    o.domain = "acme.example";
    o.sla_plan = "essentials";
    o.hypercare_plan = "pro";
    o.bau_plan = "plus";
    o.go_live_date = "2026-01-20";  // hypercare Pro to 2026-02-17: BAU from March
    o.allowed_countries = {"US", "MX", "GB"};
    o.billing_emails = {"billing@acme.example", "cfo@acme.example"};
    for (const char* dir : {"payin", "payout"}) {
      o.fees.push_back({dir, "USD", "US-MX", std::string(dir) == "payin" ? 150 : 275});
      o.fees.push_back({dir, "USD", "US-GB", std::string(dir) == "payin" ? 90 : 0});
      o.fees.push_back({dir, "EUR", "GB-MX", 120});
    }
    auto org = service::CreateOrg(*env_, Actor::System(), o);
    ASSERT_TRUE(org.ok()) << org.error().message;
    org_ = org->id;
    o.domain = "other.example";
    o.billing_emails = {};
    auto other = service::CreateOrg(*env_, Actor::System(), o);
    ASSERT_TRUE(other.ok());
    other_ = other->id;
  }

  store::TransactionRecord Txn(const std::string& corridor, const std::string& currency,
                               int64_t amount) {
    store::TransactionRecord t;
    t.id = "txn_" + std::to_string(++seq_);
    t.org_id = org_;
    t.amount = amount;
    t.currency = currency;
    t.payout_currency = currency;
    t.corridor = corridor;
    corridor_of_[t.id] = corridor;
    return t;
  }

  void Process(const store::TransactionRecord& t) {
    ASSERT_TRUE(
        store_->Write([&](store::Tx& tx) { return service::PostProcessed(*env_, tx, t); }).ok());
  }
  void Reverse(const store::TransactionRecord& t, PostingKind kind) {
    ASSERT_TRUE(
        store_->Write([&](store::Tx& tx) { return service::PostReversal(*env_, tx, t, kind); })
            .ok());
  }

  using Key = std::tuple<std::string, std::string, std::string>;  // section, currency, corridor
  struct Sums {
    int64_t count = 0, volume = 0, fee_total = 0;
    friend bool operator==(const Sums&, const Sums&) = default;
  };

  // The month's figures straight from ledger_entries: per posting its volume
  // entry and its fee_income entry, the corridor from the transaction.
  std::map<Key, Sums> FromLedger(statement::Month m, std::map<std::string, int64_t>* fees) {
    std::map<Key, Sums> out;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(
                          store::Rows rows,
                          tx.Query("SELECT posting_id, posting_kind, reference, account_id, "
                                   "currency, amount FROM ledger_entries WHERE org_id = ? AND "
                                   "at >= ? AND at < ? ORDER BY posting_id",
                                   {org_, ToMicros(statement::MonthStart(m)),
                                    ToMicros(statement::MonthEnd(m))}));
                      std::map<std::string, std::string> counted;
                      for (const auto& r : rows) {
                        std::string kind = r.Text(1), ref = r.Text(2), account = r.Text(3),
                                    cur = r.Text(4);
                        int64_t amount = r.Int(5);
                        if (kind == "deposit") continue;
                        Key k{kind, cur, corridor_of_[ref]};
                        Sums& s = out[k];
                        if (counted.emplace(r.Text(0), kind).second) ++s.count;
                        const bool payout = kind == "payout";
                        const std::string suffix = account.substr(account.rfind(':') + 1);
                        if ((!payout && suffix == "org") || (payout && suffix == "payout_clearing"))
                          s.volume += amount < 0 ? -amount : amount;
                        if (suffix == "fee_income") {
                          s.fee_total += amount < 0 ? -amount : amount;
                          (*fees)[cur] += amount;
                        }
                      }
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  std::map<Key, Sums> FromStatement(const service::StatementView& v) {
    std::map<Key, Sums> out;
    for (const auto& l : v.lines) {
      if (l.section == statement::Section::kPlanCharge ||
          l.section == statement::Section::kCorrection)
        continue;
      EXPECT_EQ(l.fee_total, l.count * l.fee) << l.description;
      Sums& s = out[Key{std::string(statement::SectionName(l.section)), l.currency, l.corridor}];
      s.count += l.count;
      s.volume += l.volume;
      s.fee_total += l.fee_total;
    }
    return out;
  }

  Result<service::StatementView> Get(const Actor& a, const std::string& month,
                                     std::optional<std::string> org = std::nullopt) {
    return service::GetMonthlyStatement(*env_, a, org ? org : std::optional<std::string>(org_),
                                        month);
  }

  ManualClock clock_{At("2026-01-01T05:00:00Z")};  // 2026-01-01 00:00 New York
  std::unique_ptr<service::Env> env_;
  std::string org_, other_;
  int seq_ = 0;
  std::map<std::string, std::string> corridor_of_;
  Actor admin_{"adm", Role::kAdmin, std::nullopt, "Ada", "", false};
};

TEST_P(StatementTest, ThreeMonthsTieOutToTheLedgerToTheCent) {
  std::mt19937 rng(42);
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"US-MX", "USD"}, {"US-GB", "USD"}, {"GB-MX", "EUR"}};
  std::vector<std::pair<Instant, store::TransactionRecord>> to_reverse;
  // Every 7 hours for 90 days: one processed transaction; a tenth refunded and
  // a tenth returned 2 to 9 days later, so many reversals fall in the next month.
  for (int step = 0; step < 90 * 24 / 7; ++step) {
    clock_.Set(At("2026-01-01T05:00:00Z") + std::chrono::hours(7 * step));
    for (auto it = to_reverse.begin(); it != to_reverse.end();) {
      if (it->first <= clock_.Now()) {
        Reverse(it->second, seq_ % 2 ? PostingKind::kRefund : PostingKind::kReturn);
        it = to_reverse.erase(it);
      } else {
        ++it;
      }
    }
    const auto& [corridor, currency] = kinds[rng() % kinds.size()];
    auto t = Txn(corridor, currency, 1000 + static_cast<int64_t>(rng() % 500000));
    Process(t);
    if (rng() % 5 == 0) {
      to_reverse.emplace_back(clock_.Now() + std::chrono::hours(48 + rng() % 168), t);
    }
  }
  clock_.Set(At("2026-04-02T12:00:00Z"));
  int reversals_in_later_month = 0;
  for (const char* month : {"2026-01", "2026-02", "2026-03"}) {
    auto m = statement::ParseMonth(month).value();
    std::map<std::string, int64_t> ledger_fees;
    auto ledger = FromLedger(m, &ledger_fees);
    auto v = Get(admin_, month);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(FromStatement(*v), ledger) << month;
    for (const auto& t : v->totals) {
      if (ledger_fees.contains(t.currency)) {
        EXPECT_EQ(t.fees, ledger_fees[t.currency]) << month;
      }
    }
    ASSERT_FALSE(ledger.empty());
    for (const auto& [k, s] : ledger) {
      if (std::get<0>(k) == "refund" || std::get<0>(k) == "return") reversals_in_later_month += 1;
    }
  }
  EXPECT_GT(reversals_in_later_month, 3);
}

TEST_P(StatementTest, IssuedOnceNeverChangesAndCarriesPlanChargesAndCorrections) {
  clock_.Set(At("2026-01-21T15:00:00Z"));
  auto t = Txn("US-MX", "USD", 10'000);
  Process(t);
  // The month has not ended; a malformed month; another org for a partner.
  auto early = Get(admin_, "2026-01");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "month_not_ended");
  EXPECT_EQ(Get(admin_, "2026-13").error().code, "invalid_month");
  EXPECT_EQ(Get(admin_, "26-01").error().code, "invalid_month");
  clock_.Set(At("2026-02-01T05:00:00Z"));  // February 1st 00:00 in New York
  // The monthly job issues January for both orgs.
  jobs::JobRunner runner(*env_);
  runner.Register(jobs::MakeMonthlyStatementJob());
  clock_.Set(At("2026-01-31T12:00:00Z"));
  ASSERT_TRUE(runner.RunDue(At("2026-02-01T06:00:00Z"), &clock_).ok());
  EXPECT_EQ(Count(*store_, "statements"), 2);
  Actor partner{"p1", Role::kPartner, org_, "Pat", "", false};
  auto jan = Get(partner, "2026-01");
  ASSERT_TRUE(jan.ok()) << jan.error().message;
  EXPECT_FALSE(jan->issued_now);
  ASSERT_EQ(jan->lines.size(), 3u);  // payin, payout, hypercare Pro
  EXPECT_EQ(jan->lines[0].fee_total, 150);
  EXPECT_EQ(jan->lines[1].fee_total, 275);
  EXPECT_EQ(jan->lines[2].section, statement::Section::kPlanCharge);
  EXPECT_EQ(jan->lines[2].amount, statement::kProChargeMinor);
  ASSERT_EQ(jan->totals.size(), 1u);
  EXPECT_EQ(jan->totals[0].total_due, 150 + 275 + statement::kProChargeMinor);
  // A partner cannot read another org's statement.
  EXPECT_EQ(Get(partner, "2026-01", other_).error().kind, ErrorKind::kNotFound);
  // Mailed to each billing contact with the CSV attached.
  int mails = 0;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(auto page,
                                            store::ListOutbox(tx, {}, store::PageRequest{100, {}}));
                    for (const auto& m : page.items) {
                      if (m.event != "monthly_statement") continue;
                      ++mails;
                      EXPECT_EQ(m.attachment_name.value_or(""), "statement-2026-01.csv");
                      EXPECT_EQ(m.attachment_body.value_or(""), jan->Csv());
                    }
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(mails, 2);
  // A refund in February does not change January; a correction from a
  // billing ticket that names January's payin line lands on February's.
  clock_.Set(At("2026-02-03T15:00:00Z"));
  Reverse(t, PostingKind::kRefund);
  service::NewTicketInput in;
  in.requester_name = "Pat";
  in.requester_email = "pat@acme.example";
  in.category = "billing";
  in.subject = "Payin fee";
  in.description = "The payin fee of January is wrong";
  in.statement_id = jan->record.id;
  in.line_ids = {jan->lines[0].id};
  auto ticket = service::CreateTicket(*env_, partner, in);
  ASSERT_TRUE(ticket.ok()) << ticket.error().message;
  ASSERT_TRUE(ticket->statement.has_value());
  ASSERT_EQ(ticket->statement->lines.size(), 1u);
  EXPECT_EQ(ticket->statement->lines[0].id, jan->lines[0].id);
  // A line of another statement, a non-billing ticket: refused, nothing stored.
  auto bad = in;
  bad.line_ids = {"stl_nope"};
  EXPECT_EQ(service::CreateTicket(*env_, partner, bad).error().code, "unknown_line");
  bad = in;
  bad.category = "transaction";
  EXPECT_EQ(service::CreateTicket(*env_, partner, bad).error().code, "category_not_billing");
  // Partners do not issue corrections; staff do.
  service::NewCorrection c{-50, "USD", "payin fee overcharged", jan->lines[0].id};
  EXPECT_EQ(service::IssueCorrection(*env_, partner, ticket->ticket.id, c).error().kind,
            ErrorKind::kForbidden);
  auto zero = c;
  zero.amount = 0;
  EXPECT_EQ(service::IssueCorrection(*env_, admin_, ticket->ticket.id, zero).error().code,
            "invalid_value");
  auto cor = service::IssueCorrection(*env_, admin_, ticket->ticket.id, c);
  ASSERT_TRUE(cor.ok()) << cor.error().message;
  {
    // The audit trail has the correction (the refused ones above are absent).
    store::AuditFilter f;
    f.object_type = "statement_correction";
    auto audit = service::ListAudit(*env_, admin_, f, {50, std::nullopt});
    ASSERT_TRUE(audit.ok());
    ASSERT_EQ(audit->items.size(), 1u);
    EXPECT_EQ(audit->items[0].object_id, cor->id);
    EXPECT_NE(audit->items[0].after_json.find("\"amount\":-50"), std::string::npos);
  }
  auto jan_again = Get(admin_, "2026-01");
  ASSERT_TRUE(jan_again.ok());
  EXPECT_EQ(jan_again->record.id, jan->record.id);
  EXPECT_EQ(jan_again->Csv(), jan->Csv());
  clock_.Set(At("2026-03-01T05:00:00Z"));
  auto feb = Get(admin_, "2026-02");
  ASSERT_TRUE(feb.ok()) << feb.error().message;
  EXPECT_TRUE(feb->issued_now);
  bool refund = false, correction = false, bau = false;
  for (const auto& l : feb->lines) {
    if (l.section == statement::Section::kRefund) refund = l.amount == -150 && l.volume == 10'000;
    if (l.section == statement::Section::kCorrection) correction = l.amount == -50;
    if (l.section == statement::Section::kPlanCharge) bau = true;
  }
  EXPECT_TRUE(refund);
  EXPECT_TRUE(correction);
  EXPECT_FALSE(bau) << "hypercare ends 2026-02-17: February is not a full BAU month";
  ASSERT_EQ(feb->totals.size(), 1u);
  EXPECT_EQ(feb->totals[0].total_due, -150 - 50);
  // The ticket shows the correction in its history and beside the lines.
  auto view = service::GetTicket(*env_, admin_, ticket->ticket.id);
  ASSERT_TRUE(view.ok());
  bool in_history = false;
  for (const auto& e : view->history) in_history = in_history || e.field == "statement_correction";
  EXPECT_TRUE(in_history);
  ASSERT_TRUE(view->statement.has_value());
  ASSERT_EQ(view->statement->corrections.size(), 1u);
  EXPECT_EQ(view->statement->corrections[0].applied_statement_id.value_or(""), feb->record.id);
  // March: the first full month after hypercare carries BAU Plus.
  clock_.Set(At("2026-04-01T05:00:00Z"));
  auto mar = Get(admin_, "2026-03");
  ASSERT_TRUE(mar.ok());
  ASSERT_EQ(mar->lines.size(), 1u);
  EXPECT_EQ(mar->lines[0].amount, statement::kPlusChargeMinor);
}

PAYOPS_BACKENDS(StatementTest);

}  // namespace
}  // namespace payops::testing
