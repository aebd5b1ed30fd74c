#include "payops/adapters/http_poster.h"

#include <curl/curl.h>

#include <algorithm>

#include "payops/adapters/mail_sender.h"

namespace payops::adapters {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t len = size * n;
  if (out->size() < kMaxReplyBytes) out->append(data, std::min(len, kMaxReplyBytes - out->size()));
  return len;
}

class CurlPoster final : public HttpPoster {
 public:
  explicit CurlPoster(long connect_timeout_ms) : connect_timeout_ms_(connect_timeout_ms) {
    InitCurlOnce();
    easy_ = curl_easy_init();
  }
  ~CurlPoster() override {
    if (easy_) curl_easy_cleanup(easy_);
  }
  CurlPoster(const CurlPoster&) = delete;
  CurlPoster& operator=(const CurlPoster&) = delete;

  Result<HttpReply> Post(const std::string& url, const std::vector<std::string>& headers,
                         const std::string& body, long timeout_ms) override {
    if (!easy_) return Error::Unavailable("libcurl could not start");
    curl_easy_reset(easy_);
    char errbuf[CURL_ERROR_SIZE] = {0};
    HttpReply reply;
    curl_slist* list = nullptr;
    for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
    // No "Expect: 100-continue" round trip.
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, std::min(connect_timeout_ms_, timeout_ms));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy_, CURLOPT_POST, 1L);
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, "payops-webhooks/1");
    CURLcode rc = curl_easy_perform(easy_);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
      return Error::Unavailable(errbuf[0] ? std::string(errbuf) : curl_easy_strerror(rc));
    }
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    reply.status = static_cast<int>(status);
    return reply;
  }

 private:
  long connect_timeout_ms_;
  CURL* easy_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpPoster> MakeCurlPoster(long connect_timeout_ms) {
  return std::make_unique<CurlPoster>(connect_timeout_ms);
}

}  // namespace payops::adapters
