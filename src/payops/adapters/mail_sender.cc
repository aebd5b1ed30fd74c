#include "payops/adapters/mail_sender.h"

#include <curl/curl.h>

#include <cstring>
#include <mutex>

namespace payops::adapters {
namespace {

struct ReadState {
  const std::string* data;
  size_t pos;
};

size_t ReadChunk(char* buf, size_t size, size_t n, void* user) {
  auto* st = static_cast<ReadState*>(user);
  size_t room = size * n;
  size_t left = st->data->size() - st->pos;
  size_t take = left < room ? left : room;
  std::memcpy(buf, st->data->data() + st->pos, take);
  st->pos += take;
  return take;
}

class SmtpSender final : public MailSender {
 public:
  explicit SmtpSender(SmtpSettings s) : settings_(std::move(s)) {
    InitCurlOnce();
    easy_ = curl_easy_init();
  }
  ~SmtpSender() override {
    if (easy_) curl_easy_cleanup(easy_);
  }
  SmtpSender(const SmtpSender&) = delete;
  SmtpSender& operator=(const SmtpSender&) = delete;

  Status Send(const Envelope& e) override {
    if (!easy_) return Error::Unavailable("libcurl could not start");
    if (e.to.empty()) return Error::Invalid("invalid_recipients", "no recipient");
    // Options for this message; the handle (and its connection cache) stays.
    curl_easy_reset(easy_);
    char errbuf[CURL_ERROR_SIZE] = {0};
    ReadState st{&e.data, 0};
    std::string from = "<" + e.mail_from + ">";
    curl_slist* rcpt = nullptr;
    for (const std::string& to : e.to) rcpt = curl_slist_append(rcpt, ("<" + to + ">").c_str());
    curl_easy_setopt(easy_, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, settings_.timeout_ms);
    curl_easy_setopt(easy_, CURLOPT_USE_SSL,
                     settings_.starttls ? static_cast<long>(CURLUSESSL_ALL)
                                        : static_cast<long>(CURLUSESSL_NONE));
    if (!settings_.username.empty()) {
      curl_easy_setopt(easy_, CURLOPT_USERNAME, settings_.username.c_str());
      curl_easy_setopt(easy_, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(easy_, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(easy_, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(easy_, CURLOPT_READFUNCTION, ReadChunk);
    curl_easy_setopt(easy_, CURLOPT_READDATA, &st);
    curl_easy_setopt(easy_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(e.data.size()));
    CURLcode rc = curl_easy_perform(easy_);
    long reply = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpt);
    if (rc == CURLE_OK) return Status::Ok();
    std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    why += " (" + std::to_string(reply) + ")";
    if (reply >= 500 && reply < 600 && rc != CURLE_LOGIN_DENIED) {
      return Error::Refused("smtp_refused", "SMTP: " + why);
    }
    return Error::Unavailable("SMTP: " + why);
  }

 private:
  SmtpSettings settings_;
  CURL* easy_ = nullptr;
};

}  // namespace

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::unique_ptr<MailSender> MakeSmtpSender(const SmtpSettings& settings) {
  return std::make_unique<SmtpSender>(settings);
}

}  // namespace payops::adapters
