#include "payops/store/kb.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>

namespace payops::store {
namespace {

constexpr const char* kColumns =
    "a.id, a.slug, a.title, a.body, a.category, a.tags, a.published, a.created_by, a.created_at, "
    "a.updated_at";

// Words too common to search for (a subset of PostgreSQL's English list, so
// that both backends see about the same terms).
constexpr std::string_view kStopWords[] = {
    "a",    "an",   "and",  "are",  "as",   "at",   "be",     "by",   "can",  "do",
    "does", "for",  "from", "has",  "have", "how",  "i",      "if",   "in",   "is",
    "it",   "its",  "me",   "my",   "no",   "not",  "of",     "on",   "or",   "our",
    "so",   "that", "the",  "this", "to",   "was",  "we",     "what", "when", "where",
    "who",  "why",  "will", "with", "you",  "your", "should", "there"};

bool IsStopWord(std::string_view w) {
  return std::find(std::begin(kStopWords), std::end(kStopWords), w) != std::end(kStopWords);
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) {
    if (!out.empty()) out += ',';
    out += t;
  }
  return out;
}

std::vector<std::string> SplitTags(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

KbArticle FromRow(const Row& r) {
  return KbArticle{r.Text(0),           r.Text(1),    r.Text(2),
                   r.Text(3),           r.OptText(4), SplitTags(r.Text(5)),
                   r.Int(6) != 0,       r.Text(7),    FromMicros(r.Int(8)),
                   FromMicros(r.Int(9))};
}

std::vector<KbArticle> Articles(const Rows& rows) {
  std::vector<KbArticle> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(FromRow(r));
  return out;
}

int Capped(int limit) {
  return std::clamp(limit, 1, kMaxKbResults);
}

// The tsquery text "'a' | 'b'": terms never hold a quote or a backslash.
std::string TsQueryAny(const std::vector<std::string>& terms) {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " | ";
    out += '\'' + t + '\'';
  }
  return out;
}

std::string JoinTerms(const std::vector<std::string>& terms) {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

Result<std::vector<KbHit>> RunSearch(Tx& tx, const std::vector<std::string>& terms, bool all,
                                     const KbFilter& filter, int limit) {
  std::string sql = std::string("SELECT ") + kColumns;
  std::vector<Value> params;
  if (tx.dialect() == Dialect::kSqlite) {
    // Column weights: title, body, tags.
    sql +=
        ", -bm25(kb_articles_fts, 10.0, 1.0, 4.0) AS score FROM kb_articles_fts JOIN kb_articles "
        "a ON a.rowid = kb_articles_fts.rowid WHERE kb_articles_fts MATCH ?";
    params.emplace_back(Fts5Query(terms, all));
  } else {
    // Weights A (title), B (tags), C (body) of the generated column.
    sql += all ? ", ts_rank(a.search, q) AS score FROM kb_articles a, "
                 "plainto_tsquery('english', ?) AS q WHERE a.search @@ q"
               : ", ts_rank(a.search, q) AS score FROM kb_articles a, "
                 "to_tsquery('english', ?) AS q WHERE a.search @@ q";
    params.emplace_back(all ? JoinTerms(terms) : TsQueryAny(terms));
  }
  if (!filter.include_unpublished) sql += " AND a.published = 1";
  if (filter.category) {
    sql += " AND a.category = ?";
    params.emplace_back(*filter.category);
  }
  sql += " ORDER BY score DESC, a.id LIMIT ?";
  params.emplace_back(int64_t{Capped(limit)});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  std::vector<KbHit> out;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    out.push_back(KbHit{FromRow(r), std::strtod(r.Text(10).c_str(), nullptr)});
  }
  return out;
}

}  // namespace

std::vector<std::string> KbSearchTerms(std::string_view query) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty() && cur.size() <= kMaxKbTermBytes && !IsStopWord(cur) &&
        std::find(out.begin(), out.end(), cur) == out.end() && out.size() < kMaxKbTerms) {
      out.push_back(cur);
    }
    cur.clear();
  };
  for (char ch : query) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
      cur += ch;
    } else if (c >= 'A' && c <= 'Z') {
      cur += static_cast<char>(c - 'A' + 'a');
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::string Fts5Query(const std::vector<std::string>& terms, bool all) {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += all ? " " : " OR ";
    out += '"';
    for (char c : t) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

Status InsertKbArticle(Tx& tx, const KbArticle& a) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO kb_articles (id, slug, title, body, category, tags, published, "
              "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {a.id, a.slug, a.title, a.body, Opt(a.category), JoinTags(a.tags),
               int64_t{a.published ? 1 : 0}, a.created_by, ToMicros(a.created_at),
               ToMicros(a.updated_at)}));
  return Status::Ok();
}

Result<std::optional<KbArticle>> FindKbArticle(Tx& tx, const std::string& id_or_slug,
                                               bool include_unpublished) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM kb_articles a WHERE (a.id = ? OR a.slug = ?)" +
                    (include_unpublished ? "" : " AND a.published = 1");
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(sql, {id_or_slug, id_or_slug}));
  if (!row) return std::optional<KbArticle>();
  return std::optional<KbArticle>(FromRow(*row));
}

Result<bool> KbSlugTaken(Tx& tx, const std::string& slug) {
  PAYOPS_ASSIGN_OR_RETURN(auto row,
                          tx.QueryOne("SELECT 1 FROM kb_articles WHERE slug = ?", {slug}));
  return row.has_value();
}

Result<Page<KbArticle>> ListKbArticles(Tx& tx, const PageRequest& page, const KbFilter& filter) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM kb_articles a WHERE a.id > ?";
  std::vector<Value> params{page.after_id.value_or("")};
  if (!filter.include_unpublished) sql += " AND a.published = 1";
  if (filter.category) {
    sql += " AND a.category = ?";
    params.emplace_back(*filter.category);
  }
  sql += " ORDER BY a.id LIMIT ?";
  params.emplace_back(int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  return ToPage<KbArticle>(rows, page.limit, FromRow);
}

Result<std::vector<KbHit>> SearchKbArticles(Tx& tx, std::string_view query, const KbFilter& filter,
                                            int limit) {
  std::vector<std::string> terms = KbSearchTerms(query);
  if (terms.empty()) return std::vector<KbHit>();
  PAYOPS_ASSIGN_OR_RETURN(auto hits, RunSearch(tx, terms, /*all=*/true, filter, limit));
  if (hits.empty() && terms.size() > 1) {
    PAYOPS_ASSIGN_OR_RETURN(hits, RunSearch(tx, terms, /*all=*/false, filter, limit));
  }
  return hits;
}

Result<std::vector<KbArticle>> SuggestKbArticles(Tx& tx, const std::string& category,
                                                 bool include_unpublished, int limit) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM kb_articles a WHERE a.category = ?" +
                    (include_unpublished ? "" : " AND a.published = 1") +
                    " ORDER BY a.updated_at DESC, a.id LIMIT ?";
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, {category, int64_t{Capped(limit)}}));
  return Articles(rows);
}

}  // namespace payops::store
