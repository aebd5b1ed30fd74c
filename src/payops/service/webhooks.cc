#include "payops/service/webhooks.h"
#include "payops/service/audit.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "payops/adapters/secret_box.h"
#include "payops/core/mime.h"
#include "payops/core/retry.h"

namespace payops::service {
namespace {

bool KnownEvent(std::string_view e) {
  return std::find(kWebhookEvents.begin(), kWebhookEvents.end(), e) != kWebhookEvents.end();
}

// http(s)://host[...] with printable ASCII and no spaces.
Status CheckUrl(const std::string& url) {
  auto bad = [] {
    return Error::Invalid("invalid_url", "url must be an http:// or https:// URL", "url");
  };
  if (url.empty() || url.size() > kMaxWebhookUrl) return bad();
  std::string lower = url.substr(0, 8);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t scheme = lower.rfind("http://", 0) == 0 ? 7 : lower.rfind("https://", 0) == 0 ? 8 : 0;
  if (scheme == 0) return bad();
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return bad();
  }
  size_t host_end = url.find_first_of("/?#", scheme);
  std::string authority = url.substr(scheme, host_end - scheme);
  if (authority.empty() || authority.front() == ':' || authority.find('@') != std::string::npos) {
    return bad();
  }
  return Status::Ok();
}

Status RequireAdmin(const Actor& actor) {
  return RequireRole(actor, {Role::kAdmin});
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Queues each of `types` with `data` (JSON) for every active endpoint
// subscribed to it; the endpoints are read once for all of them.
Status QueueEvents(Env& env, store::Tx& tx, std::initializer_list<std::string_view> types,
                   const std::function<std::string()>& data) {
  if (types.size() == 0) return Status::Ok();
  PAYOPS_ASSIGN_OR_RETURN(auto hooks, store::ActiveWebhooks(tx, kMaxWebhooks));
  std::optional<std::string> json;  // made once, for the first subscribed event
  for (std::string_view type : types) {
    std::vector<const store::Webhook*> subscribed;
    for (const auto& w : hooks) {
      if (std::find(w.events.begin(), w.events.end(), type) != w.events.end()) {
        subscribed.push_back(&w);
      }
    }
    if (subscribed.empty()) continue;
    if (!json) json = data();
    const Instant now = env.clock.Now();
    const std::string event_id = env.ids.New("evt");
    // Ids and types are plain ASCII tokens; data is serialized JSON.
    const std::string body = "{\"id\":" + Quote(event_id) + ",\"type\":" + Quote(type) +
                             ",\"created_at\":" + Quote(FormatRfc3339(now)) + ",\"data\":" + *json +
                             "}";
    for (const store::Webhook* w : subscribed) {
      store::WebhookDelivery d;
      d.id = env.ids.New("whd");
      d.webhook_id = w->id;
      d.event_id = event_id;
      d.event_type = std::string(type);
      d.body = body;
      d.next_attempt_at_us = ToMicros(now);
      d.created_at = now;
      PAYOPS_TRY(EnqueueWebhookDelivery(env, tx, std::move(d)));
    }
  }
  return Status::Ok();
}

std::string IdOnly(const std::string& id) {
  return "{\"id\":" + Quote(id) + "}";
}

Result<std::string> OpenSecret(const Env& env, const std::string& stored) {
  if (stored.rfind(adapters::SecretBox::kVersionPrefix, 0) != 0) return stored;
  if (!env.secrets) return Error::Internal("webhook secret is sealed and no key is configured");
  return env.secrets->Open(stored);
}

}  // namespace

Result<CreatedWebhook> CreateWebhook(Env& env, const Actor& actor, const NewWebhook& in) {
  PAYOPS_TRY(RequireAdmin(actor));
  PAYOPS_TRY(CheckUrl(in.url));
  if (in.events.empty() || in.events.size() > kWebhookEvents.size()) {
    return Error::Invalid("invalid_value", "events must name 1 to 8 event types", "events");
  }
  std::vector<std::string> events;
  for (const std::string& e : in.events) {
    if (!KnownEvent(e)) {
      return Error::Invalid("invalid_value", "unknown event type '" + mail::OneLine(e) + "'",
                            "events");
    }
    if (std::find(events.begin(), events.end(), e) == events.end()) events.push_back(e);
  }
  CreatedWebhook out;
  out.secret = "whsec_" + RandomToken(24);
  store::Webhook w;
  w.id = env.ids.New("wh");
  w.url = in.url;
  w.events = std::move(events);
  w.secret = env.secrets ? env.secrets->Seal(out.secret) : out.secret;
  w.created_by = actor.member_id;
  w.created_at = env.clock.Now();
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(int64_t live, store::CountLiveWebhooks(tx));
    if (live >= kMaxWebhooks) {
      return Error::Refused("too_many_webhooks", "at most 100 webhook endpoints");
    }
    PAYOPS_TRY(store::InsertWebhook(tx, w));
    boost::json::array events;
    for (const auto& e : w.events) events.emplace_back(e);
    return RecordAudit(env, tx, actor, "webhook.create", "webhook", w.id, nullptr,
                       boost::json::object{{"url", w.url}, {"events", std::move(events)}});
  }));
  w.secret.clear();
  out.webhook = std::move(w);
  return out;
}

