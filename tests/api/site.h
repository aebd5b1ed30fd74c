// A scratch folder and a sandbox server configured by a TOML file in it,
// with an admin key and the calls most API tests make.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness.h"
#include "payops/core/clock.h"

namespace payops::testing {

// A folder under /tmp, removed with everything in it.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/payops-site-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Writes `text` to the file `name` in the folder; its path.
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name) << text;
    return path + "/" + name;
  }
  std::string path;
};

// `payops serve --sandbox --config DIR/payops.toml` on `store_url` (a fresh
// SQLite store when empty) and an admin key made by `payops key create`.
struct ConfiguredServer {
  ConfiguredServer(const TempDir& dir, const std::string& toml, const std::string& store_url = "")
      : server(store_url, {"--config", dir.Write("payops.toml", toml)}) {
    int rc = 0;
    admin = server.RunCli({"key", "create", "--store", server.store_url(), "--role", "admin",
                           "--name", "Ada Admin", "--email", "ada@payops.test"},
                          &rc);
    EXPECT_EQ(rc, 0) << admin;
    admin.erase(admin.find_last_not_of('\n') + 1);
  }
  // One request with `key` (the admin's when empty).
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& key = "") {
    return Request(server.port(), method, target, body,
                   {{"Authorization", "Bearer " + (key.empty() ? admin : key)}});
  }
  // One request as the admin; its status is expected to be `expect` (any
  // status when 0); the body parsed (null when empty).
  boost::json::value Json(const std::string& method, const std::string& target,
                          const std::string& body = "", int expect = 200) {
    auto r = Call(method, target, body);
    if (expect != 0) {
      EXPECT_EQ(r.status, expect) << method << " " << target << " " << body << ": " << r.body;
    }
    return boost::json::parse(r.body.empty() ? "null" : r.body);
  }
  // A new API key of `role` for the staff member `email`.
  std::string Key(const std::string& role, const std::string& email) {
    auto k = Json(
        "POST", "/v1/api-keys",
        R"({"role":")" + role + R"(","name":"T )" + role + R"(","email":")" + email + R"("})", 201);
    return std::string(k.at("key").as_string());
  }
  // The sandbox clock, and moving it forward.
  Instant Now() {
    auto v = Json("GET", "/v1/sandbox/clock");
    return *ParseRfc3339(std::string(v.at("now").as_string()));
  }
  void Advance(std::chrono::seconds d) {
    Json("POST", "/v1/sandbox/clock", R"({"now":")" + FormatRfc3339(Now() + d) + R"("})");
  }

  ServerProcess server;
  std::string admin;
};

}  // namespace payops::testing
