// A value-or-error result for outcomes that input can cause (STYLE.md: errors
// as values). std::expected is not usable with clang 14's libstdc++ headers.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace copper {

struct error {
  std::string message;
  // A machine-readable reason where a protocol needs one, named after the
  // IMAP response codes of RFC 5530 ("NONEXISTENT", "ALREADYEXISTS",
  // "OVERQUOTA", ...); empty otherwise.
  std::string code;
  // The input field at fault, where an API reports it (admin/); may be empty.
  std::string field;
};

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  result(error err) : v_(std::move(err)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const error& err() const { return std::get<1>(v_); }

 private:
  std::variant<T, error> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error err) : err_(std::move(err)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const error& err() const { return err_; }

 private:
  error err_;
  bool ok_ = true;
};

inline error make_error(std::string message, std::string code = {}, std::string field = {}) {
  return error{std::move(message), std::move(code), std::move(field)};
}

}  // namespace copper