Result<store::Page<store::Webhook>> ListWebhooks(Env& env, const Actor& actor,
                                                 const store::PageRequest& page) {
  PAYOPS_TRY(RequireAdmin(actor));
  std::optional<store::Page<store::Webhook>> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListWebhooks(tx, page));
    return Status::Ok();
  }));
  for (auto& w : out->items) w.secret.clear();
  return std::move(*out);
}

Status DeleteWebhook(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(RequireAdmin(actor));
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto w, store::FindWebhook(tx, id));
    if (!w || w->status == "deleted") return Error::NotFound("webhook");
    PAYOPS_TRY(store::RetireWebhook(tx, id, "deleted", env.clock.Now(), "deleted"));
    return RecordAudit(env, tx, actor, "webhook.delete", "webhook", id,
                       boost::json::object{{"url", w->url}, {"status", w->status}}, nullptr);
  });
}

Result<store::Page<DeliveryView>> ListDeliveries(Env& env, const Actor& actor,
                                                 const std::string& webhook_id,
                                                 const store::PageRequest& page) {
  PAYOPS_TRY(RequireAdmin(actor));
  store::Page<DeliveryView> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto w, store::FindWebhook(tx, webhook_id));
    if (!w) return Error::NotFound("webhook");
    PAYOPS_ASSIGN_OR_RETURN(auto deliveries, store::ListWebhookDeliveries(tx, webhook_id, page));
    std::vector<std::string> ids;
    for (const auto& d : deliveries.items) ids.push_back(d.id);
    PAYOPS_ASSIGN_OR_RETURN(auto attempts, store::ListWebhookAttempts(tx, ids));
    std::map<std::string, std::vector<store::WebhookAttempt>> by_delivery;
    for (auto& a : attempts) by_delivery[a.delivery_id].push_back(std::move(a));
    out.has_more = deliveries.has_more;
    for (auto& d : deliveries.items) {
      DeliveryView v{std::move(d), {}};
      v.attempts = std::move(by_delivery[v.delivery.id]);
      out.items.push_back(std::move(v));
    }
    return Status::Ok();
  }));
  return out;
}

Status QueueTicketEvent(Env& env, store::Tx& tx, std::string_view type,
                        const store::TicketRecord& t) {
  return QueueEvents(env, tx, {type}, [&] {
    return env.resource_json ? env.resource_json->Ticket(t) : IdOnly(t.id);
  });
}

Status QueueTransactionEvents(Env& env, store::Tx& tx, const store::TransactionRecord& t,
                              std::string_view from, std::string_view to) {
  auto data = [&] { return env.resource_json ? env.resource_json->Transaction(t) : IdOnly(t.id); };
  const bool changed = from != to, held = to == "HOLD";
  if (changed && held) {
    return QueueEvents(env, tx, {"transaction.status_changed", "transaction.held"}, data);
  }
  if (changed) return QueueEvents(env, tx, {"transaction.status_changed"}, data);
  if (held) return QueueEvents(env, tx, {"transaction.held"}, data);
  return Status::Ok();
}

Status QueueBatchEvent(Env& env, store::Tx& tx, std::string_view type, const store::AchBatch& b) {
  return QueueEvents(env, tx, {type}, [&] {
    return env.resource_json ? env.resource_json->Batch(b) : IdOnly(b.id);
  });
}

std::string WebhookSignature(std::string_view secret, int64_t unix_s, std::string_view body) {
  std::string signed_text = std::to_string(unix_s) + "." + std::string(body);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signed_text.data()),
                                signed_text.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return "t=" + std::to_string(unix_s) + ",v1=" + hex;
}

