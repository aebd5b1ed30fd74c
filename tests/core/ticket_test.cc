#include "payops/core/ticket.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "payops/core/clock.h"

namespace payops::desk {
namespace {

using namespace std::chrono_literals;

// RFC 3339 → Instant; fails the test on a malformed literal.
Instant T(std::string_view text) {
  std::optional<Instant> t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

calendar::Date D(std::string_view text) {
  Result<calendar::Date> d = calendar::ParseDate(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : calendar::Date{};
}

// ---------------------------------------------------------------------------
// Categories and queues.

TEST(TicketCategory, NamesFollowTheSpecAndRoundTrip) {
  // clang-format off
  const std::vector<std::pair<std::string, QueueFamily>> expected = {
      {"balance", QueueFamily::kTechnical},
      {"transaction", QueueFamily::kTechnical},
      {"billing", QueueFamily::kTechnical},
      {"report", QueueFamily::kTechnical},
      {"server_error", QueueFamily::kTechnical},
      {"other", QueueFamily::kTechnical},
      {"missing_transaction", QueueFamily::kEmi},
      {"pending_transaction", QueueFamily::kEmi},
      {"rejected_transaction", QueueFamily::kEmi},
      {"refunded_transaction", QueueFamily::kEmi},
      {"closed_account", QueueFamily::kEmi},
      {"suspended_account", QueueFamily::kEmi},
      {"pending_account", QueueFamily::kEmi},
  };
  // clang-format on
  ASSERT_EQ(AllCategories().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    Category c = AllCategories()[i];
    EXPECT_EQ(CategoryName(c), expected[i].first);
    EXPECT_EQ(CategoryFamily(c), expected[i].second) << expected[i].first;
    Result<Category> parsed = ParseCategory(expected[i].first);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, c);
  }
}

TEST(TicketCategory, UnknownIsInvalidValueOnCategory) {
  for (std::string_view bad : {"", "Balance", "balance ", "documentation", "emi", "server-error"}) {
    Result<Category> r = ParseCategory(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
    EXPECT_EQ(r.error().code, "invalid_value");
    EXPECT_EQ(r.error().field, "category");
  }
}

TEST(TicketEnums, ParseAndNameRoundTrip) {
  for (std::string_view n : {"urgent", "high", "medium", "low"}) {
    ASSERT_TRUE(ParsePriority(n).ok()) << n;
    EXPECT_EQ(PriorityName(*ParsePriority(n)), n);
  }
  for (std::string_view n : {"new", "open", "pending", "solved", "closed"}) {
    ASSERT_TRUE(ParseTicketStatus(n).ok()) << n;
    EXPECT_EQ(TicketStatusName(*ParseTicketStatus(n)), n);
  }
  for (std::string_view n : {"portal", "email", "api", "monitor"}) {
    ASSERT_TRUE(ParseChannel(n).ok()) << n;
    EXPECT_EQ(ChannelName(*ParseChannel(n)), n);
  }
  for (std::string_view n : {"delivery", "customer_service", "emi"}) {
    ASSERT_TRUE(ParseQueue(n).ok()) << n;
    EXPECT_EQ(QueueName(*ParseQueue(n)), n);
  }
  for (std::string_view n : {"mine", "cc", "all"}) {
    ASSERT_TRUE(ParseTicketListView(n).ok()) << n;
    EXPECT_EQ(TicketListViewName(*ParseTicketListView(n)), n);
  }
  EXPECT_EQ(ParsePriority("critical").error().field, "priority");
  EXPECT_EQ(ParsePriority("Urgent").error().code, "invalid_value");
  EXPECT_EQ(ParseTicketStatus("reopened").error().field, "status");
  EXPECT_EQ(ParseChannel("phone").error().field, "channel");
  EXPECT_EQ(ParseQueue("technical").error().field, "queue");
  EXPECT_EQ(ParseTicketListView("org").error().field, "view");
  EXPECT_EQ(ParseHypercarePlan("gold").error().field, "hypercare_plan");
}

TEST(TicketPriority, OrderIsUrgency) {
  EXPECT_LT(Priority::kLow, Priority::kMedium);
  EXPECT_LT(Priority::kMedium, Priority::kHigh);
  EXPECT_LT(Priority::kHigh, Priority::kUrgent);
}

// ---------------------------------------------------------------------------
// Routing.

TEST(TicketRouting, HypercareWindowIsNewYorkMidnights) {
  // Go-live Monday 2026-03-02 (EST); the window ends after the DST change.
  HypercareInfo standard{HypercarePlan::kStandard, D("2026-03-02")};
  EXPECT_EQ(HypercareWindow(standard),
            (InstantRange{T("2026-03-02T05:00:00Z"), T("2026-03-16T04:00:00Z")}));
  HypercareInfo plus{HypercarePlan::kPlus, D("2026-03-02")};
  EXPECT_EQ(HypercareWindow(plus), HypercareWindow(standard));
  HypercareInfo pro{HypercarePlan::kPro, D("2026-03-02")};
  EXPECT_EQ(HypercareWindow(pro),
            (InstantRange{T("2026-03-02T05:00:00Z"), T("2026-03-30T04:00:00Z")}));
  EXPECT_EQ(HypercareWeeks(HypercarePlan::kStandard), 2);
  EXPECT_EQ(HypercareWeeks(HypercarePlan::kPlus), 2);
  EXPECT_EQ(HypercareWeeks(HypercarePlan::kPro), 4);
}

TEST(TicketRouting, TableOfQueues) {
  const std::optional<HypercareInfo> standard =
      HypercareInfo{HypercarePlan::kStandard, D("2026-03-02")};
  const std::optional<HypercareInfo> pro = HypercareInfo{HypercarePlan::kPro, D("2026-03-02")};
  const std::optional<HypercareInfo> none;
  struct Case {
    Category category;
    const std::optional<HypercareInfo>* hypercare;
    const char* created_at;
    Queue want;
  };
  const Case cases[] = {
      // Before go-live midnight (New York): customer service.
      {Category::kBalance, &standard, "2026-03-02T04:59:59.999999Z", Queue::kCustomerService},
      {Category::kBalance, &standard, "2026-03-02T00:00:00-05:00", Queue::kDelivery},
      {Category::kServerError, &standard, "2026-03-15T23:59:59-04:00", Queue::kDelivery},
      {Category::kServerError, &standard, "2026-03-16T00:00:00-04:00", Queue::kCustomerService},
      {Category::kOther, &pro, "2026-03-16T00:00:00-04:00", Queue::kDelivery},
      {Category::kBilling, &pro, "2026-03-29T23:59:59.999999-04:00", Queue::kDelivery},
      {Category::kReport, &pro, "2026-03-30T00:00:00-04:00", Queue::kCustomerService},
      {Category::kTransaction, &none, "2026-03-03T12:00:00Z", Queue::kCustomerService},
      // EMI categories ignore hypercare.
      {Category::kMissingTransaction, &standard, "2026-03-03T12:00:00Z", Queue::kEmi},
      {Category::kPendingAccount, &pro, "2026-03-03T12:00:00Z", Queue::kEmi},
      {Category::kRefundedTransaction, &none, "2026-03-03T12:00:00Z", Queue::kEmi},
      {Category::kClosedAccount, &standard, "2027-01-01T12:00:00Z", Queue::kEmi},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Route(c.category, *c.hypercare, T(c.created_at)), c.want)
        << CategoryName(c.category) << " at " << c.created_at;
  }
}

TEST(TicketRouting, HypercareInfoFromOrgStrings) {
  Result<HypercareInfo> info = MakeHypercareInfo("pro", "2026-03-02");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->plan, HypercarePlan::kPro);
  EXPECT_EQ(info->go_live_date, D("2026-03-02"));
  EXPECT_EQ(MakeHypercareInfo("gold", "2026-03-02").error().field, "hypercare_plan");
  EXPECT_EQ(MakeHypercareInfo("plus", "2026-02-30").error().field, "go_live_date");
}

// ---------------------------------------------------------------------------
// Priorities.

TEST(TicketPriority, DefaultByCategoryIsNeverUrgent) {
  const std::vector<std::pair<Category, Priority>> want = {
      {Category::kBalance, Priority::kMedium},
      {Category::kTransaction, Priority::kMedium},
      {Category::kBilling, Priority::kLow},
      {Category::kReport, Priority::kMedium},
      {Category::kServerError, Priority::kHigh},
      {Category::kOther, Priority::kLow},
      {Category::kMissingTransaction, Priority::kMedium},
      {Category::kPendingTransaction, Priority::kMedium},
      {Category::kRejectedTransaction, Priority::kMedium},
      {Category::kRefundedTransaction, Priority::kMedium},
      {Category::kClosedAccount, Priority::kMedium},
      {Category::kSuspendedAccount, Priority::kMedium},
      {Category::kPendingAccount, Priority::kMedium},
  };
  ASSERT_EQ(want.size(), kCategoryCount);
  for (auto [category, priority] : want) {
    EXPECT_EQ(DefaultPriority(category), priority) << CategoryName(category);
    EXPECT_NE(DefaultPriority(category), Priority::kUrgent);
  }
}

TEST(TicketPriority, EmailMarks) {
  struct Case {
    const char* subject;
    MailHeaders headers;
    bool want;
  };
  const Case cases[] = {
      {"Balance is wrong", {}, false},
      {"[High] Balance is wrong", {}, true},
      {"Re: balance [URGENT]", {}, true},
      {"[hIgH]", {}, true},
      {"High balance", {}, false},
      {"[Highest] priority?", {}, false},
      {"(Urgent) please", {}, false},
      {"x", {{"Importance", "high"}}, true},
      {"x", {{"importance", "  High \t"}}, true},
      {"x", {{"Importance", "normal"}}, false},
      {"x", {{"X-Priority", "1"}}, true},
      {"x", {{"x-priority", "1 (Highest)"}}, true},
      {"x", {{"X-Priority", "2 (High)"}}, false},
      {"x", {{"X-Priority", "10"}}, false},
      {"x", {{"Subject", "[High]"}, {"Priority", "urgent"}}, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(EmailMarksHighPriority(c.subject, c.headers), c.want) << c.subject;
  }
}

TEST(TicketPriority, InitialPriorityRules) {
  using P = Priority;
  struct Case {
    PriorityRequest request;
    Priority want;
  };
  const Case cases[] = {
      // Category default.
      {{Category::kServerError, Channel::kPortal, ActorKind::kCustomer, std::nullopt, false},
       P::kHigh},
      {{Category::kBilling, Channel::kApi, ActorKind::kCustomer, std::nullopt, false}, P::kLow},
      // Email: always medium, high when marked; a category or request does not matter.
      {{Category::kServerError, Channel::kEmail, ActorKind::kSystem, std::nullopt, false},
       P::kMedium},
      {{Category::kBilling, Channel::kEmail, ActorKind::kCustomer, std::nullopt, false},
       P::kMedium},
      {{Category::kBilling, Channel::kEmail, ActorKind::kCustomer, std::nullopt, true}, P::kHigh},
      {{Category::kBilling, Channel::kEmail, ActorKind::kCustomer, P::kUrgent, true}, P::kHigh},
      // Staff's explicit priority wins, urgent included, over any channel rule.
      {{Category::kBilling, Channel::kPortal, ActorKind::kAgent, P::kUrgent, false}, P::kUrgent},
      {{Category::kServerError, Channel::kEmail, ActorKind::kAgent, P::kLow, true}, P::kLow},
      {{Category::kOther, Channel::kMonitor, ActorKind::kSystem, P::kHigh, false}, P::kHigh},
      // Monitors open urgent tickets.
      {{Category::kServerError, Channel::kMonitor, ActorKind::kSystem, std::nullopt, false},
       P::kUrgent},
      // A customer's request is taken, capped at high.
      {{Category::kServerError, Channel::kPortal, ActorKind::kCustomer, P::kLow, false}, P::kLow},
      {{Category::kBilling, Channel::kApi, ActorKind::kCustomer, P::kUrgent, false}, P::kHigh},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(InitialPriority(c.request), c.want)
        << CategoryName(c.request.category) << " via " << ChannelName(c.request.channel);
  }
}

TEST(TicketPriority, TriageIsForStaff) {
  EXPECT_TRUE(CheckPriorityChange(ActorKind::kAgent, TicketStatus::kOpen).ok());
  EXPECT_TRUE(CheckPriorityChange(ActorKind::kSystem, TicketStatus::kSolved).ok());
  EXPECT_EQ(CheckPriorityChange(ActorKind::kCustomer, TicketStatus::kOpen).error().kind,
            ErrorKind::kForbidden);
  Status closed = CheckPriorityChange(ActorKind::kAgent, TicketStatus::kClosed);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(closed.error().code, "ticket_closed");
}

TEST(TicketActor, KindOfActor) {
  EXPECT_EQ(DeskActorKind(Actor::System()), ActorKind::kSystem);
  EXPECT_EQ(DeskActorKind(Actor{"m1", Role::kPartner, "org1", "p", "", false}),
            ActorKind::kCustomer);
  EXPECT_EQ(DeskActorKind(Actor{"m2", Role::kAgent, std::nullopt, "a", "", false}),
            ActorKind::kAgent);
  EXPECT_EQ(DeskActorKind(Actor{"m3", Role::kEmi, std::nullopt, "e", "", false}),
            ActorKind::kAgent);
  EXPECT_EQ(DeskActorKind(Actor{"m4", Role::kOpsManager, std::nullopt, "o", "", false}),
            ActorKind::kAgent);
}

// ---------------------------------------------------------------------------
// Category rules.

TEST(TicketCategoryRules, ProofOfClaim) {
  Status s = CheckCategoryRequirements(Category::kMissingTransaction, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kRefused);
  EXPECT_EQ(s.error().code, "proof_of_claim_required");
  EXPECT_EQ(s.error().field, "attachments");
  EXPECT_TRUE(CheckCategoryRequirements(Category::kMissingTransaction, 1).ok());
  for (Category c : AllCategories()) {
    if (c != Category::kMissingTransaction) {
      EXPECT_TRUE(CheckCategoryRequirements(c, 0).ok()) << CategoryName(c);
    }
  }
}

TEST(TicketCategoryRules, RecommendedFields) {
  using V = std::vector<std::string_view>;
  struct Case {
    Category category;
    bool request_id, transaction_id, user_id;
    V missing;
  } cases[] = {
      {Category::kServerError, false, false, false, {"request_id"}},
      {Category::kServerError, true, false, false, {}},
      {Category::kPendingTransaction, false, false, false, {"transaction_id"}},
      {Category::kRejectedTransaction, false, true, false, {}},
      {Category::kRefundedTransaction, true, false, true, {"transaction_id"}},
      {Category::kPendingAccount, false, false, false, {"user_id"}},
      {Category::kPendingAccount, false, true, true, {}},
      {Category::kSuspendedAccount, false, false, false, {"user_id"}},
      {Category::kClosedAccount, true, true, false, {"user_id"}},
      {Category::kBalance, false, false, false, {}},
      {Category::kMissingTransaction, false, false, false, {}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MissingRecommendedFields(c.category, c.request_id, c.transaction_id, c.user_id),
              c.missing)
        << CategoryName(c.category);
  }
}

TEST(TicketCategoryRules, EscalationThresholds) {
  const Instant since = T("2026-03-06T10:00:00Z");
  struct Case {
    bool account;
    const char* now;
    bool allowed;
    const char* allowed_at;
  };
  const Case cases[] = {
      {false, "2026-03-06T10:00:00Z", false, "2026-03-07T10:00:00Z"},
      {false, "2026-03-07T09:59:59.999999Z", false, "2026-03-07T10:00:00Z"},
      {false, "2026-03-07T10:00:00Z", true, "2026-03-07T10:00:00Z"},
      {false, "2026-04-01T00:00:00Z", true, "2026-03-07T10:00:00Z"},
      {true, "2026-03-12T10:00:00Z", false, "2026-03-13T10:00:00Z"},
      {true, "2026-03-13T09:59:59Z", false, "2026-03-13T10:00:00Z"},
      {true, "2026-03-13T10:00:00Z", true, "2026-03-13T10:00:00Z"},
  };
  for (const Case& c : cases) {
    EscalationGate g = c.account ? PendingAccountEscalation(since, T(c.now))
                                 : PendingTransactionEscalation(since, T(c.now));
    EXPECT_EQ(g, (EscalationGate{c.allowed, T(c.allowed_at)})) << c.now;
  }
  Status early =
      CheckEscalationThreshold(Category::kPendingTransaction, since, T("2026-03-06T20:00:00Z"));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().kind, ErrorKind::kRefused);
  EXPECT_EQ(early.error().code, "escalation_too_early");
  EXPECT_NE(early.error().message.find("2026-03-07T10:00:00Z"), std::string::npos);
  EXPECT_TRUE(
      CheckEscalationThreshold(Category::kPendingTransaction, since, T("2026-03-07T10:00:00Z"))
          .ok());
  EXPECT_FALSE(
      CheckEscalationThreshold(Category::kPendingAccount, since, T("2026-03-10T10:00:00Z")).ok());
  EXPECT_TRUE(CheckEscalationThreshold(Category::kPendingAccount, std::nullopt, since).ok());
  EXPECT_TRUE(CheckEscalationThreshold(Category::kBalance, since, since).ok());
}

TEST(TicketCategoryRules, AutoEscalationOpensOnce) {
  const Instant since = T("2026-03-06T10:00:00Z");
  EXPECT_EQ(AutoEscalationDueAt(since), T("2026-03-07T10:00:00Z"));
  EXPECT_FALSE(ShouldAutoEscalatePendingTransaction(since, T("2026-03-07T09:59:59Z"), false));
  EXPECT_TRUE(ShouldAutoEscalatePendingTransaction(since, T("2026-03-07T10:00:00Z"), false));
  EXPECT_TRUE(ShouldAutoEscalatePendingTransaction(since, T("2026-03-09T10:00:00Z"), false));
  EXPECT_FALSE(ShouldAutoEscalatePendingTransaction(since, T("2026-03-09T10:00:00Z"), true));
}

// ---------------------------------------------------------------------------
// Lifecycle.

// The expected lifecycle, written out independently of the implementation's
// table: for each (from, to) the actors allowed ("a" agent, "c" customer,
// "s" system); "" is an illegal transition.
const char* ExpectedActors(TicketStatus from, TicketStatus to) {
  static const char* const kTable[5][5] = {
      //            new   open   pending  solved  closed
      /* new     */ {"-", "as", "a", "acs", ""},
      /* open    */ {"", "-", "a", "acs", ""},
      /* pending */ {"", "acs", "-", "acs", ""},
      /* solved  */ {"", "acs", "", "-", "s"},
      /* closed  */ {"", "", "", "", "-"},
  };
  return kTable[static_cast<int>(from)][static_cast<int>(to)];
}

TEST(TicketLifecycle, TransitionMatrix) {
  const TicketStatus statuses[] = {TicketStatus::kNew, TicketStatus::kOpen, TicketStatus::kPending,
                                   TicketStatus::kSolved, TicketStatus::kClosed};
  const std::pair<ActorKind, char> actors[] = {
      {ActorKind::kAgent, 'a'}, {ActorKind::kCustomer, 'c'}, {ActorKind::kSystem, 's'}};
  int allowed = 0;
  for (TicketStatus from : statuses) {
    for (TicketStatus to : statuses) {
      std::string want = ExpectedActors(from, to);
      for (auto [actor, letter] : actors) {
        Status s = CheckTransition(from, to, actor);
        std::string what = std::string(TicketStatusName(from)) + " -> " +
                           std::string(TicketStatusName(to)) + " by " +
                           std::string(ActorKindName(actor));
        if (want == "-" || want.find(letter) != std::string::npos) {
          EXPECT_TRUE(s.ok()) << what;
          if (want != "-") ++allowed;
        } else if (want.empty()) {
          ASSERT_FALSE(s.ok()) << what;
          EXPECT_EQ(s.error().kind, ErrorKind::kConflict) << what;
          EXPECT_EQ(s.error().code, "illegal_transition") << what;
          EXPECT_NE(s.error().message.find(std::string(TicketStatusName(from))), std::string::npos)
              << s.error().message;
        } else {
          ASSERT_FALSE(s.ok()) << what;
          EXPECT_EQ(s.error().kind, ErrorKind::kForbidden) << what;
        }
      }
    }
  }
  EXPECT_EQ(allowed, 20);  // 9 rows: 2+1+3+1+3+3+3+3+1 actor grants
  EXPECT_EQ(TicketTransitions().size(), 9u);
}

TEST(TicketLifecycle, IllegalTransitionMessageNamesCurrentStatus) {
  Status s = CheckTransition(TicketStatus::kClosed, TicketStatus::kOpen, ActorKind::kAgent);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "the ticket is closed; it cannot become open");
}

TEST(TicketLifecycle, CustomerReplyEffects) {
  struct Case {
    TicketStatus status;
    ReplyEffect effect;
    const char* name;
  };
  const Case cases[] = {
      {TicketStatus::kNew, ReplyEffect::kNone, "none"},
      {TicketStatus::kOpen, ReplyEffect::kNone, "none"},
      {TicketStatus::kPending, ReplyEffect::kResume, "resume"},
      {TicketStatus::kSolved, ReplyEffect::kReopen, "reopen"},
      {TicketStatus::kClosed, ReplyEffect::kFollowUp, "follow_up"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CustomerReplyEffect(c.status), c.effect) << TicketStatusName(c.status);
    EXPECT_EQ(ReplyEffectName(c.effect), c.name);
  }
  // The effects that change a status are transitions a customer may make.
  EXPECT_TRUE(
      CheckTransition(TicketStatus::kPending, TicketStatus::kOpen, ActorKind::kCustomer).ok());
  EXPECT_TRUE(
      CheckTransition(TicketStatus::kSolved, TicketStatus::kOpen, ActorKind::kCustomer).ok());
}

TEST(TicketLifecycle, AutoCloseSevenDaysAfterSolved) {
  EXPECT_EQ(AutoCloseDue(T("2026-03-02T15:30:00Z")), T("2026-03-09T15:30:00Z"));
  // Real days, across the DST change: 168 h.
  EXPECT_EQ(AutoCloseDue(T("2026-03-05T12:00:00-05:00")), T("2026-03-12T13:00:00-04:00"));
}

// ---------------------------------------------------------------------------
// Visibility: every viewer against every ticket.

TEST(TicketVisibility, Matrix) {
  const std::vector<std::string> no_cc;
  const std::vector<std::string> cc_ann = {"x@acme.com", "Ann@Acme.COM"};
  const std::vector<std::string> cc_bob = {"bob@acme.com"};
  const TicketAudience tickets[] = {
      // 0: acme, raised by ann, technical
      {"acme", Queue::kCustomerService, "ANN@acme.com", no_cc, ""},
      // 1: acme, raised by bob, ann CC'd (other spelling), EMI queue
      {"acme", Queue::kEmi, "bob@acme.com", cc_ann, "agent1"},
      // 2: acme, raised by carol, delivery
      {"acme", Queue::kDelivery, "carol@acme.com", cc_bob, ""},
      // 3: globex, raised by gus, EMI queue, assigned to agent1
      {"globex", Queue::kEmi, "gus@globex.com", no_cc, "agent1"},
  };
  struct Viewer {
    const char* who;
    DeskViewer viewer;
    // Expected visibility of tickets 0..3, and the mine / cc lists.
    const char* visible;
    const char* mine;
    const char* cc;
  };
  // clang-format off
  const Viewer viewers[] = {
      {"ann (partner)", {Role::kPartner, "m-ann", "acme", "ann@acme.com", false}, "1100", "1000", "0100"},
      {"bob (partner)", {Role::kPartner, "m-bob", "acme", "bob@acme.com", false}, "0110", "0100", "0010"},
      {"ann unverified", {Role::kPartner, "m-ann", "acme", "", false}, "0000", "0000", "0000"},
      {"acme org admin", {Role::kPartner, "m-adm", "acme", "boss@acme.com", true}, "1110", "0000", "0000"},
      {"globex org admin", {Role::kPartner, "m-g", "globex", "g@globex.com", true}, "0001", "0000", "0000"},
      {"emi user", {Role::kEmi, "emi1", "", "emi@bank.com", false}, "0101", "0000", "0000"},
      {"agent1", {Role::kAgent, "agent1", "", "agent1@payops.io", false}, "1111", "0101", "0000"},
      {"ops manager", {Role::kOpsManager, "ops", "", "", false}, "1111", "0000", "0000"},
      {"admin", {Role::kAdmin, "adm", "", "", false}, "1111", "0000", "0000"},
  };
  // clang-format on
  for (const Viewer& v : viewers) {
    for (size_t i = 0; i < std::size(tickets); ++i) {
      const bool visible = v.visible[i] == '1';
      EXPECT_EQ(CanViewTicket(v.viewer, tickets[i]), visible) << v.who << " / ticket " << i;
      EXPECT_EQ(InTicketList(v.viewer, tickets[i], TicketListView::kAll), visible)
          << v.who << " / all / ticket " << i;
      EXPECT_EQ(InTicketList(v.viewer, tickets[i], TicketListView::kMine), v.mine[i] == '1')
          << v.who << " / mine / ticket " << i;
      EXPECT_EQ(InTicketList(v.viewer, tickets[i], TicketListView::kCc), v.cc[i] == '1')
          << v.who << " / cc / ticket " << i;
    }
  }
}

TEST(TicketVisibility, EmailMatchIsWholeAndCaseInsensitive) {
  const std::vector<std::string> cc = {"ann@acme.com.evil"};
  TicketAudience t{"acme", Queue::kCustomerService, "xann@acme.com", cc, ""};
  DeskViewer ann{Role::kPartner, "m", "acme", "ann@acme.com", false};
  EXPECT_FALSE(CanViewTicket(ann, t));
  EXPECT_TRUE(EqualsIgnoreCase("Ann@ACME.com", "ann@acme.COM"));
  EXPECT_FALSE(EqualsIgnoreCase("ann@acme.com", "ann@acme.co"));
}

// ---------------------------------------------------------------------------
// A new ticket.

// "u7@acme.com". Appends rather than chaining operator+ (GCC 12 -O3 reports a
// false -Wrestrict on "u" + std::to_string(i) + "...").
std::string UserEmail(int i) {
  std::string out = "u";
  out.append(std::to_string(i));
  out.append("@acme.com");
  return out;
}

NewTicket GoodTicket() {
  NewTicket t;
  t.requester_name = "Ann Lee";
  t.requester_email = "ann@acme.com";
  t.cc = {"bob@acme.com"};
  t.category = Category::kBalance;
  t.subject = "Balance does not match";
  t.description = "Our balance is 10.00 short.";
  return t;
}

TEST(TicketValidation, GoodTicketPasses) {
  EXPECT_TRUE(ValidateNewTicket(GoodTicket()).ok());
  NewTicket t = GoodTicket();
  t.requester_name.clear();
  t.cc.clear();
  t.subject = std::string(kMaxSubjectBytes, 's');
  t.description = std::string(kMaxDescriptionBytes, 'd');
  t.description[5] = '\n';
  t.transaction_id = "tx_01HZZZ";
  t.request_id = std::string(kMaxReferenceBytes, 'r');
  t.attachments = {{"proof.pdf", "application/pdf", 1}};
  t.category = Category::kMissingTransaction;
  EXPECT_TRUE(ValidateNewTicket(t).ok());
}

TEST(TicketValidation, EachBadFieldIsNamed) {
  struct Case {
    const char* what;
    void (*mutate)(NewTicket&);
    ErrorKind kind;
    const char* code;
    const char* field;
  };
  const Case cases[] = {
      {"no requester email", [](NewTicket& t) { t.requester_email.clear(); }, ErrorKind::kInvalid,
       "missing_field", "requester.email"},
      {"bad requester email", [](NewTicket& t) { t.requester_email = "ann at acme"; },
       ErrorKind::kInvalid, "invalid_email", "requester.email"},
      {"long name", [](NewTicket& t) { t.requester_name = std::string(201, 'n'); },
       ErrorKind::kInvalid, "invalid_value", "requester.name"},
      {"name with newline", [](NewTicket& t) { t.requester_name = "Ann\nBcc: x"; },
       ErrorKind::kInvalid, "invalid_value", "requester.name"},
      {"bad cc",
       [](NewTicket& t) {
         t.cc = {"ok@acme.com", "nope"};
       },
       ErrorKind::kInvalid, "invalid_email", "cc[1]"},
      {"51 ccs",
       [](NewTicket& t) {
         t.cc.clear();
         for (int i = 0; i < 51; ++i) t.cc.push_back(UserEmail(i));
       },
       ErrorKind::kInvalid, "too_many_items", "cc"},
      {"empty subject", [](NewTicket& t) { t.subject.clear(); }, ErrorKind::kInvalid,
       "invalid_value", "subject"},
      {"long subject", [](NewTicket& t) { t.subject = std::string(201, 's'); }, ErrorKind::kInvalid,
       "invalid_value", "subject"},
      {"subject with CRLF", [](NewTicket& t) { t.subject = "Hi\r\nBcc: x@evil.com"; },
       ErrorKind::kInvalid, "invalid_value", "subject"},
      {"empty description", [](NewTicket& t) { t.description.clear(); }, ErrorKind::kInvalid,
       "invalid_value", "description"},
      {"long description", [](NewTicket& t) { t.description = std::string(20001, 'd'); },
       ErrorKind::kInvalid, "invalid_value", "description"},
      {"bad transaction id", [](NewTicket& t) { t.transaction_id = "tx 1"; }, ErrorKind::kInvalid,
       "invalid_value", "transaction_id"},
      {"empty request id", [](NewTicket& t) { t.request_id = ""; }, ErrorKind::kInvalid,
       "invalid_value", "request_id"},
      {"long request id", [](NewTicket& t) { t.request_id = std::string(129, 'r'); },
       ErrorKind::kInvalid, "invalid_value", "request_id"},
      {"11 attachments",
       [](NewTicket& t) {
         t.attachments.assign(11, {"a.png", "image/png", 10});
       },
       ErrorKind::kInvalid, "too_many_items", "attachments"},
      {"exe attachment",
       [](NewTicket& t) {
         t.attachments = {{"a.png", "image/png", 10}, {"a.exe", "application/octet-stream", 10}};
       },
       ErrorKind::kInvalid, "unsupported_content_type", "attachments[1].content_type"},
      {"html attachment",
       [](NewTicket& t) {
         t.attachments = {{"a.html", "text/html", 10}};
       },
       ErrorKind::kInvalid, "unsupported_content_type", "attachments[0].content_type"},
      {"empty attachment",
       [](NewTicket& t) {
         t.attachments = {{"a.txt", "text/plain", 0}};
       },
       ErrorKind::kInvalid, "invalid_value", "attachments[0].size_bytes"},
      {"unnamed attachment",
       [](NewTicket& t) {
         t.attachments = {{"", "text/plain", 5}};
       },
       ErrorKind::kInvalid, "invalid_value", "attachments[0].filename"},
      {"long filename",
       [](NewTicket& t) {
         t.attachments = {{std::string(256, 'f'), "text/plain", 5}};
       },
       ErrorKind::kInvalid, "invalid_value", "attachments[0].filename"},
      {"10 MiB + 1",
       [](NewTicket& t) {
         t.attachments = {{"a.csv", "text/csv", 1}, {"b.pdf", "application/pdf", (10 << 20) + 1}};
       },
       ErrorKind::kTooLarge, "attachment_too_large", "attachments[1].size_bytes"},
      {"25 MiB + 1 in all",
       [](NewTicket& t) {
         t.attachments = {{"a.pdf", "application/pdf", 10 << 20},
                          {"b.pdf", "application/pdf", 10 << 20},
                          {"c.pdf", "application/pdf", (5 << 20) + 1}};
       },
       ErrorKind::kTooLarge, "attachments_too_large", "attachments"},
      {"missing proof of claim", [](NewTicket& t) { t.category = Category::kMissingTransaction; },
       ErrorKind::kRefused, "proof_of_claim_required", "attachments"},
  };
  for (const Case& c : cases) {
    NewTicket t = GoodTicket();
    c.mutate(t);
    Status s = ValidateNewTicket(t);
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_EQ(s.error().kind, c.kind) << c.what;
    EXPECT_EQ(s.error().code, c.code) << c.what;
    EXPECT_EQ(s.error().field, c.field) << c.what;
  }
}

TEST(TicketValidation, AttachmentLimitsAreInclusive) {
  std::vector<AttachmentMeta> a = {{"a.pdf", "application/pdf", 10 << 20},
                                   {"b.pdf", "application/pdf", 10 << 20},
                                   {"c.pdf", "application/pdf", 5 << 20}};
  EXPECT_TRUE(ValidateAttachments(a).ok());
  std::vector<AttachmentMeta> ten(10, {"a.gif", "image/gif", 100});
  EXPECT_TRUE(ValidateAttachments(ten).ok());
}

TEST(TicketValidation, ContentTypes) {
  for (std::string_view ok :
       {"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv",
        "TEXT/PLAIN; charset=utf-8", " image/PNG "}) {
    EXPECT_TRUE(IsAllowedAttachmentType(ok)) << ok;
  }
  for (std::string_view bad : {"", "image/svg+xml", "text/html", "application/pdfx", "image/jpg",
                               "application/zip", "text/csv2"}) {
    EXPECT_FALSE(IsAllowedAttachmentType(bad)) << bad;
  }
  EXPECT_EQ(AllowedAttachmentTypes().size(), 6u);
}

TEST(TicketValidation, CcListIsDedupedCaseInsensitively) {
  const std::vector<std::string> cc = {"Bob@acme.com", "bob@ACME.com", "ann@acme.com",
                                       "carol@acme.com", "BOB@acme.com"};
  Result<std::vector<std::string>> r = NormalizeCcList(cc, "ANN@acme.com");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"Bob@acme.com", "carol@acme.com"}));
  std::vector<std::string> fifty;
  for (int i = 0; i < 50; ++i) fifty.push_back(UserEmail(i));
  ASSERT_TRUE(NormalizeCcList(fifty, "ann@acme.com").ok());
  EXPECT_EQ(NormalizeCcList(fifty, "ann@acme.com")->size(), 50u);
}

