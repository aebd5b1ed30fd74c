#include "payops/core/tier_upgrade.h"

#include <string>

namespace payops {
namespace {

struct Row {
  std::string_view from, to;
};
constexpr Row kTransitions[] = {
    {"OPEN", "SUBMITTED"},
    {"SUBMITTED", "APPROVED"},
    {"SUBMITTED", "REJECTED"},
};

}  // namespace

Status CheckTierUpgradeTransition(std::string_view from, std::string_view to) {
  for (const Row& r : kTransitions) {
    if (r.from == from && r.to == to) return Status::Ok();
  }
  return Error::Conflict("illegal_transition", "the tier upgrade is " + std::string(from) +
                                                   ": it cannot become " + std::string(to));
}

}  // namespace payops
