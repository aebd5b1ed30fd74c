// Object ids: a type prefix and 20 base32 characters that sort by creation
// ("usr_01jd8m3k2v9x0q7f5c4b"). The first 10 characters are the milliseconds of
// the real clock, the rest random, so ids of one process never repeat and list
// in creation order, which makes them usable as pagination cursors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace payops {

// Returns a new id "prefix_XXXXXXXXXXXXXXXXXXXX". `now_ms` is wall-clock
// milliseconds; `random` are 50 random bits supplied by the caller.
std::string MakeId(std::string_view prefix, int64_t now_ms, uint64_t random);

// True when `id` has the shape MakeId produces for `prefix`.
bool IsIdOf(std::string_view id, std::string_view prefix);

}  // namespace payops
