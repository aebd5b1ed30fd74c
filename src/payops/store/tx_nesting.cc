#include "payops/store/tx_nesting.h"

#include <exception>

namespace payops::store {

ActiveTx& CurrentTx() {
  thread_local ActiveTx active;
  return active;
}

Status RunGuarded(const TxFn& fn, Tx& tx) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return Error::Internal(std::string("unexpected exception: ") + e.what());
  }
}

std::optional<Status> RunNested(const Store* store, const TxFn& fn, bool write) {
  ActiveTx& active = CurrentTx();
  if (active.store != store || active.tx == nullptr) return std::nullopt;
  if (!write) return RunGuarded(fn, *active.tx);
  if (active.read_only) return Status(Error::Internal("write attempted inside a read transaction"));
  std::string name = "sp" + std::to_string(++active.savepoint_depth);
  Tx& tx = *active.tx;
  auto begun = tx.Exec("SAVEPOINT " + name, {});
  if (!begun.ok()) {
    --active.savepoint_depth;
    return Status(begun.take_error());
  }
  Status s = RunGuarded(fn, tx);
  if (!s.ok()) (void)tx.Exec("ROLLBACK TO SAVEPOINT " + name, {});
  (void)tx.Exec("RELEASE SAVEPOINT " + name, {});
  --active.savepoint_depth;
  return s;
}

}  // namespace payops::store
