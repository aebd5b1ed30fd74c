#include "payops/store/wait.h"

namespace payops::store {
namespace {
thread_local Waiter* current_waiter = nullptr;
}  // namespace

Waiter* Waiter::Current() {
  return current_waiter;
}

void Waiter::SetCurrent(Waiter* w) {
  current_waiter = w;
}

}  // namespace payops::store
