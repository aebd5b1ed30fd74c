// Versioned schema migrations. A migration is applied once, in order, in one
// transaction, and recorded in schema_migrations. Never edit a released
// migration: add a new one. Types are chosen to mean the same on both
// backends: TEXT, BIGINT (instants in UTC microseconds, money in minor units).
#include <array>
#include <string>

#include "payops/store/store.h"

namespace payops::store {
namespace {

struct Migration {
  int version;
  const char* name;
  // Statements are separated by ";\n" (a semicolon ending a line). A trigger
  // body keeps the semicolons of its inner statements off the ends of lines.
  // Shared by both backends. A table may end in "WITHOUT ROWID" (SQLite's
  // clustered tables): PostgreSQL runs the statement without it.
  const char* sql;
  const char* sqlite_extra;  // backend-specific, may be empty
  const char* postgres_extra;
  const char* then = "";  // after the backend-specific part (e.g. filling its tables)
};

// The knowledge base of the support desk (migration 9). Articles carry an
// optional ticket category so that the portal can suggest them while a ticket
// is filled in. Full-text search: on SQLite an FTS5 table with external content
// kept in sync by triggers (ranked with bm25; the rowid of kb_articles is its
// key, so a VACUUM of the database must be followed by the 'rebuild' command
// of kb_articles_fts); on PostgreSQL a generated tsvector column with a GIN
// index (ranked with ts_rank). Title terms weigh most, then tags, then body.
//
// The seed rows are the first-level solutions of every hold reason and of the
// cancel reasons a partner meets, and the frequently asked questions of the
// desk, at least one for each ticket category. Seed text never holds a
// question mark (the PostgreSQL backend rewrites `?` to a placeholder) nor a
// semicolon at the end of a line (the statement separator).
constexpr const char* kKnowledgeBaseSql = R"SQL(
CREATE TABLE kb_articles (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  category TEXT,
  tags TEXT NOT NULL,
  published BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX kb_articles_category ON kb_articles(category, updated_at);
INSERT INTO kb_articles (id, slug, title, body, category, tags, published, created_by, created_at, updated_at) VALUES
('kb_00000000000000000001', 'hold-kyc-not-verified',
 'Transaction on hold: KYC not verified (KYC_NOT_VERIFIED)',
 'The user''s KYC status is not VERIFIED. A user may initiate a transaction whatever their KYC status (unless suspended), but transactions are not processed until the user''s KYC is verified. Complete the user''s KYC verification. The transaction is released automatically, and the remaining checks run, when the KYC status becomes VERIFIED; it cannot be released by hand. Cancel it if the KYC will not be verified.

What the partner does: check the KYC status in the user profile (GET /v1/users/{id}) and ask the user for the identity documents still missing. Once the status is VERIFIED the transaction continues by itself: there is nothing to release and no ticket to open. If the user will not complete the verification, cancel the transaction.

What the end user does: complete the identity verification with the documents asked for. If the verification has been pending for more than one week, open a pending_account ticket to the EMI.',
 'pending_account', 'hold,KYC_NOT_VERIFIED,kyc,verification,identity,documents', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000002', 'hold-geoip-failed',
 'Transaction on hold: GeoIP check failed (GEOIP_FAILED)',
 'GeoIP check failed: the client IP address is in a country outside the org''s allowed countries, is not in the user''s own country, or could not be located. The partner checks with the user (travel, VPN, a shared device) and sends a review request; an agent then releases the transaction (the risk score and the balance check run; the balance check may be skipped with a note) or cancels it.

What the partner does: ask the user whether they are travelling, connected through a VPN or a proxy, or using someone else''s device. If the answer is satisfactory, send a review request (POST /v1/transactions/{id}/review-requests) with action release and a note saying what the user confirmed; otherwise send action cancel. When the user has moved for good, update their country; when your org serves a new country, ask platform support to add it to the allowed countries.

What the end user does: turn off the VPN or proxy and make transactions from their own device in their own country.',
 'transaction', 'hold,GEOIP_FAILED,geoip,ip address,country,vpn,proxy,travel,location', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000003', 'hold-risk-moderate',
 'Transaction on hold: moderate risk score (RISK_MODERATE)',
 'The transaction was assigned a moderate risk score (by default 7 to under 70) and is put on hold. The partner reviews the transaction and requests the platform to either process or cancel it; an agent carries out the request (a release does not score it again).

What the partner does: open the transaction (GET /v1/transactions/{id}) and read its risk reasons: every point of the score is attributed to a named reason (amount against the tier limit, velocity in the last 24 hours, a new recipient, a new device, account age, earlier returns). Confirm with the user that they made the transaction and know the recipient, then send a review request with action release or cancel and a note of what you checked.',
 'transaction', 'hold,RISK_MODERATE,risk,risk score,review,fraud', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000004', 'hold-risk-high',
 'Transaction on hold: high risk score (RISK_HIGH)',
 'The transaction was assigned a high risk score (by default 70 or more): it is held for enhanced review. The partner reviews the transaction more diligently and requests the platform to either process or cancel it; an agent carries out the request (a release does not score it again).

What the partner does: read the risk reasons of the transaction, check the identity of the user and their relationship with the recipient, and look at their earlier transactions and returns. Send a review request with action release only when you are satisfied, with a note of what you checked; when in doubt send action cancel: a fraudulent transaction comes back later as a return or a chargeback.',
 'transaction', 'hold,RISK_HIGH,risk,risk score,enhanced review,fraud', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000005', 'hold-bank-login-required',
 'Transaction on hold: bank login required (BANK_LOGIN_REQUIRED)',
 'Error in the balance enquiry: the login details of this bank item have changed (credentials, MFA, or a required user action). The user may have changed their bank login details. The partner asks the user to log in and update their bank details. When the bank status moves from LOGIN_REQUIRED to VERIFIED the transaction is released automatically and the balance check runs again. If the user stays stuck in LOGIN_REQUIRED, an agent may, after talking to the partner, release it skipping the balance check (with a note).

What the end user does: log in to the bank connection again in your app, enter the new credentials and complete the MFA step. The bank status shown in the user profile then returns to VERIFIED and the transaction continues by itself.

What the partner does: if the user stays in LOGIN_REQUIRED after several attempts, open a transaction ticket with the transaction id to agree on a release that skips the balance check, accepting that the transaction may come back as a return for insufficient funds.',
 'transaction', 'hold,BANK_LOGIN_REQUIRED,ITEM_LOGIN_REQUIRED,LOGIN_REQUIRED,bank login,credentials,mfa', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000006', 'hold-institution-not-responding',
 'Transaction on hold: the bank is not responding (INSTITUTION_NOT_RESPONDING)',
 'Error in the balance enquiry: this institution is not currently responding to this request (a process error at the user''s bank). An agent retries the balance check once the error is resolved. If it is not fixed within a short time, the platform and the partner agree either to release skipping the balance check (the partner must confirm: the transaction may be returned for insufficient funds) or to cancel.

What the partner does: nothing at first, these errors are usually short and platform support retries the check. If it lasts, platform support contacts you: confirm in writing whether to release without the balance check or to cancel. The end user may link another bank account for new transactions.',
 'transaction', 'hold,INSTITUTION_NOT_RESPONDING,bank,outage,balance check,not responding', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000007', 'hold-bank-account-locked',
 'Transaction on hold: bank account locked (BANK_ACCOUNT_LOCKED)',
 'Error in the balance enquiry: ITEM_LOCKED. The financial institution indicated that the user''s account is locked. The partner asks the user to work with their institution to unlock the account. Once the user confirms the account is active, an agent releases the transaction (the balance check runs again).

What the end user does: contact their bank directly to unlock the account; the platform cannot unlock it.

What the partner does: when the user confirms that the account is active again, send a review request with action release and a note saying so. If the account stays locked, cancel the transaction and ask the user to link another bank account.',
 'transaction', 'hold,BANK_ACCOUNT_LOCKED,ITEM_LOCKED,locked,bank account', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000008', 'hold-bank-setup-required',
 'Transaction on hold: bank setup required (BANK_SETUP_REQUIRED)',
 'Error in the balance enquiry: user setup required. The user''s bank account setup is not complete: the user must log in to the financial institution and take some action (e.g. agree to updated terms and conditions, change their password) before the account can be accessed. The partner asks the user to complete the setup at their bank. Once the user confirms the setup is complete, an agent releases the transaction (the balance check runs again).

What the end user does: log in to the bank''s own website or app and complete what it asks for.

What the partner does: when the user confirms, send a review request with action release and a note saying so.',
 'transaction', 'hold,BANK_SETUP_REQUIRED,USER_SETUP_REQUIRED,bank setup,terms and conditions,password', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000009', 'canceled-insufficient-funds',
 'Transaction canceled: insufficient funds (INSUFFICIENT_FUNDS)',
 'The balance check found less than the amount plus fees in the user''s bank account. The transaction is canceled with reason INSUFFICIENT_FUNDS and cannot be resumed. The balance check runs on ACH transactions of KYC-verified users: it shows that the funds are there when the transaction is checked, it does not hold them.

What to do: ask the user to make sure the account covers the amount plus the fee, then create a new transaction. A transaction that passed the check can still be returned later with code R01 (insufficient funds) when the money leaves the account before settlement: see the article on returned transactions.',
 'transaction', 'canceled,INSUFFICIENT_FUNDS,insufficient funds,balance check,nsf', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000010', 'canceled-bank-credentials-invalid',
 'Transaction canceled: bank credentials invalid (BANK_CREDENTIALS_INVALID)',
 'The financial institution indicated that the credentials, the MFA response or the MFA send method were invalid; the user must add another bank to create a transaction. The transaction is canceled with reason BANK_CREDENTIALS_INVALID and the bank account status becomes INVALID.

What to do: the user links another bank account, or links the bank again with valid credentials, and creates a new transaction. A canceled transaction cannot be released.',
 'transaction', 'canceled,BANK_CREDENTIALS_INVALID,invalid credentials,mfa,bank', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000011', 'user-suspended',
 'Suspended user: transactions canceled (USER_SUSPENDED)',
 'The user was suspended: their transactions not yet in a closed batch are canceled. A suspended account is a block on the account: the user cannot initiate transactions or tier upgrades. Transactions already in a closed ACH batch still settle; ask platform support for a refund when one must not.

What to do: if the block is unexpected or should be lifted, open a suspended_account ticket to the EMI with the user id, the date of the suspension and what you know of its reason.',
 'suspended_account', 'suspended,USER_SUSPENDED,block,blocked account,emi', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000012', 'ach-settlement-times',
 'When will my ACH transfer settle',
 'ACH transfers go out in one batch per business day. The cutoff is 07:00 Pacific time (America/Los_Angeles): a transaction that becomes PENDING before the cutoff of a business day goes into that day''s batch; after the cutoff, or on a Saturday, a Sunday or a Federal Reserve holiday, it goes into the batch of the next business day. The batch closes at the cutoff and settles by 12:00 Pacific time the same day: its transactions become PROCESSED with that settlement date.

Examples: pending on Monday at 06:30 Pacific, settled on Monday; pending on Monday at 07:30, settled on Tuesday; pending on Friday after the cutoff, on Saturday or on Sunday, settled on Monday (on Tuesday when that Monday is a holiday). A holiday that falls on a Sunday is observed the Monday after.

Debit card transactions are processed at the end of the business day (17:00 Pacific time) on which they became PENDING. Every transaction shows its settlement_date, and GET /v1/calendar/settlement gives the expected batch and settlement dates for a creation time.',
 'pending_transaction', 'ach,settlement,cutoff,batch,business day,holiday,weekend,timeline,debit card', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000013', 'escalate-pending-transaction',
 'My transaction is still pending: when to escalate',
 'A PENDING transaction has passed every check and waits for its ACH batch, or for the end of the business day for a debit card. First look at its settlement_date: a transaction that became pending after the cutoff, or on a weekend or a holiday, settles on the next business day.

Escalate to the EMI once the transaction has been pending 24 hours: open a pending_transaction ticket with the transaction id. Before that the portal asks you to wait and shows the expected settlement date. A transaction left PENDING for more than 24 hours opens the EMI escalation by itself, so you may find a ticket already open.',
 'pending_transaction', 'pending,escalation,24 hours,emi,PENDING,delay', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000014', 'escalate-pending-account',
 'My account is still pending: when to escalate',
 'An account may stay pending while the EMI completes its checks. Escalate to the EMI once the account has been pending one week (168 hours): open a pending_account ticket with the user or account id and the documents already provided. Before that the portal asks you to wait.

For a user whose KYC is not verified yet see the article on KYC_NOT_VERIFIED holds: their transactions wait until the verification is done.',
 'pending_account', 'pending account,escalation,one week,emi,onboarding,activation', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000015', 'missing-transaction-proof-of-claim',
 'A transaction is missing: what to attach (proof of claim)',
 'Report a payment that was expected but cannot be found as a missing_transaction ticket to the EMI. A proof of claim is required: attach at least one document, such as the bank statement showing the debit, the payment receipt or a screenshot of the confirmation, showing the date, the amount and the reference. The ticket is refused without an attachment. Accepted files: PDF, PNG, JPEG, GIF, plain text and CSV, at most 10 files of 10 MiB each and 25 MiB in all.

Also give the transaction id, the trace number when the transaction has one, the amount and currency, the date and the recipient.',
 'missing_transaction', 'missing,proof of claim,attachment,emi,receipt,statement', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000016', 'rejected-transaction',
 'Rejected transaction: canceled by the ODFI or the RDFI',
 'A rejected transaction was canceled by the originating bank (ODFI) or by the receiving bank (RDFI). Look at the history of the transaction (GET /v1/transactions/{id}): every change carries its time, actor and reason. When the rejection is not explained there, open a rejected_transaction ticket to the EMI with the transaction id. The user may create a new transaction once the problem with the bank account is solved; a canceled transaction is never resumed.',
 'rejected_transaction', 'rejected,odfi,rdfi,bank,ach,canceled', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000017', 'returned-transaction',
 'Returned or refunded transaction: return codes (R01 insufficient funds, R02, R03)',
 'A PROCESSED ACH transaction can be returned by the receiving bank (RDFI) with a NACHA return code, and a card transaction by a chargeback; both end in status RETURNED with the code or the reason in the history. Common codes: R01 insufficient funds, R02 account closed, R03 no account or unable to locate account, R04 invalid account number structure, R10 customer advises not authorized. A refund (status REFUNDED) is made by platform support on a PROCESSED transaction, at your request.

What to do: for R01 ask the user to fund the account before trying again; for R02, R03 and R04 the user must link another bank account; for an unauthorized return or a chargeback contact the user before any new transaction. When the return itself is unclear, open a refunded_transaction ticket to the EMI with the transaction id and the return code.',
 'refunded_transaction', 'returned,refunded,refund,return code,R01,R02,R03,chargeback,rdfi,insufficient funds', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000018', 'closed-account',
 'Closed account: the account is non-operational',
 'A closed account is non-operational: no money can be sent from it or to it. When the bank account of a user has been closed, transactions funded by it are returned (usually with code R02) and the user must link another bank account. When an account held with the EMI has been closed, or you believe it was closed in error, open a closed_account ticket to the EMI with the account or user id, the date you noticed it and any message received.',
 'closed_account', 'closed,account closed,non-operational,emi,R02', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000019', 'server-error-request-id',
 'A 5xx server error: send the request id',
 'Every answer of the API carries an X-Request-Id header, and every error body holds the same request_id. A 5xx answer is a fault on our side: open a server_error ticket with the request id, the time (with its time zone), the method and the path, and the body you sent without secrets (never send an API key or a full account number).

A 503 answer means that the server is busy or its store unavailable: retry with a growing delay, sending the same Idempotency-Key again on a POST so that it can never be applied twice. When more than one user cannot work, say so in the ticket: it is then urgent.',
 'server_error', '5xx,500,502,503,server error,request id,X-Request-Id,outage,idempotency', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000020', 'balance-mismatch',
 'The account balance does not match the records',
 'Account balances are derived from the ledger: every payin, payout, fee, refund and return is a posting. To reconcile, list the payins of the account (GET /v1/accounts/{id}/payins) and the payouts (GET /v1/payouts) of the period. ACH transactions count once they are PROCESSED, and returns and refunds reverse earlier postings.

When a difference remains, open a balance ticket with the account id, the period, the balance you expected and the one shown, and the transactions you compared.',
 'balance', 'balance,ledger,accounts,payins,payouts,reconciliation', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000021', 'billing-support-plans',
 'Billing: support plans and their charges',
 'Hypercare, after go-live: Standard free (2 weeks), Plus 1,000.00 (2 weeks), Pro 2,500.00 (4 weeks). Business as usual afterwards: Standard free, Plus 1,000.00 per month, Pro 2,500.00 per month. The plan charges appear on the monthly statement of the org beside the transaction fees (count times fee per direction, currency and corridor).

To challenge the volume or the amount invoiced, open a billing ticket with the month, the statement line and the figures you expected. Billing tickets are low priority by default.',
 'billing', 'billing,invoice,hypercare,support plan,bau,charges,statement,fees', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000022', 'monthly-report',
 'The monthly transaction report, and building your own',
 'At the start of each month every org receives the statement of the month before, by email and in the console: per direction (payin or payout), currency and corridor, the count, the volume, the fee per transaction and the fee total (count times fee), then the support-plan charges and the totals. GET /v1/reports/monthly with org_id and month returns it, as CSV with Accept: text/csv.

To build your own report, list payins and payouts and multiply the number of transactions by the fee: use the fee of each currency and corridor. When volumes or amounts disagree with your records, open a report ticket with the month, the direction, the currency and corridor, and both figures.',
 'report', 'report,monthly,statement,csv,volume,fees,corridor', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000023', 'priorities-and-sla',
 'How ticket priorities and SLA response times work',
 'Priorities: urgent (an outage, or more than one user cannot work or log in), high (one user, limited impact), medium (no user blocked: reports, website changes, data issues; every ticket from email starts here), low (requests for information, billing, documentation). The category suggests a priority and triage may change it. An email with [High] or [Urgent] in its subject, or the header Importance: high, is taken as high.

First response targets (urgent, high, medium, low): Essentials 60 min, 4 h, 1 day, 2 days; Reserve 30 min, 2 h, 4 h, 1 day; VIP 15 min, 1 h, 2 h, 4 h. Resolution targets: Essentials 8 h, 2 days, 2 days, 5 days; Reserve 4 h, 1 day, 2 days, 3 days; VIP 2 h, 8 h, 1 day, 2 days. Urgent tickets, and high tickets on VIP, run around the clock; the others count working hours, 08:00 to 17:00 New York time, Monday to Friday, less holidays (a working day is 9 hours). The resolution clock pauses while a ticket waits on you.',
 'other', 'priority,sla,urgent,high,medium,low,first response,resolution,working hours', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000024', 'reach-your-emi',
 'How to reach your EMI',
 'Technical matters (balance, transaction, billing, report, server errors, other questions) go to platform support. Payment matters go to your EMI, the electronic money institution that holds the funds: missing, pending, rejected and refunded transactions, and closed, suspended and pending accounts. A ticket in one of those seven categories lands in the EMI queue, and the portal shows the name, the contact and the escalation procedure of your EMI, recorded on your org, beside them.

When no EMI is recorded for your org, or you do not know which process to follow, open an other ticket to platform support and we tell you.',
 'other', 'emi,escalation,contact,escalation procedure,payments', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000025', 'cancel-or-refund-a-transaction',
 'How to cancel a transaction, or have it refunded',
 'A partner cancels an INITIATED transaction at any time, and a PENDING one within 30 minutes of its creation while its ACH batch is still open (POST /v1/transactions/{id}/cancel). A held transaction is canceled through a review request with action cancel, which an agent carries out. After the 30 minutes, once the batch has closed, or once the transaction is PROCESSED, it cannot be canceled any more: ask platform support for a refund.',
 'transaction', 'cancel,refund,30 minutes,cancel window,batch,review request', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000026', 'tier-upgrade',
 'Raising the transaction limits of a user (tier upgrade)',
 'Transaction limits depend on the tier of the user. To raise them, open a tier upgrade for the user (POST /v1/users/{id}/tier-upgrades with the target tier), attach the documents the tier needs (PDF, PNG or JPEG, at most 10 documents of 700 KiB each) and submit it. Platform support reviews the documents and approves (the tier changes at once, recorded in the history of the user) or rejects with a reason. One request per user can be in progress at a time, and a suspended user cannot upgrade.',
 'other', 'tier,limits,upgrade,documents,kyc', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000027', 'test-transactions',
 'Best practice: test transactions with a new EMI',
 'Always make test transactions when you integrate a new EMI. Payins: check that you have the right sending instructions, send a test deposit and confirm its receipt by listing the payins of the account. Payouts: create a payout (POST /v1/payouts) and confirm its receipt in the beneficiary account.

In sandbox mode the clock can be moved (POST /v1/sandbox/clock) to watch cutoffs and settlements happen, and a transaction whose device_id is sandbox-risk-N gets the risk score N.',
 'other', 'testing,sandbox,payins,payouts,integration,best practice', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000028', 'portal-see-your-tickets',
 'Seeing your tickets in the customer portal',
 'Sign up in the portal with your full name and your company email: its domain must be the one of your org, and the address is verified by an emailed link. You then see the requests you raised, the requests you are copied on, and open and recently closed requests with their conversation and status. A ticket is visible to you exactly when its requester or one of its CCs is your verified email, so raise tickets with the address you signed up with. Administrators of an org see every ticket of their org.',
 'other', 'portal,tickets,sign up,email,cc,login', 1, 'system', 1767225600000000, 1767225600000000),
('kb_00000000000000000029', 'raise-a-ticket',
 'How to raise a ticket, and what to include',
 'Open a ticket in the portal, by email or through the API (POST /v1/tickets). Give as much detail as you can: the transaction id, the request id of an error, times with their time zone, what you expected and what happened. You receive an acknowledgement with the ticket number at once, and every public reply by email. Reply to a solved ticket to reopen it; a solved ticket closes by itself after 7 days, and a reply to a closed ticket opens a linked follow-up.

For 2 weeks after go-live (4 weeks on Hypercare Pro) technical tickets go to the delivery team that helped you integrate, afterwards to the customer service team. Support hours are 08:00 to 17:00 New York time, Monday to Friday.',
 'other', 'ticket,support,hypercare,delivery team,customer service,acknowledgement', 1, 'system', 1767225600000000, 1767225600000000)
)SQL";

constexpr Migration kMigrations[] = {
    {1, "foundation",
     R"SQL(
CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  domain TEXT NOT NULL UNIQUE,
  sla_plan TEXT NOT NULL,
  hypercare_plan TEXT NOT NULL,
  bau_plan TEXT NOT NULL,
  go_live_date TEXT NOT NULL,
  allowed_countries TEXT NOT NULL,
  emi_name TEXT,
  emi_contact_email TEXT,
  emi_escalation_procedure TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE org_fees (
  org_id TEXT NOT NULL REFERENCES orgs(id),
  direction TEXT NOT NULL,
  currency TEXT NOT NULL,
  corridor TEXT NOT NULL,
  fee_minor BIGINT NOT NULL,
  PRIMARY KEY (org_id, direction, currency, corridor)
);
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  org_id TEXT REFERENCES orgs(id),
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX members_org ON members(org_id);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id),
  key_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE end_users (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  country TEXT NOT NULL,
  state TEXT,
  kyc_status TEXT NOT NULL,
  tier BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (org_id, email)
);
CREATE INDEX end_users_org ON end_users(org_id, id);
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id, at);
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status BIGINT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
CREATE TABLE job_runs (
  name TEXT PRIMARY KEY,
  last_run_at BIGINT NOT NULL
);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
)
)SQL",
     "", ""},
    {2, "funding_and_transactions",
     R"SQL(
CREATE TABLE bank_accounts (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  routing_number TEXT NOT NULL,
  account_sealed TEXT NOT NULL,
  account_last4 TEXT NOT NULL,
  account_type TEXT NOT NULL,
  bank_status TEXT NOT NULL,
  sandbox_balance BIGINT NOT NULL,
  sandbox_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX bank_accounts_user ON bank_accounts(user_id);
CREATE TABLE cards (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  token TEXT NOT NULL,
  last4 TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX cards_user ON cards(user_id);
CREATE TABLE recipients (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  name TEXT NOT NULL,
  country TEXT NOT NULL,
  payout_method TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX recipients_user ON recipients(user_id);
CREATE TABLE transactions (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  recipient_id TEXT NOT NULL REFERENCES recipients(id),
  funding_type TEXT NOT NULL,
  funding_id TEXT NOT NULL,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  payout_currency TEXT NOT NULL,
  corridor TEXT NOT NULL,
  fee BIGINT NOT NULL,
  ip_address TEXT NOT NULL,
  ip_country TEXT,
  device_id TEXT NOT NULL,
  status TEXT NOT NULL,
  hold_reason TEXT,
  cancel_reason TEXT,
  resume_from TEXT,
  risk_score BIGINT,
  risk_band TEXT,
  risk_reasons TEXT,
  batch_date TEXT,
  settlement_date TEXT,
  return_code TEXT,
  pending_at BIGINT,
  processed_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX transactions_org ON transactions(org_id, id);
CREATE INDEX transactions_user ON transactions(user_id, created_at);
CREATE INDEX transactions_status ON transactions(status, id);
CREATE INDEX transactions_funding ON transactions(funding_id, status);
CREATE TABLE transaction_history (
  id TEXT PRIMARY KEY,
  transaction_id TEXT NOT NULL REFERENCES transactions(id),
  at BIGINT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  note TEXT
);
CREATE INDEX transaction_history_txn ON transaction_history(transaction_id, at, id)
)SQL",
     "", ""},
    {3, "ach_batches",
     R"SQL(
CREATE TABLE ach_batches (
  id TEXT PRIMARY KEY,
  batch_date TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  cutoff_at BIGINT NOT NULL,
  settles_at BIGINT NOT NULL,
  closed_at BIGINT NOT NULL,
  settled_at BIGINT,
  entry_count BIGINT NOT NULL,
  total_debit BIGINT NOT NULL
);
ALTER TABLE transactions ADD COLUMN trace_number TEXT;
CREATE UNIQUE INDEX transactions_trace ON transactions(trace_number);
CREATE INDEX transactions_batch ON transactions(batch_date, funding_type, status)
)SQL",
     "", ""},
    {4, "transaction_lookup_indexes",
     R"SQL(
CREATE INDEX transactions_user_recipient ON transactions(user_id, recipient_id);
CREATE INDEX transactions_user_device ON transactions(user_id, device_id)
)SQL",
     "", ""},
    {5, "transaction_usage_index",
     R"SQL(
CREATE INDEX transactions_user_usage ON transactions(user_id, created_at, status, amount)
)SQL",
     "", ""},
    {6, "ledger",
     R"SQL(
CREATE TABLE ledger_entries (
  id TEXT PRIMARY KEY,
  posting_id TEXT NOT NULL,
  posting_kind TEXT NOT NULL,
  reference TEXT NOT NULL,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  account_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount BIGINT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries(account_id, posting_kind, id);
CREATE INDEX ledger_entries_org ON ledger_entries(org_id, account_id);
CREATE INDEX ledger_entries_reference ON ledger_entries(reference, posting_kind)
)SQL",
     "", ""},
    {7, "tier_upgrades",
     R"SQL(
CREATE TABLE tier_upgrades (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  from_tier BIGINT NOT NULL,
  target_tier BIGINT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  decided_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX tier_upgrades_user ON tier_upgrades(user_id, status);
CREATE TABLE tier_upgrade_documents (
  id TEXT PRIMARY KEY,
  upgrade_id TEXT NOT NULL REFERENCES tier_upgrades(id),
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content_base64 TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX tier_upgrade_documents_upgrade ON tier_upgrade_documents(upgrade_id)
)SQL",
     "", ""},
    {8, "support_desk",
     R"SQL(
ALTER TABLE members ADD COLUMN org_admin BIGINT NOT NULL DEFAULT 0;
CREATE TABLE queue_members (
  queue TEXT NOT NULL,
  member_id TEXT NOT NULL REFERENCES members(id),
  lead BIGINT NOT NULL,
  PRIMARY KEY (queue, member_id)
);
CREATE TABLE tickets (
  id TEXT PRIMARY KEY,
  number BIGINT NOT NULL UNIQUE,
  org_id TEXT REFERENCES orgs(id),
  requester_name TEXT NOT NULL,
  requester_email TEXT NOT NULL,
  requester_email_lc TEXT NOT NULL,
  category TEXT NOT NULL,
  subject TEXT NOT NULL,
  description TEXT NOT NULL,
  priority TEXT NOT NULL,
  initial_priority TEXT NOT NULL,
  status TEXT NOT NULL,
  queue TEXT NOT NULL,
  assignee_id TEXT REFERENCES members(id),
  channel TEXT NOT NULL,
  transaction_id TEXT,
  request_id TEXT,
  follow_up_of TEXT,
  created_by TEXT NOT NULL,
  sla_plan TEXT NOT NULL,
  first_agent_reply_at BIGINT,
  solved_at BIGINT,
  closed_at BIGINT,
  fr_state TEXT NOT NULL,
  fr_due BIGINT NOT NULL,
  fr_left_us BIGINT NOT NULL,
  fr_warned BIGINT NOT NULL,
  res_state TEXT NOT NULL,
  res_due BIGINT NOT NULL,
  res_left_us BIGINT NOT NULL,
  res_warned BIGINT NOT NULL,
  clock_kind TEXT NOT NULL,
  sla_due_at BIGINT NOT NULL,
  sla_next_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX tickets_requester ON tickets(requester_email_lc, id);
CREATE INDEX tickets_org ON tickets(org_id, id);
CREATE INDEX tickets_queue ON tickets(queue, id);
CREATE INDEX tickets_assignee ON tickets(assignee_id, id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_sla_due ON tickets(sla_due_at, id);
CREATE INDEX tickets_sla_next ON tickets(sla_next_at) WHERE sla_next_at IS NOT NULL;
CREATE INDEX tickets_solved ON tickets(solved_at) WHERE status = 'solved';
CREATE INDEX tickets_transaction ON tickets(transaction_id, status) WHERE transaction_id IS NOT NULL;
CREATE TABLE ticket_ccs (
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  email TEXT NOT NULL,
  email_lc TEXT NOT NULL,
  position BIGINT NOT NULL,
  PRIMARY KEY (ticket_id, email_lc)
);
CREATE INDEX ticket_ccs_email ON ticket_ccs(email_lc, ticket_id);
CREATE TABLE ticket_messages (
  id TEXT PRIMARY KEY,
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  author_id TEXT NOT NULL,
  author_name TEXT NOT NULL,
  author_kind TEXT NOT NULL,
  body TEXT NOT NULL,
  internal BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages(ticket_id, id);
CREATE TABLE ticket_attachments (
  id TEXT PRIMARY KEY,
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  message_id TEXT,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content_base64 TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments(ticket_id, id);
CREATE TABLE ticket_events (
  id TEXT PRIMARY KEY,
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  field TEXT NOT NULL,
  from_value TEXT,
  to_value TEXT,
  reason TEXT NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, at, id);
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  event TEXT NOT NULL,
  to_address TEXT NOT NULL,
  to_address_lc TEXT NOT NULL,
  to_member_id TEXT,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  ticket_id TEXT,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX outbox_to ON outbox(to_address_lc, id);
CREATE INDEX outbox_status ON outbox(status, id);
CREATE TABLE review_requests (
  id TEXT PRIMARY KEY,
  transaction_id TEXT NOT NULL REFERENCES transactions(id),
  org_id TEXT NOT NULL REFERENCES orgs(id),
  action TEXT NOT NULL,
  note TEXT NOT NULL,
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  requested_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX review_requests_transaction ON review_requests(transaction_id, id);
CREATE TABLE transaction_escalations (
  transaction_id TEXT PRIMARY KEY REFERENCES transactions(id),
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  at BIGINT NOT NULL
);
CREATE INDEX transactions_status_pending ON transactions(status, pending_at)
)SQL",
     R"SQL(
CREATE TABLE ticket_numbers (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO ticket_numbers (name, value) VALUES ('ticket', 1000)
)SQL",
     R"SQL(
CREATE SEQUENCE ticket_numbers START WITH 1001
)SQL"},
    {9, "knowledge_base", kKnowledgeBaseSql,
     R"SQL(
CREATE VIRTUAL TABLE kb_articles_fts USING fts5(title, body, tags, content='kb_articles', tokenize='porter unicode61 remove_diacritics 2');
CREATE TRIGGER kb_articles_fts_insert AFTER INSERT ON kb_articles BEGIN
  INSERT INTO kb_articles_fts (rowid, title, body, tags) VALUES (new.rowid, new.title, new.body, new.tags); END;
CREATE TRIGGER kb_articles_fts_delete AFTER DELETE ON kb_articles BEGIN
  INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body, tags) VALUES ('delete', old.rowid, old.title, old.body, old.tags); END;
CREATE TRIGGER kb_articles_fts_update AFTER UPDATE ON kb_articles BEGIN
  INSERT INTO kb_articles_fts (kb_articles_fts, rowid, title, body, tags) VALUES ('delete', old.rowid, old.title, old.body, old.tags); INSERT INTO kb_articles_fts (rowid, title, body, tags) VALUES (new.rowid, new.title, new.body, new.tags); END;
INSERT INTO kb_articles_fts (kb_articles_fts) VALUES ('rebuild')
)SQL",
     R"SQL(
ALTER TABLE kb_articles ADD COLUMN search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', tags), 'B') || setweight(to_tsvector('english', body), 'C')) STORED;
CREATE INDEX kb_articles_search ON kb_articles USING GIN (search)
)SQL"},
    // Initiation writes every index of transactions once per request: the risk
    // score's count of returns becomes a seek over the few returned rows; the
    // (user_id, created_at) index goes, transactions_user_usage starts with the
    // same columns; trace numbers and batch dates, NULL until a batch, are
    // indexed only once set (every query on them is an equality).
    {10, "transaction_write_indexes",
     R"SQL(
CREATE INDEX transactions_user_returned ON transactions(user_id, status) WHERE status = 'RETURNED';
DROP INDEX transactions_user;
DROP INDEX transactions_trace;
CREATE UNIQUE INDEX transactions_trace ON transactions(trace_number)
  WHERE trace_number IS NOT NULL;
DROP INDEX transactions_batch;
CREATE INDEX transactions_batch ON transactions(batch_date, funding_type, status)
  WHERE batch_date IS NOT NULL
)SQL",
     "", ""},
    // Opening a ticket writes its history, its CCs and its mail: on SQLite those
    // tables become clustered on their key (WITHOUT ROWID), one b-tree per row
    // instead of the row plus a key index. The outbox loses its index on the
    // lower-cased address, a random key rewritten in every commit that served
    // only the sandbox's `to` filter (which walks the outbox by id instead).
    // Ticket numbers on SQLite come from the unique index on tickets.number
    // (store/tickets.cc NextTicketNumber): the counter table goes.
    {11, "desk_write_path",
     R"SQL(
DROP INDEX outbox_to
)SQL",
     R"SQL(
CREATE TABLE ticket_events_by_ticket (
  id TEXT NOT NULL,
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  field TEXT NOT NULL,
  from_value TEXT,
  to_value TEXT,
  reason TEXT NOT NULL,
  PRIMARY KEY (ticket_id, at, id)
) WITHOUT ROWID;
INSERT INTO ticket_events_by_ticket (id, ticket_id, at, actor, field, from_value, to_value, reason)
  SELECT id, ticket_id, at, actor, field, from_value, to_value, reason FROM ticket_events;
DROP TABLE ticket_events;
ALTER TABLE ticket_events_by_ticket RENAME TO ticket_events;
CREATE TABLE ticket_ccs_clustered (
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  email TEXT NOT NULL,
  email_lc TEXT NOT NULL,
  position BIGINT NOT NULL,
  PRIMARY KEY (ticket_id, email_lc)
) WITHOUT ROWID;
INSERT INTO ticket_ccs_clustered (ticket_id, email, email_lc, position)
  SELECT ticket_id, email, email_lc, position FROM ticket_ccs;
DROP TABLE ticket_ccs;
ALTER TABLE ticket_ccs_clustered RENAME TO ticket_ccs;
CREATE INDEX ticket_ccs_email ON ticket_ccs(email_lc, ticket_id);
CREATE TABLE outbox_clustered (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  event TEXT NOT NULL,
  to_address TEXT NOT NULL,
  to_address_lc TEXT NOT NULL,
  to_member_id TEXT,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  ticket_id TEXT,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  sent_at BIGINT
) WITHOUT ROWID;
INSERT INTO outbox_clustered SELECT id, kind, event, to_address, to_address_lc, to_member_id,
  subject, body, ticket_id, status, attempts, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_clustered RENAME TO outbox;
CREATE INDEX outbox_status ON outbox(status, id);
DROP TABLE ticket_numbers
)SQL",
     ""},
    // Account escalations (SPEC §3.1: an account may be escalated once it has
    // been pending one week): a ticket names the end user it is about, and an
    // end user records since when its KYC status holds. Existing users take the
    // time of their last recorded KYC change, else their creation.
    {12, "account_escalations",
     R"SQL(
ALTER TABLE tickets ADD COLUMN user_id TEXT;
ALTER TABLE end_users ADD COLUMN kyc_status_since BIGINT;
UPDATE end_users SET kyc_status_since = COALESCE(
  (SELECT MAX(a.at) FROM audit_log a WHERE a.entity_type = 'end_user' AND a.entity_id = end_users.id
     AND a.detail LIKE '%"field":"kyc_status"%'),
  created_at)
)SQL",
     "", ""},
    // Usage buckets for the tier limits (per day, per rolling 30 days): per
    // user and per UTC hour / day of creation, the number of transactions and
    // the amounts of those not CANCELED, so that a limit check reads a bounded
    // number of rows however long the user's history is. Filled from the
    // transactions already stored (instants after 1970: division is floor).
    {13, "usage_buckets",
     R"SQL(
CREATE TABLE user_usage_hours (
  user_id TEXT NOT NULL REFERENCES end_users(id),
  bucket BIGINT NOT NULL,
  tx_count BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (user_id, bucket)
) WITHOUT ROWID;
CREATE TABLE user_usage_days (
  user_id TEXT NOT NULL REFERENCES end_users(id),
  bucket BIGINT NOT NULL,
  tx_count BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (user_id, bucket)
) WITHOUT ROWID
)SQL",
     "", "",
     R"SQL(
