// Knowledge-base articles of the support desk: storage, keyset lists,
// full-text search (FTS5 with bm25 on SQLite, tsvector with ts_rank on
// PostgreSQL) and the suggestions for a ticket category.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct KbArticle {
  std::string id;
  std::string slug;  // unique, lowercase ASCII letters, digits and '-'
  std::string title;
  std::string body;
  std::optional<std::string> category;  // a ticket category name, or none
  std::vector<std::string> tags;        // stored joined by ','
  bool published = true;
  std::string created_by;  // member id, "system" for the seed articles
  Instant created_at;
  Instant updated_at;
};

struct KbHit {
  KbArticle article;
  double score = 0;  // higher is more relevant; comparable within one answer only
};

// At most this many search results or suggestions.
inline constexpr int kMaxKbResults = 50;
// A query keeps at most this many terms, each of at most kMaxKbTermBytes.
inline constexpr size_t kMaxKbTerms = 16;
inline constexpr size_t kMaxKbTermBytes = 64;

// The search terms of a user's query: runs of ASCII letters and digits and of
// non-ASCII bytes (UTF-8 letters), ASCII-lowercased, without common English
// stop words, duplicates dropped, order kept, capped as above. Every other
// character (quotes, '*', parentheses, '-', ':', ...) separates terms, so no
// search syntax of the user ever reaches the FTS engine. Empty when nothing is
// left (a query of punctuation only).
std::vector<std::string> KbSearchTerms(std::string_view query);
// The FTS5 MATCH expression of `terms`: each term double-quoted (a quote
// inside doubled), joined by spaces (all terms) or " OR " (any term).
std::string Fts5Query(const std::vector<std::string>& terms, bool all);

struct KbFilter {
  std::optional<std::string> category;
  bool include_unpublished = false;
};

Status InsertKbArticle(Tx& tx, const KbArticle& a);
// By id or by slug.
Result<std::optional<KbArticle>> FindKbArticle(Tx& tx, const std::string& id_or_slug,
                                               bool include_unpublished);
Result<bool> KbSlugTaken(Tx& tx, const std::string& slug);
// In id order, after page.after_id.
Result<Page<KbArticle>> ListKbArticles(Tx& tx, const PageRequest& page, const KbFilter& filter);
// Best first (title matches weigh most, then tags, then body), at most
// min(limit, kMaxKbResults). Articles having every term come first; when none
// has them all, those having any of them. Empty for a query without terms.
Result<std::vector<KbHit>> SearchKbArticles(Tx& tx, std::string_view query, const KbFilter& filter,
                                            int limit);
// The articles of `category`, most recently updated first (seed articles in
// their order of relevance), at most min(limit, kMaxKbResults).
Result<std::vector<KbArticle>> SuggestKbArticles(Tx& tx, const std::string& category,
                                                 bool include_unpublished, int limit);

}  // namespace payops::store