TEST(TicketValidation, FilenameSanitiser) {
  struct Case {
    std::string in;
    std::string want;
  };
  const Case cases[] = {
      {"proof.pdf", "proof.pdf"},
      {"../../etc/passwd", "___.._etc_passwd"},
      {"..", "__"},
      {".", "_"},
      {".hidden", "_hidden"},
      {"C:\\Users\\x.png", "C:_Users_x.png"},
      {std::string("a\0b\nc\x7f.txt", 10), "a_b_c_.txt"},
      {"say \"hi\".txt", "say _hi_.txt"},
      {"", "attachment"},
      {"résumé.pdf", "résumé.pdf"},
  };
  for (const Case& c : cases) EXPECT_EQ(SanitizeAttachmentFilename(c.in), c.want) << c.in;
  // Cut to 255 bytes without splitting a UTF-8 character ("é" is 2 bytes).
  std::string long_name = std::string(254, 'a') + "é.pdf";
  std::string cut = SanitizeAttachmentFilename(long_name);
  EXPECT_EQ(cut, std::string(254, 'a'));
  std::string exact = std::string(253, 'a') + "é";
  EXPECT_EQ(SanitizeAttachmentFilename(exact), exact);
  for (const Case& c : cases) {
    std::string out = SanitizeAttachmentFilename(c.in);
    EXPECT_LE(out.size(), kMaxFilenameBytes);
    EXPECT_EQ(out.find('/'), std::string::npos);
    EXPECT_NE(out, "..");
  }
}