INSERT INTO user_usage_hours SELECT user_id, created_at / 3600000000, COUNT(*),
  SUM(CASE WHEN status <> 'CANCELED' THEN amount ELSE 0 END) FROM transactions
  GROUP BY user_id, created_at / 3600000000;
INSERT INTO user_usage_days SELECT user_id, created_at / 86400000000, COUNT(*),
  SUM(CASE WHEN status <> 'CANCELED' THEN amount ELSE 0 END) FROM transactions
  GROUP BY user_id, created_at / 86400000000
)SQL"},
    // The risk facts "has this user sent to this recipient / from this device
    // before" come from two small tables written only the first time, instead
    // of two indexes on transactions keyed by user: each of those put an entry
    // into a page of its own user's range at every initiation, so a commit of
    // initiations by many users rewrote one page per user per index. The
    // index by funding source served only the automatic release of
    // BANK_LOGIN_REQUIRED holds: it becomes partial, holding those alone (and
    // the KYC_NOT_VERIFIED holds get theirs, by user). On SQLite the
    // transaction history becomes clustered on its key (WITHOUT ROWID), one
    // b-tree per line instead of three (row, id, index).
    {14, "initiation_write_path",
     R"SQL(
DROP INDEX transactions_user_recipient;
DROP INDEX transactions_user_device;
DROP INDEX transactions_funding;
CREATE INDEX transactions_bank_login_holds ON transactions(funding_id)
  WHERE status = 'HOLD' AND hold_reason = 'BANK_LOGIN_REQUIRED';
CREATE INDEX transactions_kyc_holds ON transactions(user_id)
  WHERE status = 'HOLD' AND hold_reason = 'KYC_NOT_VERIFIED';
CREATE TABLE user_recipients_used (
  user_id TEXT NOT NULL REFERENCES end_users(id),
  recipient_id TEXT NOT NULL,
  PRIMARY KEY (user_id, recipient_id)
) WITHOUT ROWID;
CREATE TABLE user_devices_used (
  user_id TEXT NOT NULL REFERENCES end_users(id),
  device_id TEXT NOT NULL,
  PRIMARY KEY (user_id, device_id)
) WITHOUT ROWID
)SQL",
     R"SQL(