Result<int> DeliverWebhooks(Env& env, adapters::HttpPoster& poster, const DeliveryPolicy& p,
                            std::string_view worker) {
  const Instant now = env.clock.Now();
  const Instant lease_now = env.LeaseClock().Now();
  bool due = false;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(due, store::WebhookDeliveryDue(tx, now, lease_now));
    return Status::Ok();
  }));
  if (!due) return 0;
  const Instant lease_until = lease_now + p.lease;
  std::vector<store::WebhookDelivery> rows;
  std::map<std::string, store::Webhook> hooks;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(
        rows, store::ClaimWebhookDeliveries(tx, now, lease_now, lease_until, worker, p.batch));
    for (const auto& d : rows) {
      if (hooks.count(d.webhook_id)) continue;
      PAYOPS_ASSIGN_OR_RETURN(auto w, store::FindWebhook(tx, d.webhook_id));
      if (w) hooks.emplace(d.webhook_id, std::move(*w));
    }
    return Status::Ok();
  }));
  std::vector<store::WebhookOutcome> outcomes;
  std::vector<std::string> gone;  // endpoints that answered 410
  int attempted = 0;
  for (const auto& d : rows) {
    const Instant at = env.clock.Now();
    auto hook = hooks.find(d.webhook_id);
    if (hook != hooks.end() && hook->second.status != "active") {
      // Queued for an endpoint retired meanwhile (by a transaction that read
      // it as active while the retirement canceled the rest): never sent.
      outcomes.push_back({d.id, "canceled", at, std::nullopt});
      continue;
    }
    const bool dropped =
        hook == hooks.end() || std::find(gone.begin(), gone.end(), d.webhook_id) != gone.end();
    if (dropped || env.LeaseClock().Now() + p.lease / 5 > lease_until) {
      outcomes.push_back({d.id, "queued", FromMicros(d.next_attempt_at_us), std::nullopt});
      continue;
    }
    ++attempted;
    store::WebhookAttempt a;
    a.delivery_id = d.id;
    a.attempt = d.attempts + 1;
    a.at = at;
    auto secret = OpenSecret(env, hook->second.secret);
    Result<adapters::HttpReply> reply = adapters::HttpReply{};
    const auto started = std::chrono::steady_clock::now();
    if (!secret.ok()) {
      reply = secret.error();
    } else {
      const int64_t unix_s =
          std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
      reply = poster.Post(hook->second.url,
                          {"Content-Type: application/json",
                           "X-Payops-Signature: " + WebhookSignature(*secret, unix_s, d.body),
                           "X-Payops-Event: " + d.event_type, "X-Payops-Delivery: " + d.id},
                          d.body, p.http_timeout_ms);
    }
    a.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    store::WebhookOutcome o{d.id, "", at, a};
    bool retry = false;
    if (!reply.ok()) {
      o.attempt->error = reply.error().message;
      retry = reply.error().kind == ErrorKind::kUnavailable;
    } else {
      o.attempt->status_code = reply->status;
      const int s = reply->status;
      if (s >= 200 && s < 300) {
        o.status = "delivered";
      } else {
        o.attempt->error = "answered " + std::to_string(s);
        retry = s >= 500 || s == 429 || s == 408;
        if (s == 410) gone.push_back(d.webhook_id);
      }
    }
    if (o.status.empty()) {
      const bool dead = !retry || a.attempt >= p.max_attempts;
      o.status = dead ? "dead" : "failed";
      o.next_attempt_at = dead ? at : at + RetryDelay(a.attempt, p.retry_base, p.retry_max);
    }
    outcomes.push_back(std::move(o));
  }
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    for (const auto& o : outcomes) {
      PAYOPS_ASSIGN_OR_RETURN(bool held, store::FinishWebhookDelivery(tx, worker, o));
      if (!held) spdlog::warn("msg=\"webhook lease lost before the outcome\" id={}", o.delivery_id);
    }
    for (const std::string& id : gone) {
      spdlog::warn("msg=\"webhook endpoint answered 410: disabled\" webhook={}", id);
      PAYOPS_TRY(store::RetireWebhook(tx, id, "disabled", env.clock.Now(),
                                      "the receiver answered 410 Gone"));
    }
    return Status::Ok();
  }));
  return attempted;
}

}  // namespace payops::service
