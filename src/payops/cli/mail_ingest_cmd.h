// `payops mail-ingest` and `payops-mail-ingest`: one RFC 5322 message on
// standard input becomes a ticket or a reply (service/mail_ingest.h).
#pragma once

#include <string>
#include <vector>

#include "payops/cli/config.h"
#include "payops/core/result.h"

namespace payops::cli {

// sysexits.h, as mail servers read a delivery command's status: the message
// is refused (the sender gets a bounce), or deferred and tried again later.
inline constexpr int kExitDataErr = 65;
inline constexpr int kExitTempFail = 75;

// A failure that is not the message's (the store, the configuration, the
// command line): the mail server keeps the message and tries again.
int MailDefer(const Error& e);

// Reads the message, applies it, prints what happened on standard output.
// `recipients`: the envelope recipients the mail server names (--recipient).
// Exit 0 done, 65 the message is refused, 75 try again later.
int RunMailIngest(const Config& cfg, const std::vector<std::string>& recipients);

}  // namespace payops::cli