CREATE TABLE transaction_history_clustered (
  id TEXT NOT NULL,
  transaction_id TEXT NOT NULL REFERENCES transactions(id),
  at BIGINT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  note TEXT,
  PRIMARY KEY (transaction_id, at, id)
) WITHOUT ROWID;
INSERT INTO transaction_history_clustered (id, transaction_id, at, from_status, to_status, actor,
  reason, note)
  SELECT id, transaction_id, at, from_status, to_status, actor, reason, note
  FROM transaction_history;
DROP TABLE transaction_history;
ALTER TABLE transaction_history_clustered RENAME TO transaction_history
)SQL",
     "",
     R"SQL(
INSERT INTO user_recipients_used SELECT DISTINCT user_id, recipient_id FROM transactions;
INSERT INTO user_devices_used SELECT DISTINCT user_id, device_id FROM transactions
)SQL"},
    // An org whose partners may set their end users' KYC status.
    {15, "org_kyc_by_partner",
     "ALTER TABLE orgs ADD COLUMN kyc_by_partner BIGINT NOT NULL DEFAULT 0", "", ""},
    // The running balance of every ledger account, written in the commit of
    // each posting so that the posting can be refused when it would take a
    // balance past kMaxBalanceMinor without summing the account's entries. The
    // balances the API shows stay the sums of the entries. An account without
    // a row (one with no posting since this migration) gets it, from the sum
    // of its entries, at its next posting.
    {16, "ledger_running_balances",
     R"SQL(
CREATE TABLE ledger_balances (
  account_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  balance BIGINT NOT NULL,
  PRIMARY KEY (account_id, currency)
) WITHOUT ROWID
)SQL",
     "", ""},
    // Delivery of the outbox (SMTP, paging) and webhooks. An outbox row keeps
    // what is sent: the text and HTML rendered at enqueue, the Message-ID, and
    // its delivery state (next attempt, lease, last error). A worker claims
    // due rows by writing its lease (lease_until, leased_by), so two servers
    // never send one row at once. Webhook endpoints, one delivery row per
    // endpoint and event (the body signed at send time), and every attempt.
    {17, "outbound_delivery",
     R"SQL(
ALTER TABLE outbox ADD COLUMN html_body TEXT;
ALTER TABLE outbox ADD COLUMN message_id TEXT;
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
ALTER TABLE outbox ADD COLUMN leased_by TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
CREATE INDEX outbox_due ON outbox(kind, next_attempt_at) WHERE status IN ('queued', 'failed');
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  status TEXT NOT NULL,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  disabled_at BIGINT,
  disabled_reason TEXT
);
CREATE INDEX webhooks_status ON webhooks(status, id);
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id),
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT,
  leased_by TEXT,
  last_error TEXT,
  last_status_code BIGINT,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
  WHERE status IN ('queued', 'failed');
