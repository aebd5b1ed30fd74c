#include "payops/service/kb.h"

#include <algorithm>

#include "payops/core/ticket.h"
#include "payops/core/validate.h"

namespace payops::service {
namespace {

constexpr size_t kSnippetLead = 60;  // bytes shown before the first match

bool MayWrite(const Actor& actor) {
  return actor.role == Role::kAdmin || actor.role == Role::kAgent;
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

Status CheckCategory(const std::optional<std::string>& category) {
  if (!category) return Status::Ok();
  auto parsed = desk::ParseCategory(*category);
  if (!parsed.ok()) return parsed.take_error();
  return Status::Ok();
}

Status Validate(const NewKbArticle& in) {
  if (in.title.size() > kMaxKbTitleBytes || IsBlank(in.title) || HasControl(in.title)) {
    return Error::Invalid("invalid_value",
                          "title must be 1 to 200 bytes, not blank, without control characters",
                          "title");
  }
  if (in.body.size() > kMaxKbBodyBytes || IsBlank(in.body)) {
    return Error::Invalid("invalid_value", "body must be 1 to 50000 bytes and not blank", "body");
  }
  PAYOPS_TRY(CheckCategory(in.category));
  if (in.tags.size() > kMaxKbTags) {
    return Error::Invalid("too_many_items", "tags holds at most 20 tags", "tags");
  }
  for (size_t i = 0; i < in.tags.size(); ++i) {
    const std::string& t = in.tags[i];
    if (t.size() > kMaxKbTagBytes || IsBlank(t) || HasControl(t) ||
        t.find(',') != std::string::npos) {
      std::string field = "tags[" + std::to_string(i) + "]";
      return Error::Invalid("invalid_value",
                            field + " must be 1 to 40 bytes, without ',' or control characters",
                            field);
    }
  }
  return Status::Ok();
}

}  // namespace

std::string KbSlug(std::string_view title) {
  std::string out;
  bool dash = false;
  for (char ch : title) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!keep) {
      dash = !out.empty();
      continue;
    }
    if (dash) out += '-';
    dash = false;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (out.size() >= kMaxKbSlugBytes) break;
  }
  if (out.size() > kMaxKbSlugBytes) out.resize(kMaxKbSlugBytes);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "article" : out;
}

std::string KbSnippet(std::string_view body, const std::vector<std::string>& terms) {
  const std::string lower = ToLowerAscii(body);
  size_t pos = std::string::npos;
  for (const std::string& t : terms) {
    size_t at = lower.find(t);
    // A stem of a longer term finds "settles" for "settled".
    if (at == std::string::npos && t.size() > 5) at = lower.find(t.substr(0, t.size() - 2));
    pos = std::min(pos, at);
  }
  size_t start = 0;
  if (pos != std::string::npos && pos > kSnippetLead) {
    start = pos - kSnippetLead;
    size_t space = body.find(' ', start);
    start = space != std::string_view::npos && space < pos ? space + 1 : start;
  }
  while (start < body.size() && IsContinuation(body[start])) ++start;
  size_t end = std::min(body.size(), start + kKbSnippetBytes);
  if (end < body.size()) {
    size_t space = body.rfind(' ', end);
    if (space != std::string_view::npos && space > start + kKbSnippetBytes / 2) end = space;
    while (end > start && IsContinuation(body[end])) --end;
  }
  std::string text;
  bool space = false;
  for (char c : body.substr(start, end - start)) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !text.empty();
      continue;
    }
    if (space) text += ' ';
    space = false;
    text += c;
  }
  if (start > 0) text = "… " + text;
  if (end < body.size()) text += " …";
  return text;
}

Result<store::KbArticle> CreateKbArticle(Env& env, const Actor& actor, const NewKbArticle& in) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  PAYOPS_TRY(Validate(in));
  std::vector<std::string> tags;
  for (const std::string& t : in.tags) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  }
  std::optional<store::KbArticle> out;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    store::KbArticle a{env.ids.New("kb"), "",  in.title, in.body, in.category, tags, in.published,
                       actor.member_id,   now, now};
    const std::string base = KbSlug(in.title);
    a.slug = base;
    for (int n = 2;; ++n) {
      PAYOPS_ASSIGN_OR_RETURN(bool taken, store::KbSlugTaken(tx, a.slug));
      if (!taken) break;
      if (n > 100) {
        // The id body (lowercase letters and digits) is unique.
        a.slug = base + "-" + a.id.substr(a.id.find('_') + 1);
        break;
      }
      a.slug = base + "-" + std::to_string(n);
    }
    PAYOPS_TRY(store::InsertKbArticle(tx, a));
    out = std::move(a);
    return Status::Ok();
  }));
  return std::move(*out);
}

Result<store::KbArticle> GetKbArticle(Env& env, const Actor& actor, const std::string& id_or_slug) {
  std::optional<store::KbArticle> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto a, store::FindKbArticle(tx, id_or_slug, MayWrite(actor)));
    if (!a) return Error::NotFound("article");
    out = std::move(*a);
    return Status::Ok();
  }));
  return std::move(*out);
}

Result<store::Page<store::KbArticle>> ListKbArticles(Env& env, const Actor& actor,
                                                     const store::PageRequest& page,
                                                     const std::optional<std::string>& category) {
  PAYOPS_TRY(CheckCategory(category));
  store::Page<store::KbArticle> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListKbArticles(tx, page, {category, MayWrite(actor)}));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<KbSearchHit>> SearchKb(Env& env, const Actor& actor,
                                          const std::optional<std::string>& q,
                                          const std::optional<std::string>& category, int limit) {
  if (q && (q->empty() || q->size() > kMaxKbQueryBytes)) {
    return Error::Invalid("invalid_value", "q must be 1 to 200 bytes", "q");
  }
  PAYOPS_TRY(CheckCategory(category));
  if (!q && !category) {
    return Error::Invalid("missing_field", "give q, category or both", "q");
  }
  std::vector<KbSearchHit> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    out.clear();
    if (q) {
      PAYOPS_ASSIGN_OR_RETURN(auto hits,
                              store::SearchKbArticles(tx, *q, {category, MayWrite(actor)}, limit));
      std::vector<std::string> terms = store::KbSearchTerms(*q);
      for (auto& h : hits) {
        std::string snippet = KbSnippet(h.article.body, terms);
        out.push_back(KbSearchHit{std::move(h.article), std::move(snippet), h.score});
      }
      return Status::Ok();
    }
    PAYOPS_ASSIGN_OR_RETURN(auto list,
                            store::SuggestKbArticles(tx, *category, MayWrite(actor), limit));
    for (auto& a : list) {
      std::string snippet = KbSnippet(a.body, {});
      out.push_back(KbSearchHit{std::move(a), std::move(snippet), std::nullopt});
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace payops::service
