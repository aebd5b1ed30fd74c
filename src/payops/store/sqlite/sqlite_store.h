// SQLite backend: WAL, foreign keys on, busy timeout, cached prepared
// statements. Writes go through one writer thread that commits queued
// transactions together (group commit): each job runs in its own savepoint, so
// a failing job rolls back alone, and one fsync covers the group.
#pragma once

#include <memory>
#include <string_view>

#include "payops/store/store.h"

namespace payops::store {

// `path` is what follows "sqlite://": "/abs/file.db", "./rel.db" or ":memory:".
Result<std::unique_ptr<Store>> OpenSqlite(std::string_view path, const StoreOptions& options);

}  // namespace payops::store