CREATE TABLE webhook_attempts (
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id),
  attempt BIGINT NOT NULL,
  at BIGINT NOT NULL,
  status_code BIGINT,
  error TEXT,
  duration_ms BIGINT NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
) WITHOUT ROWID
)SQL",
     "", ""},
    // Inbound mail already turned into a ticket or a reply, keyed by the
    // SHA-256 of the sender and the Message-ID, so that a message the mail
    // server delivers twice (a retry after a lost answer) is applied once.
    {18, "received_mail",
     R"SQL(
CREATE TABLE received_mail (
  mail_key TEXT PRIMARY KEY,
  ticket_id TEXT NOT NULL REFERENCES tickets(id),
  received_at BIGINT NOT NULL
) WITHOUT ROWID
)SQL",
     "", ""},
    // People who sign in to the web page: one credential per email address
    // (an argon2id hash, none until an invitation is accepted), failed
    // sign-ins per address, one-time links and sessions, stored as hashes.
    {19, "web_sign_in",
     R"SQL(
CREATE TABLE credentials (
  member_id TEXT PRIMARY KEY REFERENCES members(id),
  email_lc TEXT NOT NULL UNIQUE,
  password_hash TEXT,
  verified_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE TABLE failed_sign_ins (
  email_lc TEXT PRIMARY KEY,
  failures BIGINT NOT NULL,
  first_at BIGINT NOT NULL,
  locked_until BIGINT
);
CREATE TABLE link_tokens (
  token_hash TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id),
  purpose TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id),
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX web_sessions_member ON web_sessions(member_id)
)SQL",
     "", ""},
    // Monitors (SPEC §3.6): each with its running state and schedule, its
    // recent checks (a bounded number per monitor), hourly counts for uptime,
    // and maintenance windows naming the monitors they cover.
    {20, "monitors",
     R"SQL(
CREATE TABLE monitors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  interval_seconds BIGINT NOT NULL,
  failure_threshold BIGINT NOT NULL,
  expect_status BIGINT,
  expect_body TEXT,
  timeout_ms BIGINT NOT NULL,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT,
  next_check_at BIGINT NOT NULL,
  consecutive_failures BIGINT NOT NULL,
  down_since BIGINT,
  incident_open BIGINT NOT NULL,
  ticket_id TEXT,
  last_check_at BIGINT,
  check_seq BIGINT NOT NULL
);
CREATE INDEX monitors_due ON monitors(next_check_at);
CREATE TABLE monitor_checks (
  monitor_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  ok BIGINT NOT NULL,
  in_maintenance BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  status_code BIGINT,
  error TEXT,
  PRIMARY KEY (monitor_id, seq)
) WITHOUT ROWID;
CREATE TABLE monitor_uptime (
  monitor_id TEXT NOT NULL,
  hour_at BIGINT NOT NULL,
  checks BIGINT NOT NULL,
  failures BIGINT NOT NULL,
  PRIMARY KEY (monitor_id, hour_at)
) WITHOUT ROWID;
CREATE TABLE maintenance_windows (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  message TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  monitor_ids TEXT NOT NULL,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  announced_at BIGINT
);
CREATE INDEX maintenance_windows_ends ON maintenance_windows(ends_at)
)SQL",
     "", ""},
    // Monthly statements (SPEC §3.4, §3.7). monthly_aggregates is kept with
    // every posting (count, volume and fees per org, New York month, section,
    // currency, corridor and fee), so that a statement reads a few rows
    // whatever the month's volume. An issued statement and its lines are never
    // changed; corrections wait for the next statement. A billing or report
    // ticket may name a statement and some of its lines. Orgs get their billing
    // contacts; an outbox email may carry one attachment (the statement CSV).
    {21, "monthly_statements",
     R"SQL(
ALTER TABLE orgs ADD COLUMN billing_emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE outbox ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox ADD COLUMN attachment_type TEXT;
ALTER TABLE outbox ADD COLUMN attachment_body TEXT;
CREATE TABLE monthly_aggregates (
  org_id TEXT NOT NULL,
  month TEXT NOT NULL,
  section TEXT NOT NULL,
  currency TEXT NOT NULL,
  corridor TEXT NOT NULL,
  fee BIGINT NOT NULL,
  count BIGINT NOT NULL,
  volume BIGINT NOT NULL,
  fee_total BIGINT NOT NULL,
  PRIMARY KEY (org_id, month, section, currency, corridor, fee)
) WITHOUT ROWID;
CREATE TABLE statements (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  month TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  issued_by TEXT NOT NULL,
  UNIQUE (org_id, month)
);
CREATE TABLE statement_lines (
  id TEXT PRIMARY KEY,
  statement_id TEXT NOT NULL REFERENCES statements(id),
  seq BIGINT NOT NULL,
  section TEXT NOT NULL,
  currency TEXT NOT NULL,
  corridor TEXT NOT NULL,
  count BIGINT NOT NULL,
  volume BIGINT NOT NULL,
  fee BIGINT NOT NULL,
  fee_total BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  description TEXT NOT NULL
);
CREATE INDEX statement_lines_statement ON statement_lines(statement_id, seq);
CREATE TABLE statement_corrections (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  ticket_id TEXT REFERENCES tickets(id),
  statement_id TEXT REFERENCES statements(id),
  line_id TEXT,
  currency TEXT NOT NULL,
  amount BIGINT NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  applied_statement_id TEXT REFERENCES statements(id)
);
CREATE INDEX statement_corrections_org ON statement_corrections(org_id, applied_statement_id);
CREATE INDEX statement_corrections_ticket ON statement_corrections(ticket_id);
CREATE TABLE ticket_statements (
  ticket_id TEXT PRIMARY KEY REFERENCES tickets(id),
  statement_id TEXT NOT NULL REFERENCES statements(id),
  line_ids TEXT NOT NULL
)
)SQL",
     "", ""},
    // Leases of the timed jobs among the servers sharing a store: a job runs
    // on the server holding its lease, which expires (real time) when that
    // server stops renewing it.
    {22, "job_leases",
     R"SQL(
CREATE TABLE job_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  taken_at BIGINT NOT NULL
)
)SQL",
     "", ""},
    // The audit trail (migration 23): one append-only, hash-chained record
    // per administrative or money-moving action, written in the transaction
    // of the action. audit_head holds the last sequence number and hash; its
    // single row is updated by every append, which serializes appenders (a
    // row lock on PostgreSQL, the one writer on SQLite), so the chain stays
    // linear. Triggers refuse UPDATE and DELETE of a record.
    {23, "audit_trail",
     R"SQL(
CREATE TABLE audit_trail (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  request_id TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_trail_actor ON audit_trail(actor, seq);
CREATE INDEX audit_trail_object ON audit_trail(object_type, object_id, seq);
CREATE INDEX audit_trail_action ON audit_trail(action, seq);
CREATE INDEX audit_trail_at ON audit_trail(at, seq);
CREATE TABLE audit_head (
  id BIGINT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0,
  '0000000000000000000000000000000000000000000000000000000000000000')
)SQL",
     R"SQL(
CREATE TRIGGER audit_trail_no_update BEFORE UPDATE ON audit_trail
BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END;
CREATE TRIGGER audit_trail_no_delete BEFORE DELETE ON audit_trail
BEGIN SELECT RAISE(ABORT, 'audit_trail is append-only'); END
)SQL",
     R"SQL(
