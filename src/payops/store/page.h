// Keyset pagination: rows come in id order, strictly after `after_id`.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace payops::store {

struct PageRequest {
  int limit = 50;  // already validated: 1..500
  std::optional<std::string> after_id;
};

template <class T>
struct Page {
  std::vector<T> items;
  bool has_more = false;
};

}  // namespace payops::store
