// Error values shared by every layer. A caller that must handle a failure gets
// it as a value (Result<T> / Status), never as an exception.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace payops {

// What kind of failure this is; the HTTP layer maps each kind to one status.
enum class ErrorKind {
  kInvalid,          // 400: malformed or wrongly typed input
  kUnauthenticated,  // 401
  kForbidden,        // 403
  kNotFound,         // 404 (also: another tenant's object)
  kConflict,         // 409: illegal transition, idempotency mismatch, duplicate
  kTooLarge,         // 413
  kRefused,          // 422: valid input refused by a rule
  kRateLimited,      // 429
  kUnavailable,      // 503: a dependency is down or overloaded
  kInternal,         // 500: a bug or an unexpected storage failure
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // snake_case, stable, part of the API contract
  std::string message;  // for humans
  std::string field;    // optional: the input field at fault

  static Error Invalid(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kInvalid, std::move(code), std::move(message), std::move(field)};
  }
  static Error NotFound(std::string what) {
    return {ErrorKind::kNotFound, "not_found", std::move(what) + " not found", {}};
  }
  static Error Conflict(std::string code, std::string message) {
    return {ErrorKind::kConflict, std::move(code), std::move(message), {}};
  }
  static Error Refused(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kRefused, std::move(code), std::move(message), std::move(field)};
  }
  static Error Forbidden(std::string message) {
    return {ErrorKind::kForbidden, "forbidden", std::move(message), {}};
  }
  static Error Internal(std::string message) {
    return {ErrorKind::kInternal, "internal", std::move(message), {}};
  }
  static Error Unavailable(std::string message) {
    return {ErrorKind::kUnavailable, "unavailable", std::move(message), {}};
  }
};

// Result<T> holds either a T or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& take_error() {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// Status is a Result without a value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT
  static Status Ok() { return {}; }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }
  Error&& take_error() {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

}  // namespace payops

// Propagates an error out of the enclosing function.
#define PAYOPS_TRY(expr)                                    \
  do {                                                      \
    auto payops_try_ = (expr);                              \
    if (!payops_try_.ok()) return payops_try_.take_error(); \
  } while (0)

#define PAYOPS_CONCAT_INNER(a, b) a##b
#define PAYOPS_CONCAT(a, b) PAYOPS_CONCAT_INNER(a, b)
// Declares `lhs` from a Result's value, or returns its error.
#define PAYOPS_ASSIGN_OR_RETURN(lhs, expr) \
  PAYOPS_ASSIGN_OR_RETURN_IMPL(PAYOPS_CONCAT(payops_res_, __LINE__), lhs, expr)
#define PAYOPS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.take_error();            \
  lhs = std::move(tmp).value()