CREATE FUNCTION audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_trail is append-only'; END $$;
CREATE TRIGGER audit_trail_no_change BEFORE UPDATE OR DELETE ON audit_trail
FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only()
)SQL"},
    // The received-mail expiry job deletes by age.
    {25, "received_mail_by_age",
     R"SQL(
CREATE INDEX received_mail_received_at ON received_mail(received_at)
)SQL",
     "", ""},
    // The bound on an endpoint's waiting deliveries counts them through
    // this index, never through its delivered history.
    {26, "webhook_deliveries_waiting",
     R"SQL(
CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries(webhook_id)
  WHERE status IN ('queued', 'failed')
)SQL",
     "", ""},
    // A transaction initiation and every write that changes what one decides
    // on (the user's KYC status and tier, their bank accounts) update the
    // user's row: on PostgreSQL that update is the lock that orders them
    // (store::LockEndUser).
    {27, "end_user_lock",
     R"SQL(
ALTER TABLE end_users ADD COLUMN lock_seq BIGINT NOT NULL DEFAULT 0
)SQL",
     "", ""},
};

// Migrate() applies them in array order: a lower version listed after a
// higher one would be a merge mistake.
constexpr bool VersionsIncrease() {
  for (size_t i = 1; i < std::size(kMigrations); ++i) {
    if (kMigrations[i].version <= kMigrations[i - 1].version) return false;
  }
  return true;
}
static_assert(VersionsIncrease(), "kMigrations must be in increasing version order");

