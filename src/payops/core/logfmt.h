// Values for the server log, whose lines are logfmt records
// (`ts=… level=… key=value …`). Every value that reaches the log goes through
// LogValue, whatever its source, so that no request, error text or stored
// string can end a line, start a forged record or hide a key.
#pragma once

#include <string>
#include <string_view>

namespace payops {

// `v` as one logfmt value. Bare when it is non-empty and every byte is
// printable ASCII other than '"', '=' and '\'; otherwise quoted, with '"'
// and '\' escaped by a backslash, CR, LF and tab as \r \n \t, and every other
// control byte, DEL and every byte above 0x7f as \xNN (lowercase hex).
// The empty value is "".
std::string LogValue(std::string_view v);

}  // namespace payops
