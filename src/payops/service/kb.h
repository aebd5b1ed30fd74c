// The knowledge base of the support desk (SPEC §3.5): first-level solutions,
// hold reasons and FAQs that the portal suggests per ticket category. Admins
// and agents write articles; every authenticated role reads the published ones
// (admins and agents also see drafts).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "payops/service/env.h"
#include "payops/store/kb.h"

namespace payops::service {

inline constexpr size_t kMaxKbTitleBytes = 200;
inline constexpr size_t kMaxKbBodyBytes = 50000;
inline constexpr size_t kMaxKbTags = 20;
inline constexpr size_t kMaxKbTagBytes = 40;
inline constexpr size_t kMaxKbQueryBytes = 200;
inline constexpr size_t kMaxKbSlugBytes = 80;
inline constexpr size_t kKbSnippetBytes = 200;

struct NewKbArticle {
  std::string title;
  std::string body;
  std::optional<std::string> category;
  std::vector<std::string> tags;
  bool published = true;
};

struct KbSearchHit {
  store::KbArticle article;
  std::string snippet;
  std::optional<double> score;  // none for category suggestions
};

// The slug of a title: ASCII letters lowercased and digits kept, every other
// run of characters one '-', no '-' at either end, at most kMaxKbSlugBytes;
// "article" when nothing is left.
std::string KbSlug(std::string_view title);
// About kKbSnippetBytes of `body` on one line, around the first place one of
// `terms` occurs (ASCII case-insensitive), else from the start; cut at UTF-8
// character boundaries, "…" marking a cut.
std::string KbSnippet(std::string_view body, const std::vector<std::string>& terms);

// Admins and agents. Errors, with the field named: title (1..200 bytes, not
// blank, no control characters), body (1..50000 bytes, not blank), category (a
// ticket category name), tags (at most 20, each 1..40 bytes without ',' or
// control characters; duplicates dropped). The slug comes from the title and
// is made unique with a "-2", "-3", ... suffix.
Result<store::KbArticle> CreateKbArticle(Env& env, const Actor& actor, const NewKbArticle& in);
// By id or slug; 404 for a draft unless the caller may write articles.
Result<store::KbArticle> GetKbArticle(Env& env, const Actor& actor, const std::string& id_or_slug);
// In id order; `category` must be a ticket category name.
Result<store::Page<store::KbArticle>> ListKbArticles(Env& env, const Actor& actor,
                                                     const store::PageRequest& page,
                                                     const std::optional<std::string>& category);
// Full-text search for `q` (1..200 bytes), within `category` when given; with
// a category and no q, the suggestions for that category. Neither: error
// missing_field (field "q"). At most min(limit, 50) results, best first; a
// query without searchable terms finds nothing.
Result<std::vector<KbSearchHit>> SearchKb(Env& env, const Actor& actor,
                                          const std::optional<std::string>& q,
                                          const std::optional<std::string>& category, int limit);

}  // namespace payops::service