std::vector<std::string> Split(const char* sql) {
  std::vector<std::string> out;
  std::string s(sql);
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(";\n", start);
    if (end == std::string::npos) end = s.size();
    std::string stmt = s.substr(start, end - start);
    if (stmt.find_first_not_of(" \n\t") != std::string::npos) out.push_back(stmt);
    start = end + 2;
  }
  return out;
}

// A shared statement as PostgreSQL takes it: every ") WITHOUT ROWID" ends
// its table at the parenthesis.
std::string WithoutClustering(std::string stmt) {
  static constexpr std::string_view kClause = ") WITHOUT ROWID";
  for (size_t at = stmt.find(kClause); at != std::string::npos; at = stmt.find(kClause, at + 1)) {
    stmt.erase(at + 1, kClause.size() - 1);
  }
  return stmt;
}

}  // namespace

int LatestSchemaVersion() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

bool SchemaIsCurrent(Store& store) {
  std::string versions;
  for (const Migration& m : kMigrations) {
    versions += (versions.empty() ? "" : ", ") + std::to_string(m.version);
  }
  int64_t applied = -1;
  Status s = store.Read([&](Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("SELECT COUNT(*) FROM schema_migrations WHERE version IN (" + versions + ")",
                    {}));
    applied = row ? row->Int(0) : -1;
    return Status::Ok();
  });
  return s.ok() && applied == static_cast<int64_t>(std::size(kMigrations));
}

