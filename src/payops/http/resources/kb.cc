// POST/GET /v1/kb/articles, GET /v1/kb/articles/{id} (id or slug),
// GET /v1/kb/search?q=&category=.
#include "payops/service/kb.h"

#include <charconv>

#include "payops/http/api.h"

namespace payops::http {
namespace {

json::array TagsJson(const std::vector<std::string>& tags) {
  json::array out;
  for (const auto& t : tags) out.emplace_back(t);
  return out;
}

// A list item: the article without its body, with the start of it.
json::object Summary(const store::KbArticle& a) {
  return json::object{{"id", a.id},
                      {"slug", a.slug},
                      {"title", a.title},
                      {"category", OptJson(a.category)},
                      {"tags", TagsJson(a.tags)},
                      {"published", a.published},
                      {"snippet", service::KbSnippet(a.body, {})},
                      {"created_at", TimeJson(a.created_at)},
                      {"updated_at", TimeJson(a.updated_at)}};
}

json::object Full(const store::KbArticle& a) {
  return json::object{{"id", a.id},
                      {"slug", a.slug},
                      {"title", a.title},
                      {"body", a.body},
                      {"category", OptJson(a.category)},
                      {"tags", TagsJson(a.tags)},
                      {"published", a.published},
                      {"created_by", a.created_by},
                      {"created_at", TimeJson(a.created_at)},
                      {"updated_at", TimeJson(a.updated_at)}};
}

json::object HitJson(const service::KbSearchHit& h) {
  json::object o{{"id", h.article.id},
                 {"slug", h.article.slug},
                 {"title", h.article.title},
                 {"category", OptJson(h.article.category)},
                 {"snippet", h.snippet}};
  if (h.score) o["score"] = *h.score;
  return o;
}

Result<service::NewKbArticle> Parse(const json::object& body) {
  Fields f(body);
  PAYOPS_TRY(f.AllowOnly({"title", "body", "category", "tags", "published"}));
  service::NewKbArticle in;
  PAYOPS_ASSIGN_OR_RETURN(in.title, f.Str("title", service::kMaxKbTitleBytes));
  PAYOPS_ASSIGN_OR_RETURN(in.body, f.Str("body", service::kMaxKbBodyBytes));
  PAYOPS_ASSIGN_OR_RETURN(in.category, f.OptStr("category", 64));
  PAYOPS_ASSIGN_OR_RETURN(in.tags,
                          f.StrArray("tags", service::kMaxKbTags, service::kMaxKbTagBytes));
  PAYOPS_ASSIGN_OR_RETURN(auto published, f.OptBool("published"));
  in.published = published.value_or(true);
  return in;
}

// ?limit= of a search: 1..50, default 50.
Result<int> SearchLimit(const HttpRequest& req) {
  const std::string* l = req.Query("limit");
  if (!l) return store::kMaxKbResults;
  int v = 0;
  bool digits = !l->empty() && l->size() <= 2;
  for (char c : *l) {
    digits = digits && c >= '0' && c <= '9';
    if (digits) v = v * 10 + (c - '0');
  }
  if (!digits || v < 1 || v > store::kMaxKbResults) {
    return Error::Invalid("invalid_limit", "limit must be an integer from 1 to 50", "limit");
  }
  return v;
}

std::optional<std::string> OptQuery(const HttpRequest& req, const char* name) {
  const std::string* v = req.Query(name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

}  // namespace

void RegisterKb(Api& api) {
  Router& r = api.router();
  r.Add("POST", "/v1/kb/articles", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    auto in = Parse(*body);
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::CreateKbArticle(api.env(), req.actor, *in), 201, Full);
  });
  r.Add("GET", "/v1/kb/articles", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    auto list = service::ListKbArticles(api.env(), req.actor, *page, OptQuery(req, "category"));
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& a : list->items) data.emplace_back(Summary(a));
    return JsonResponse(200, ListBody(std::move(data), list->has_more,
                                      list->items.empty() ? "" : list->items.back().id));
  });
  r.Add("GET", "/v1/kb/articles/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetKbArticle(api.env(), req.actor, req.Param("id")), 200, Full);
  });
  r.Add("GET", "/v1/kb/search", [&api](HttpRequest& req) {
    auto limit = SearchLimit(req);
    if (!limit.ok()) return ErrorResponse(limit.error(), req.request_id);
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    // The ranked matches (at most kMaxKbResults) are paged by position: the
    // cursor holds "r<rank of the last one shown>".
    size_t start = 0;
    if (page->after_id) {
      const std::string& key = *page->after_id;
      size_t rank = 0;
      auto [end, ec] = std::from_chars(key.data() + std::min<size_t>(1, key.size()),
                                       key.data() + key.size(), rank);
      if (key.size() < 2 || key[0] != 'r' || ec != std::errc() || end != key.data() + key.size() ||
          rank >= store::kMaxKbResults) {
        return ErrorResponse(
            Error::Invalid("invalid_cursor", "cursor is not one this server issued", "cursor"),
            req.request_id);
      }
      start = rank + 1;
    }
    auto hits = service::SearchKb(api.env(), req.actor, OptQuery(req, "q"),
                                  OptQuery(req, "category"), store::kMaxKbResults);
    if (!hits.ok()) return ErrorResponse(hits.error(), req.request_id);
    json::array data;
    size_t i = start;
    for (; i < hits->size() && data.size() < static_cast<size_t>(*limit); ++i) {
      data.emplace_back(HitJson((*hits)[i]));
    }
    const bool more = i < hits->size();
    return JsonResponse(200, ListBody(std::move(data), more, "r" + std::to_string(i - 1)));
  });
}

}  // namespace payops::http
