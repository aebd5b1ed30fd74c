// Real receivers for payops's outbound traffic, on free loopback ports: an
// SMTP sink (aiosmtpd writing a Maildir) and a tiny HTTP receiver for
// webhooks and pages, plus a parser for the messages received.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace payops::testing {

// A loopback TCP port nobody listens on (bound, read, closed).
int FreePort();

// `/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox DIR`.
class SmtpSink {
 public:
  SmtpSink();
  ~SmtpSink();
  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // The raw messages in DIR/new, oldest first.
  std::vector<std::string> Messages() const;
  // Waits until at least `n` messages arrived (or the timeout); returns them.
  std::vector<std::string> WaitFor(size_t n, std::chrono::milliseconds timeout) const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// One received email, parsed: headers unfolded (lowercase names, in order),
// the text and HTML parts decoded from base64.
struct ParsedMail {
  std::multimap<std::string, std::string> headers;
  std::string Header(const std::string& name) const;  // first, or ""
  std::string subject;                                // RFC 2047 decoded
  std::string content_type;
  std::string text;
  std::string html;
  std::string raw;
};
ParsedMail ParseMail(const std::string& raw);
std::string DecodeBase64(const std::string& in);

struct HttpHit {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

// An HTTP/1.1 server thread on a free loopback port. `answer` returns the
// status for each request (0: never answer, hold the connection open until
// the client gives up). Every request is recorded.
class HttpReceiver {
 public:
  explicit HttpReceiver(std::function<int(const HttpHit&, int index)> answer);
  ~HttpReceiver();
  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<HttpHit> Hits() const;
  std::vector<HttpHit> WaitFor(size_t n, std::chrono::milliseconds timeout) const;

 private:
  void Serve();
  std::function<int(const HttpHit&, int)> answer_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<HttpHit> hits_;
  std::thread thread_;
};

}  // namespace payops::testing
