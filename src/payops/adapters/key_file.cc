#include "payops/adapters/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace payops::adapters {
namespace {

constexpr size_t kHexDigits = 64;
constexpr size_t kMaxFileBytes = 128;  // a key file is 65 bytes; more is not one
constexpr mode_t kOwnerOnly = S_IRUSR | S_IWUSR;

Error Unwritable(const std::string& path, const char* what) {
  return Error::Refused(
      "key_file_unwritable",
      std::string("cannot ") + what + " the key file " + path + ": " + std::strerror(errno),
      "key_file");
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// fsync of a directory, so that a created, renamed or removed entry survives a crash.
bool SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<std::string> KeyFileFor(std::string_view store_url, std::string_view state_dir) {
  if (store_url.starts_with("sqlite://")) {
    std::string_view path = store_url.substr(9);
    if (path.empty()) {
      return Error::Invalid("invalid_store_url", "sqlite:// needs a file path", "store");
    }
    return std::string(path) + ".key";
  }
  if (store_url.starts_with("postgresql://") || store_url.starts_with("postgres://")) {
    if (state_dir.empty()) {
      return Error::Invalid("invalid_config", "state_dir must name a directory", "state_dir");
    }
    std::string dir(state_dir);
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir + "/encryption.key";
  }
  return Error::Invalid("invalid_store_url", "store URL must start with sqlite:// or postgresql://",
                        "store");
}

Result<std::optional<std::string>> ReadKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Error::Refused("key_file_unreadable",
                          "cannot read the key file " + path + ": " + std::strerror(errno),
                          "key_file");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error::Refused("key_file_permissions",
                          "the key file " + path +
                              " must be a regular file that only its owner may read (mode " +
                              "0600; it is " + mode + "): chmod 600 it",
                          "key_file");
  }
  char buf[kMaxFileBytes + 1];
  size_t got = 0;
  while (got < sizeof buf) {
    ssize_t n = ::read(fd, buf + got, sizeof buf - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      sodium_memzero(buf, sizeof buf);
      return Error::Refused("key_file_unreadable",
                            "cannot read the key file " + path + ": " + std::strerror(err),
                            "key_file");
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  size_t len = got;
  if (len > 0 && buf[len - 1] == '\n') --len;
  bool valid = len == kHexDigits;
  for (size_t i = 0; valid && i < len; ++i) valid = IsHex(buf[i]);
  std::optional<std::string> key;
  if (valid) key = std::string(buf, len);
  sodium_memzero(buf, sizeof buf);
  if (!key) {
    return Error::Refused(
        "invalid_key_file",
        "the key file " + path + " must hold exactly 64 hex digits (a 32-byte key)", "key_file");
  }
  return key;
}

Status CreateKeyFile(const std::string& path, std::string_view hex) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kOwnerOnly);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Error::Conflict("key_file_exists", "the key file " + path + " exists already");
    }
    return Unwritable(path, "create");
  }
  std::string text(hex);
  text.push_back('\n');
  // The mode given to open is masked by the umask, which can only take bits
  // away; fchmod makes it exactly 0600 all the same.
  bool ok = ::fchmod(fd, kOwnerOnly) == 0 && WriteAll(fd, text) && ::fsync(fd) == 0;
  sodium_memzero(text.data(), text.size());
  if (::close(fd) != 0) ok = false;
  if (!ok || !SyncDirectory(DirectoryOf(path))) {
    Error e = Unwritable(path, "write");
    ::unlink(path.c_str());
    return e;
  }
  return Status::Ok();
}

Status ReplaceKeyFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return Unwritable(to, "replace");
  if (!SyncDirectory(DirectoryOf(to))) return Unwritable(to, "sync the directory of");
  return Status::Ok();
}

Status RemoveKeyFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Unwritable(path, "remove");
  if (!SyncDirectory(DirectoryOf(path))) return Unwritable(path, "sync the directory of");
  return Status::Ok();
}

Status EnsureKeyDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), S_IRWXU) == 0) {
    if (!SyncDirectory(DirectoryOf(dir))) return Unwritable(dir, "sync the parent of");
    return Status::Ok();
  }
  struct stat st {};
  if (errno == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status::Ok();
  }
  return Unwritable(dir, "create the directory");
}

}  // namespace payops::adapters
