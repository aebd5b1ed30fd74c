// PostgreSQL backend over libpq: a bounded connection pool, cached prepared
// statements, SERIALIZABLE transactions retried on serialization failures.
#pragma once

#include <memory>
#include <string_view>

#include "payops/store/store.h"

namespace payops::store {

Result<std::unique_ptr<Store>> OpenPostgres(std::string_view url, const StoreOptions& options);

}  // namespace payops::store
