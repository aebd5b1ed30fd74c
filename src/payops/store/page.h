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

// Turns the rows of a query run with LIMIT page.limit + 1 into a page: the
// extra row only says that more follow.
template <class T, class Rows, class F>
Page<T> ToPage(const Rows& rows, int limit, F&& from_row) {
  Page<T> out;
  for (const auto& r : rows) {
    if (static_cast<int>(out.items.size()) == limit) {
      out.has_more = true;
      break;
    }
    out.items.push_back(from_row(r));
  }
  return out;
}

}  // namespace payops::store
