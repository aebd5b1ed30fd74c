// gzip (RFC 1952) compression with zlib, for the web page's files.
#pragma once

#include <string>
#include <string_view>

namespace payops::adapters {

// The gzip stream of `data` at the best compression level. Never fails for
// inputs that fit in memory (zlib only fails on bad parameters).
std::string Gzip(std::string_view data);

// The inverse, for tests; empty on a corrupt stream.
std::string Gunzip(std::string_view data);

}  // namespace payops::adapters
