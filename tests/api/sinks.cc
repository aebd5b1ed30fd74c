#include "sinks.h"

#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace payops::testing {
namespace {

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "=?UTF-8?B?...?=" words decoded, the folding whitespace between words dropped.
std::string DecodeWords(const std::string& v) {
  std::string out;
  size_t pos = 0;
  bool last_was_word = false;
  while (pos < v.size()) {
    size_t start = v.find("=?", pos);
    if (start == std::string::npos) {
      out += v.substr(pos);
      break;
    }
    std::string between = v.substr(pos, start - pos);
    bool blank = between.find_first_not_of(" \t") == std::string::npos;
    if (!(last_was_word && blank)) out += between;
    size_t q1 = v.find('?', start + 2);
    size_t q2 = v.find('?', q1 + 1);
    size_t end = v.find("?=", q2 + 1);
    if (q1 == std::string::npos || q2 == std::string::npos || end == std::string::npos) {
      out += v.substr(start);
      break;
    }
    std::string enc = Lower(v.substr(q1 + 1, q2 - q1 - 1));
    std::string text = v.substr(q2 + 1, end - q2 - 1);
    out += enc == "b" ? DecodeBase64(text) : text;
    last_was_word = true;
    pos = end + 2;
  }
  return out;
}

struct Part {
  std::multimap<std::string, std::string> headers;
  std::string body;
};

Part SplitHead(const std::string& raw) {
  Part p;
  size_t end = raw.find("\r\n\r\n");
  std::string head = raw.substr(0, end == std::string::npos ? raw.size() : end);
  p.body = end == std::string::npos ? "" : raw.substr(end + 4);
  std::string unfolded;
  for (size_t i = 0; i < head.size(); ++i) {
    if (head.compare(i, 2, "\r\n") == 0 && i + 2 < head.size() &&
        (head[i + 2] == ' ' || head[i + 2] == '\t')) {
      i += 1;  // drop CRLF, keep the whitespace
      continue;
    }
    unfolded += head[i];
  }
  std::istringstream in(unfolded);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    p.headers.emplace(Lower(line.substr(0, colon)), value);
  }
  return p;
}

