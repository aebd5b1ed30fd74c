// The HTTP request and response as the API layer sees them: plain values, no
// Beast types, so resource files compile without the networking headers.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "payops/core/role.h"

namespace payops::http {

struct HttpRequest {
  std::string method;                                      // "GET", "POST", ...
  std::string target;                                      // as received
  std::string path;                                        // percent-decoded path
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  std::string body;
  std::string authorization;
  std::string idempotency_key;
  std::string accept;
  std::string accept_encoding;  // the Accept-Encoding header
  std::string cookie;           // the Cookie header
  std::string csrf_token;       // the X-CSRF-Token header
  std::string request_id;
  std::string remote_address;  // the peer's IP address (rate limits by address)
  std::unordered_map<std::string, std::string> params;  // path parameters
  Actor actor;                                          // set after authentication
  // Set when the caller signed in with a web session (not an API key).
  std::string session_token;
  std::string session_csrf;

  // The value of a query parameter, or nullopt.
  const std::string* Query(std::string_view name) const {
    for (const auto& [k, v] : query) {
      if (k == name) return &v;
    }
    return nullptr;
  }
  const std::string& Param(const std::string& name) const { return params.at(name); }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace payops::http
