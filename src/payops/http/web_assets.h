// The web page's files, compiled into the binary from web/.
#pragma once

#include <string_view>
#include <vector>

namespace payops::http {

struct WebAsset {
  std::string_view name;  // "index.html", "app.js"
  std::string_view content_type;
  std::string_view body;
};

const std::vector<WebAsset>& WebAssets();

}  // namespace payops::http
