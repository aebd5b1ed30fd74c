// Shape checks on user-supplied text, shared by every resource.
#pragma once

#include <string_view>

namespace payops {

// A practical address check: one '@', a non-empty local part of printable
// ASCII without spaces, and a domain that IsDomain accepts. At most 254 bytes.
bool IsEmail(std::string_view s);
// Lowercase-insensitive DNS name: labels of [A-Za-z0-9-], no leading or
// trailing '-', at least two labels, at most 253 bytes.
bool IsDomain(std::string_view s);
// ISO 3166-1 alpha-2 code: two uppercase ASCII letters.
bool IsCountryCode(std::string_view s);
// "YYYY-MM-DD" naming a real calendar date.
bool IsDate(std::string_view s);
// A textual IPv4 or IPv6 address (inet_pton), at most 45 bytes, no spaces.
bool IsIpAddress(std::string_view s);
// ASCII lowercase copy.
std::string ToLowerAscii(std::string_view s);
// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
// U+10FFFF.
bool IsValidUtf8(std::string_view s);
// The part after '@', lowercased ("" when there is none).
std::string EmailDomain(std::string_view email);

}  // namespace payops
