// Funding sources and recipients of end users: ACH bank accounts (ABA-checked
// routing number, account number encrypted at rest and masked everywhere),
// debit cards (token and last four only) and recipients.
#pragma once

#include "payops/service/env.h"
#include "payops/store/funding.h"

namespace payops::service {

struct NewBankAccount {
  std::string routing_number;
  std::string account_number;
  std::string account_type = "checking";
  std::string bank_status = "VERIFIED";
  int64_t sandbox_balance = 0;
};

struct BankAccountPatch {
  std::optional<std::string> bank_status;
  std::optional<int64_t> sandbox_balance;
  bool set_sandbox_error = false;  // sandbox_error present in the request (null clears)
  std::optional<std::string> sandbox_error;
};

// Errors: 404 user (tenancy), invalid_routing_number, invalid_account_number,
// invalid_value (account_type, bank_status), 422 balance_limit when
// sandbox_balance is past ±kMaxBalanceMinor (also for a patch).
Result<store::BankAccount> CreateBankAccount(Env& env, const Actor& actor,
                                             const std::string& user_id, const NewBankAccount& in);
// A bank status back to VERIFIED re-runs the balance check of its
// BANK_LOGIN_REQUIRED holds, in the same commit.
Result<store::BankAccount> PatchBankAccount(Env& env, const Actor& actor, const std::string& id,
                                            const BankAccountPatch& patch);
// The lists of a user's funding: one page each, in id order.
Result<store::Page<store::BankAccount>> ListBankAccounts(Env& env, const Actor& actor,
                                                         const std::string& user_id,
                                                         const store::PageRequest& page);

// Errors: card_number_refused when any field holds a full card number.
Result<store::Card> CreateCard(Env& env, const Actor& actor, const std::string& user_id,
                               const std::string& token, const std::string& last4);
Result<store::Recipient> CreateRecipient(Env& env, const Actor& actor, const std::string& user_id,
                                         const std::string& name, const std::string& country,
                                         const std::string& payout_method);
Result<store::Page<store::Recipient>> ListRecipients(Env& env, const Actor& actor,
                                                     const std::string& user_id,
                                                     const store::PageRequest& page);
Result<store::Page<store::Card>> ListCards(Env& env, const Actor& actor, const std::string& user_id,
                                           const store::PageRequest& page);

// "****6789": the last four characters behind four stars.
std::string MaskedAccount(const store::BankAccount& a);

}  // namespace payops::service