std::string First(const std::multimap<std::string, std::string>& h, const std::string& name) {
  auto it = h.find(name);
  return it == h.end() ? "" : it->second;
}

}  // namespace

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("bind failed");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string DecodeBase64(const std::string& in) {
  static const std::string kAlpha =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kAlpha.find(c);
    if (v == std::string::npos) continue;  // line ends, padding
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

SmtpSink::SmtpSink() {
  char tmpl[] = "/tmp/payops-smtp-XXXXXX";
  dir_ = mkdtemp(tmpl);
  for (const char* sub : {"/tmp", "/new", "/cur"}) std::filesystem::create_directory(dir_ + sub);
  for (int tries = 0; tries < 5; ++tries) {
    port_ = FreePort();
    std::string listen = "127.0.0.1:" + std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open((dir_ + "/sink.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execl("/usr/bin/python3", "python3", "-m", "aiosmtpd", "-n", "-l", listen.c_str(), "-c",
            "aiosmtpd.handlers.Mailbox", dir_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {  // up to 10 s
      if (CanConnect(port_)) return;
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // the port was taken meanwhile: try another
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (pid_ > 0) break;
  }
  if (pid_ <= 0) {
    throw std::runtime_error("aiosmtpd did not start: " + ReadFile(dir_ + "/sink.log"));
  }
}

SmtpSink::~SmtpSink() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::vector<std::string> SmtpSink::Messages() const {
  std::vector<std::pair<std::filesystem::file_time_type, std::string>> files;
  for (const auto& e : std::filesystem::directory_iterator(dir_ + "/new")) {
    files.emplace_back(e.last_write_time(), e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& [t, path] : files) out.push_back(ReadFile(path));
  return out;
}

std::vector<std::string> SmtpSink::WaitFor(size_t n, std::chrono::milliseconds timeout) const {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto msgs = Messages();
    if (msgs.size() >= n || std::chrono::steady_clock::now() > until) return msgs;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string ParsedMail::Header(const std::string& name) const {
  return First(headers, Lower(name));
}

ParsedMail ParseMail(const std::string& raw_in) {
  // The Maildir holds LF lines; the wire had CRLF.
  std::string raw;
  for (size_t i = 0; i < raw_in.size(); ++i) {
    if (raw_in[i] == '\n' && (i == 0 || raw_in[i - 1] != '\r')) raw += '\r';
    raw += raw_in[i];
  }
  ParsedMail m;
  m.raw = raw;
  Part top = SplitHead(raw);
  m.headers = top.headers;
  m.subject = DecodeWords(First(top.headers, "subject"));
  m.content_type = First(top.headers, "content-type");
  auto take = [&](const Part& p) {
    std::string type = Lower(First(p.headers, "content-type"));
    std::string body = Lower(First(p.headers, "content-transfer-encoding")) == "base64"
                           ? DecodeBase64(p.body)
                           : p.body;
    if (type.rfind("text/plain", 0) == 0) m.text = body;
    if (type.rfind("text/html", 0) == 0) m.html = body;
  };
  size_t b = m.content_type.find("boundary=\"");
  if (b == std::string::npos) {
    take(top);
    return m;
  }
  std::string boundary = m.content_type.substr(b + 10);
  boundary = "--" + boundary.substr(0, boundary.find('"'));
  size_t pos = top.body.find(boundary);
  while (pos != std::string::npos) {
    pos += boundary.size();
    if (top.body.compare(pos, 2, "--") == 0) break;
    size_t next = top.body.find("\r\n" + boundary, pos);
    if (next == std::string::npos) break;
    take(SplitHead(top.body.substr(pos + 2, next - pos - 2)));
    pos = next + 2;
  }
  return m;
}

HttpReceiver::HttpReceiver(std::function<int(const HttpHit&, int)> answer)
    : answer_(std::move(answer)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 64) != 0) {
    close(listen_fd_);
    throw std::runtime_error("receiver bind/listen failed");
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

HttpReceiver::~HttpReceiver() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::vector<HttpHit> HttpReceiver::Hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

std::vector<HttpHit> HttpReceiver::WaitFor(size_t n, std::chrono::milliseconds timeout) const {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto hits = Hits();
    if (hits.size() >= n || std::chrono::steady_clock::now() > until) return hits;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// One request per connection (the answer says Connection: close); a held
// connection stays open until the client closes it or the receiver stops.
void HttpReceiver::Serve() {
  std::vector<int> held;
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in;
    char buf[8192];
    size_t head_end = std::string::npos;
    size_t content_length = 0;
    while (true) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos) {
        head_end = in.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          std::string lower = Lower(in.substr(0, head_end));
          size_t cl = lower.find("content-length:");
          if (cl != std::string::npos) content_length = std::stoul(lower.substr(cl + 15));
        }
      }
      if (head_end != std::string::npos && in.size() >= head_end + 4 + content_length) break;
    }
    if (head_end == std::string::npos) {
      close(fd);
      continue;
    }
    HttpHit hit;
    std::istringstream head(in.substr(0, head_end));
    std::string line;
    std::getline(head, line);
    std::istringstream first(line);
    first >> hit.method >> hit.target;
    hit.headers = ReadHeaderLines(head);
    hit.body = in.substr(head_end + 4, content_length);
    int index;
    {
      std::lock_guard<std::mutex> lock(mu_);
      index = static_cast<int>(hits_.size());
      hits_.push_back(hit);
    }
    int status = answer_(hit, index);
    if (status == 0) {
      held.push_back(fd);
      continue;
    }
    std::string out = "HTTP/1.1 " + std::to_string(status) +
                      " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    close(fd);
  }
  for (int fd : held) close(fd);
}

}  // namespace payops::testing
