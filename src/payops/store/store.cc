#include "payops/store/store.h"

#include <cassert>
#include <charconv>

#include "payops/store/postgres/pg_store.h"
#include "payops/store/sqlite/sqlite_store.h"

namespace payops::store {

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (auto* n = std::get_if<int64_t>(&v)) return *n;
  if (auto* s = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = values_.at(i);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  return {};
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

Result<std::optional<Row>> Tx::QueryOne(std::string_view sql, std::initializer_list<Value> params) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

Result<std::unique_ptr<Store>> Open(std::string_view url, const StoreOptions& options) {
  if (url.starts_with("sqlite://")) return OpenSqlite(url.substr(9), options);
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return OpenPostgres(url, options);
  }
  return Error::Invalid("invalid_store_url", "store URL must start with sqlite:// or postgresql://",
                        "store");
}

}  // namespace payops::store
