// Funding sources (bank accounts, debit cards) and recipients of end users.
#pragma once

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct BankAccount {
  std::string id;
  std::string org_id;
  std::string user_id;
  std::string routing_number;
  std::string account_sealed;  // encrypted account number (SecretBox); never shown
  std::string account_last4;
  std::string account_type;  // checking | savings
  std::string bank_status;   // VERIFIED | LOGIN_REQUIRED | LOCKED | SETUP_REQUIRED | INVALID
  int64_t sandbox_balance = 0;
  std::optional<std::string> sandbox_error;
  Instant created_at;
  Instant updated_at;
};

struct Card {
  std::string id;
  std::string org_id;
  std::string user_id;
  std::string token;
  std::string last4;
  Instant created_at;
};

struct Recipient {
  std::string id;
  std::string org_id;
  std::string user_id;
  std::string name;
  std::string country;
  std::string payout_method;
  Instant created_at;
};

// The recipient and the funding source (bank account or card, by
// `funding_type`) of a new transaction, by id within the org, in one query.
struct PaymentParties {
  std::optional<Recipient> recipient;
  std::optional<BankAccount> bank;  // funding_type "ach"
  std::optional<Card> card;         // funding_type "debit_card"
};
Result<PaymentParties> FindPaymentParties(Tx& tx, const std::string& org_id,
                                          const std::string& recipient_id,
                                          const std::string& funding_type,
                                          const std::string& funding_id);

Status InsertBankAccount(Tx& tx, const BankAccount& a);
// `tenant` (a partner's org) hides other orgs' accounts.
Result<std::optional<BankAccount>> FindBankAccount(Tx& tx, const std::string& id,
                                                   const std::optional<std::string>& tenant);
Status UpdateBankAccount(Tx& tx, const BankAccount& a);
Result<Page<BankAccount>> ListBankAccounts(Tx& tx, const std::string& user_id,
                                           const PageRequest& page);

// A bank account's sealed account number, for re-sealing under a new key.
struct SealedAccountNumber {
  std::string bank_account_id;
  std::string sealed;
};
// Up to `limit` sealed account numbers of every org, in id order, after `after_id`.
Result<std::vector<SealedAccountNumber>> ListSealedAccountNumbers(Tx& tx,
                                                                  const std::string& after_id,
                                                                  int limit);
Status UpdateSealedAccountNumber(Tx& tx, const std::string& bank_account_id,
                                 const std::string& sealed);

Status InsertCard(Tx& tx, const Card& c);
Result<std::optional<Card>> FindCard(Tx& tx, const std::string& id,
                                     const std::optional<std::string>& tenant);
Result<Page<Card>> ListCards(Tx& tx, const std::string& user_id, const PageRequest& page);

Status InsertRecipient(Tx& tx, const Recipient& r);
Result<std::optional<Recipient>> FindRecipient(Tx& tx, const std::string& id,
                                               const std::optional<std::string>& tenant);
Result<Page<Recipient>> ListRecipients(Tx& tx, const std::string& user_id, const PageRequest& page);

}  // namespace payops::store
