// MIME ingest: a raw message through GMime (adapters/mime_parser.h), then
// the rules core applies to what came out (core/inbound_mail.h).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "payops/adapters/mime_parser.h"
#include "payops/core/inbound_mail.h"

using namespace payops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  // The text rules on the raw bytes too: they see untrusted header values.
  (void)mail::HtmlToText(raw, 4096);
  (void)mail::HeaderText(raw, 200);
  (void)mail::BodyText(raw);
  (void)mail::TicketNumberInSubject(raw);
  (void)mail::OurMailDomain(raw, raw);
  auto m = adapters::ParseMimeMessage(raw);
  if (!m.ok()) return 0;
  const std::vector<std::string> ours = {"support@payops.test"};
  (void)mail::LoopReason(*m, "payops.test", ours);
  (void)mail::OurTicketIdsIn(*m, "payops.test");
  (void)mail::ChooseAttachments(m->attachments);
  return 0;
}