namespace {

constexpr int64_t kMigrationLockKey = 7252011;

Result<int> MigrateLocked(Store& store) {
  PAYOPS_TRY(store.Write([](Tx& tx) -> Status {
    PAYOPS_TRY(
        tx.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at_unix BIGINT NOT NULL)",
                {}));
    return Status::Ok();
  }));
  // A database migrated by a newer payops: this build would misread it.
  int64_t newest = 0;
  PAYOPS_TRY(store.Read([&](Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto row,
                            tx.QueryOne("SELECT MAX(version) FROM schema_migrations", {}));
    newest = row && !row->IsNull(0) ? row->Int(0) : 0;
    return Status::Ok();
  }));
  if (newest > LatestSchemaVersion()) {
    return Error::Refused(
        "schema_too_new",
        "the store has schema version " + std::to_string(newest) + ", newer than the " +
            std::to_string(LatestSchemaVersion()) +
            " this payops knows: run the payops that migrated it, or a newer one");
  }
  int reached = 0;
  for (const Migration& m : kMigrations) {
    bool applied = false;
    PAYOPS_TRY(store.Write([&](Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT version FROM schema_migrations "
                                                    "WHERE version = ?",
                                                    {int64_t{m.version}}));
      if (row) {
        applied = true;
        return Status::Ok();
      }
      for (std::string stmt : Split(m.sql)) {
        if (tx.dialect() == Dialect::kPostgres) stmt = WithoutClustering(std::move(stmt));
        PAYOPS_TRY(tx.Exec(stmt, {}));
      }
      const char* extra = tx.dialect() == Dialect::kSqlite ? m.sqlite_extra : m.postgres_extra;
      for (const std::string& stmt : Split(extra)) PAYOPS_TRY(tx.Exec(stmt, {}));
      for (const std::string& stmt : Split(m.then)) PAYOPS_TRY(tx.Exec(stmt, {}));
      // Recorded with the wall time of the schema change, informational only.
      PAYOPS_TRY(
          tx.Exec("INSERT INTO schema_migrations (version, name, applied_at_unix) "
                  "VALUES (?, ?, 0)",
                  {int64_t{m.version}, std::string(m.name)}));
      return Status::Ok();
    }));
    (void)applied;
    reached = m.version;
  }
  return reached;
}

}  // namespace

Result<int> Migrate(Store& store) {
  // Several servers may start at once: one migrates, the others wait for the
  // lock and then find every migration applied.
  Result<int> reached = 0;
  PAYOPS_TRY(store.Exclusively(kMigrationLockKey, [&]() -> Status {
    reached = MigrateLocked(store);
    return reached.ok() ? Status::Ok() : Status(reached.error());
  }));
  return reached;
}

}  // namespace payops::store
