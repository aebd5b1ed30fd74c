// The knowledge base on both backends: seed articles, full-text search and its
// ranking, the FTS index kept in sync, suggestions, and the service rules.
#include "payops/service/kb.h"
#include "backend.h"
#include "payops/core/ticket.h"
#include "payops/core/transaction.h"
#include "payops/store/kb.h"

namespace payops::testing {
namespace {

using store::Tx;

class KbTest : public BackendTest {
 protected:
  std::vector<store::KbHit> Search(std::string_view q, std::optional<std::string> category = {}) {
    std::vector<store::KbHit> out;
    Status s = store_->Read([&](Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(out, store::SearchKbArticles(tx, q, {category, false}, 50));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << q << ": " << s.error().message;
    return out;
  }
  std::vector<store::KbArticle> Suggest(const std::string& category) {
    std::vector<store::KbArticle> out;
    Status s = store_->Read([&](Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(out, store::SuggestKbArticles(tx, category, false, 50));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().message;
    return out;
  }
  void Insert(const std::string& id, const std::string& title, const std::string& body,
              std::optional<std::string> category = {}, bool published = true) {
    store::KbArticle a{id,
                       id,
                       title,
                       body,
                       std::move(category),
                       {"test"},
                       published,
                       "mem",
                       FromMicros(1'800'000'000'000'000),
                       FromMicros(1'800'000'000'000'000)};
    ASSERT_TRUE(store_->Write([&](Tx& tx) { return store::InsertKbArticle(tx, a); }).ok());
  }
  static std::vector<std::string> Slugs(const std::vector<store::KbHit>& hits) {
    std::vector<std::string> out;
    for (const auto& h : hits) out.push_back(h.article.slug);
    return out;
  }
};
PAYOPS_BACKENDS(KbTest);

TEST_P(KbTest, EveryTicketCategoryHasASeededArticle) {
  for (desk::Category c : desk::AllCategories()) {
    std::string name(desk::CategoryName(c));
    EXPECT_FALSE(Suggest(name).empty()) << "no article for " << name;
  }
}

TEST_P(KbTest, SeededCategoriesAreTicketCategories) {
  std::vector<std::string> categories;
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(
                        auto rows,
                        tx.Query("SELECT DISTINCT category FROM kb_articles ORDER BY 1", {}));
                    for (const auto& r : rows) categories.push_back(r.Text(0));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(categories.size(), desk::kCategoryCount);
  for (const auto& c : categories) EXPECT_TRUE(desk::ParseCategory(c).ok()) << c;
}

TEST_P(KbTest, EveryHoldReasonHasAFirstLevelSolution) {
  for (const HoldReasonInfo& h : AllHoldReasons()) {
    auto hits = Search(h.code);
    ASSERT_FALSE(hits.empty()) << h.code;
    // The article of the hold comes first, and starts with the hold's
    // explanation and next action, as the console shows them.
    EXPECT_NE(hits[0].article.title.find(h.code), std::string::npos) << h.code;
    std::string start = std::string(h.explanation) + " " + std::string(h.next_action);
    EXPECT_EQ(hits[0].article.body.rfind(start, 0), 0u) << h.code;
  }
}

TEST_P(KbTest, SearchFindsTheFaqs) {
  EXPECT_EQ(Slugs(Search("insufficient funds")).at(0), "canceled-insufficient-funds");
  EXPECT_EQ(Slugs(Search("When will my ACH transfer settle")).at(0), "ach-settlement-times");
  EXPECT_EQ(Slugs(Search("proof of claim")).at(0), "missing-transaction-proof-of-claim");
  EXPECT_EQ(Slugs(Search("request id")).at(0), "server-error-request-id");
  auto login = Slugs(Search("login"));
  EXPECT_NE(std::find(login.begin(), login.end(), "hold-bank-login-required"), login.end());
}

TEST_P(KbTest, TitleMatchRanksBeforeBodyOnlyMatch) {
  Insert("kb_t1", "Unrelated heading",
         "zorblax zorblax zorblax appears many times in this body: zorblax zorblax.");
  Insert("kb_t2", "All about zorblax", "This body never names the word.");
  auto hits = Search("zorblax");
  ASSERT_EQ(Slugs(hits), (std::vector<std::string>{"kb_t2", "kb_t1"}));
  EXPECT_GT(hits[0].score, hits[1].score);
}

TEST_P(KbTest, AllTermsFirstThenAnyTerm) {
  Insert("kb_a", "quixotic zyzzyva", "body");
  Insert("kb_b", "quixotic wombat", "body");
  EXPECT_EQ(Slugs(Search("quixotic wombat")), (std::vector<std::string>{"kb_b"}));
  // No article has both: those with either.
  EXPECT_EQ(Search("wombat zyzzyva").size(), 2u);
}

TEST_P(KbTest, SearchSyntaxInTheQueryIsPlainText) {
  for (std::string_view q : {"\"",
                             "*",
                             "NEAR(",
                             "AND OR",
                             "\"unterminated",
                             "a:b",
                             "-x",
                             "(((",
                             ")",
                             "^",
                             "'",
                             "\\",
                             "title:geoip",
                             "NOT",
                             "geoip*",
                             "{col}: x",
                             "'; DROP TABLE kb_articles; --",
                             "?",
                             "$1",
                             "&|!",
                             "<->",
                             "   ",
                             "\xe2\x80\x94",
                             "caf\xc3\xa9"}) {
    Search(q);  // never an error
  }
  EXPECT_TRUE(Search("\"*()").empty());
  EXPECT_FALSE(Search("\"geoip\"").empty());
  EXPECT_FALSE(Search("geoip*").empty());
}

TEST_P(KbTest, DraftsAndCategoryFilter) {
  Insert("kb_d", "zorblax draft", "body", "billing", /*published=*/false);
  Insert("kb_p", "zorblax published", "body", "report");
  EXPECT_EQ(Slugs(Search("zorblax")), (std::vector<std::string>{"kb_p"}));
  EXPECT_TRUE(Search("zorblax", "billing").empty());
  EXPECT_EQ(Search("zorblax", "report").size(), 1u);
  std::vector<store::KbHit> all;
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(
                        all, store::SearchKbArticles(tx, "zorblax", {std::nullopt, true}, 50));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(all.size(), 2u);
  // The newest article of the category is suggested first.
  EXPECT_EQ(Suggest("report").at(0).id, "kb_p");
}

TEST_P(KbTest, IndexFollowsUpdatesAndDeletes) {
  Insert("kb_u", "flibbertigibbet", "body");
  ASSERT_EQ(Search("flibbertigibbet").size(), 1u);
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_TRY(tx.Exec("UPDATE kb_articles SET title = ? WHERE id = ?",
                                       {std::string("snollygoster"), std::string("kb_u")}));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(Search("flibbertigibbet").empty());
  EXPECT_EQ(Search("snollygoster").size(), 1u);
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_TRY(
                        tx.Exec("DELETE FROM kb_articles WHERE id = ?", {std::string("kb_u")}));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(Search("snollygoster").empty());
}

TEST_P(KbTest, SearchIsLimited) {
  for (int i = 0; i < 60; ++i) {
    Insert("kb_m" + std::to_string(100 + i), "gallimaufry " + std::to_string(i), "body");
  }
  EXPECT_EQ(Search("gallimaufry").size(), 50u);
}

TEST_P(KbTest, ListPagesInIdOrder) {
  store::Page<store::KbArticle> first, second;
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(first, store::ListKbArticles(tx, {10, {}}, {}));
                    PAYOPS_ASSIGN_OR_RETURN(
                        second, store::ListKbArticles(tx, {10, first.items.back().id}, {}));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(first.items.size(), 10u);
  EXPECT_TRUE(first.has_more);
  ASSERT_FALSE(second.items.empty());
  EXPECT_LT(first.items.back().id, second.items.front().id);
}

TEST_P(KbTest, ServiceCreatesWithAUniqueSlugAndChecksInput) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  Actor agent{"mem_agent", Role::kAgent, std::nullopt, "Agent"};
  Actor partner{"mem_partner", Role::kPartner, std::string("org_a"), "Partner"};
  service::NewKbArticle in{"Reset your API key!", "Ask an admin.", "other", {"keys", "keys"}, true};
  auto a = service::CreateKbArticle(env, agent, in);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->slug, "reset-your-api-key");
  EXPECT_EQ(a->tags, (std::vector<std::string>{"keys"}));
  auto b = service::CreateKbArticle(env, agent, in);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->slug, "reset-your-api-key-2");
  auto got = service::GetKbArticle(env, partner, "reset-your-api-key-2");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id, b->id);

  EXPECT_EQ(service::CreateKbArticle(env, partner, in).error().kind, ErrorKind::kForbidden);
  auto bad = [&](service::NewKbArticle x) {
    auto r = service::CreateKbArticle(env, agent, x);
    return r.ok() ? std::string("ok") : r.error().field;
  };
  service::NewKbArticle x = in;
  x.title = " ";
  EXPECT_EQ(bad(x), "title");
  x.title = std::string(201, 'a');
  EXPECT_EQ(bad(x), "title");
  x = in;
  x.body = "";
  EXPECT_EQ(bad(x), "body");
  x = in;
  x.category = "hold";
  EXPECT_EQ(bad(x), "category");
  x = in;
  x.tags = std::vector<std::string>(21, "t");
  EXPECT_EQ(bad(x), "tags");
  x.tags = {"ok", "a,b"};
  EXPECT_EQ(bad(x), "tags[1]");

  // A draft is hidden from partners, shown to agents.
  x = in;
  x.published = false;
  auto draft = service::CreateKbArticle(env, agent, x);
  ASSERT_TRUE(draft.ok());
  EXPECT_EQ(service::GetKbArticle(env, partner, draft->id).error().kind, ErrorKind::kNotFound);
  EXPECT_TRUE(service::GetKbArticle(env, agent, draft->id).ok());
}

TEST_P(KbTest, ServiceSearchRules) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  Actor emi{"mem_emi", Role::kEmi, std::nullopt, "EMI"};
  EXPECT_EQ(service::SearchKb(env, emi, std::nullopt, std::nullopt, 50).error().field, "q");
  EXPECT_EQ(service::SearchKb(env, emi, std::string(), std::nullopt, 50).error().field, "q");
  EXPECT_EQ(service::SearchKb(env, emi, std::string(201, 'a'), std::nullopt, 50).error().field,
            "q");
  EXPECT_EQ(service::SearchKb(env, emi, std::string("x"), std::string("nope"), 50).error().field,
            "category");
  auto suggestions =
      service::SearchKb(env, emi, std::nullopt, std::string("missing_transaction"), 5);
  ASSERT_TRUE(suggestions.ok());
  ASSERT_FALSE(suggestions->empty());
  EXPECT_FALSE(suggestions->at(0).score.has_value());
  auto hits = service::SearchKb(env, emi, std::string("cutoff"), std::nullopt, 5);
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_NE(hits->at(0).snippet.find("cutoff"), std::string::npos) << hits->at(0).snippet;
  auto punct = service::SearchKb(env, emi, std::string("\"*()"), std::nullopt, 5);
  ASSERT_TRUE(punct.ok());
  EXPECT_TRUE(punct->empty());
}

TEST(KbTerms, QuotingAndStopWords) {
  EXPECT_EQ(store::KbSearchTerms("When will MY ACH transfer settle?"),
            (std::vector<std::string>{"ach", "transfer", "settle"}));
  EXPECT_EQ(store::KbSearchTerms("GEOIP_FAILED"), (std::vector<std::string>{"geoip", "failed"}));
  EXPECT_TRUE(store::KbSearchTerms("\"*() -- :^").empty());
  EXPECT_EQ(store::KbSearchTerms("NEAR(a b) AND OR"), (std::vector<std::string>{"near", "b"}));
  EXPECT_EQ(store::Fts5Query({"a\"b", "c"}, true), "\"a\"\"b\" \"c\"");
  EXPECT_EQ(store::Fts5Query({"a", "c"}, false), "\"a\" OR \"c\"");
  EXPECT_EQ(store::KbSearchTerms(std::string(65, 'x') + " ok"), (std::vector<std::string>{"ok"}));
}

TEST(KbSlugAndSnippet, Shapes) {
  EXPECT_EQ(service::KbSlug("  When will my ACH transfer settle?  "),
            "when-will-my-ach-transfer-settle");
  EXPECT_EQ(service::KbSlug("¿Qué?"), "qu");
  EXPECT_EQ(service::KbSlug("!!!"), "article");
  EXPECT_EQ(service::KbSlug(std::string(100, 'a')).size(), service::kMaxKbSlugBytes);
  std::string body = std::string(300, 'x') + " the needle is here " + std::string(300, 'y');
  std::string s = service::KbSnippet(body, {"needle"});
  EXPECT_NE(s.find("needle"), std::string::npos);
  EXPECT_LE(s.size(), service::kKbSnippetBytes + 10);
  EXPECT_EQ(service::KbSnippet("short\nbody", {}), "short body");
}

}  // namespace
}  // namespace payops::testing
