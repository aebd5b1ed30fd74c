// The contract of docs/openapi.yaml, read with a YAML library: every response
// the API tests receive is checked against the operation's documented
// statuses and response schema, so that the file cannot drift from the server.
//
// The schemas use a subset of JSON Schema, checked as written in the file:
// type, required, properties, items, enum, nullable, $ref, allOf and
// additionalProperties.
#pragma once

#include <string>
#include <vector>

namespace payops::testing {

struct HttpResult;

// The problems of one response to `method target` (empty when it keeps the
// contract). A path that matches no documented path is the router's 404/405
// and is not checked.
std::vector<std::string> ContractViolations(const std::string& method, const std::string& target,
                                            const HttpResult& response);

// The documented operations, "METHOD /path/{param}".
std::vector<std::string> DocumentedOperations();

}  // namespace payops::testing
