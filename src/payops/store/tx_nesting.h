// Per-thread record of the transaction a thread is inside, so that a Write or
// Read called from within another joins it instead of opening a second one.
#pragma once

#include <string>

#include "payops/store/store.h"

namespace payops::store {

struct ActiveTx {
  const Store* store = nullptr;
  Tx* tx = nullptr;
  bool read_only = false;
  int savepoint_depth = 0;
};

ActiveTx& CurrentTx();

// Sets the thread's active transaction for the lifetime of the scope.
class ActiveTxScope {
 public:
  ActiveTxScope(const Store* store, Tx* tx, bool read_only) : saved_(CurrentTx()) {
    CurrentTx() = ActiveTx{store, tx, read_only, 0};
  }
  ~ActiveTxScope() { CurrentTx() = saved_; }
  ActiveTxScope(const ActiveTxScope&) = delete;
  ActiveTxScope& operator=(const ActiveTxScope&) = delete;

 private:
  ActiveTx saved_;
};

// Runs fn in the thread's active transaction of `store`, if any: as a
// savepoint for writes, directly for reads. Returns nullopt when the thread is
// not inside a transaction of this store.
std::optional<Status> RunNested(const Store* store, const TxFn& fn, bool write);

// Runs fn, turning an escaping exception into an internal error value.
Status RunGuarded(const TxFn& fn, Tx& tx);

}  // namespace payops::store
