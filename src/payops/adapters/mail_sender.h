// Outbound mail behind an interface: the SMTP sender (libcurl) and, for
// tests, whatever records what it is given. A sender is used by one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "payops/core/result.h"

namespace payops::adapters {

struct Envelope {
  std::string mail_from;        // bare address
  std::vector<std::string> to;  // bare addresses
  std::string data;             // the whole RFC 5322 message, CRLF lines
};

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Ok once the server accepted the message. kUnavailable for a failure worth
  // retrying (no connection, timeout, a 4xx reply, refused login); kRefused
  // for a permanent refusal (a 5xx reply to the sender, a recipient or the
  // data).
  virtual Status Send(const Envelope& envelope) = 0;
};

struct SmtpSettings {
  std::string url;        // smtp://host:port or smtps://host:port
  bool starttls = false;  // require STARTTLS on smtp://
  std::string username;
  std::string password;
  long connect_timeout_ms = 10000;
  long timeout_ms = 30000;  // a whole message, connection included
};

// libcurl: one easy handle kept between messages, so the SMTP connection is
// reused (MAIL FROM / RCPT TO / DATA again on the open session).
std::unique_ptr<MailSender> MakeSmtpSender(const SmtpSettings& settings);

// curl_global_init, once per process, before any thread uses libcurl.
void InitCurlOnce();

}  // namespace payops::adapters