// Internal notes: staff only; the EMI, an outside bank, and partners never.
TEST(TicketVisibility, InternalNotesAreForStaffAlone) {
  EXPECT_TRUE(ReadsInternalNotes(Role::kAdmin));
  EXPECT_TRUE(ReadsInternalNotes(Role::kAgent));
  EXPECT_TRUE(ReadsInternalNotes(Role::kOpsManager));
  EXPECT_FALSE(ReadsInternalNotes(Role::kEmi));
  EXPECT_FALSE(ReadsInternalNotes(Role::kPartner));
}

// A CC from another org sees the conversation, not the org's objects.
TEST(TicketVisibility, OrgObjectsStayWithTheOrg) {
  struct Row {
    DeskViewer viewer;
    std::string_view ticket_org;
    bool sees;
  };
  const Row rows[] = {
      {{Role::kAdmin, "m1", "", "a@payops.test", false}, "org_a", true},
      {{Role::kAgent, "m2", "", "g@payops.test", false}, "org_a", true},
      {{Role::kOpsManager, "m3", "", "o@payops.test", false}, "org_a", true},
      {{Role::kEmi, "m4", "", "e@emi.example", false}, "org_a", true},
      {{Role::kPartner, "m5", "org_a", "pat@acme.example", false}, "org_a", true},
      {{Role::kPartner, "m6", "org_a", "ann@acme.example", true}, "org_a", true},
      {{Role::kPartner, "m7", "org_b", "bob@beta.example", false}, "org_a", false},
      {{Role::kPartner, "m8", "org_b", "carl@beta.example", true}, "org_a", false},
      {{Role::kPartner, "m9", "org_a", "pat@acme.example", false}, "", false},
      {{Role::kPartner, "m10", "", "x@nowhere.example", false}, "", false},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(SeesTicketOrgObjects(r.viewer, r.ticket_org), r.sees) << r.viewer.member_id;
  }
}

}  // namespace
}  // namespace payops::desk
