// BOOST_ASSERT in the fuzz build (BOOST_ENABLE_ASSERT_DEBUG_HANDLER): every
// failed assertion aborts, so that libFuzzer reports it, except one that is
// known to be wrong. Boost.Beast 1.81's chunked-body parser asserts `n >= 5`
// in parse_chunk_header when the final chunk's CRLFs arrive split across
// calls, a sequence it then handles correctly (it answers need_more); Beast
// fixed the assertion upstream (boostorg/beast pull request 2861). Release
// builds define NDEBUG and never check it.
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace boost {

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  if (std::strcmp(expr, "n >= 5") == 0 && std::strstr(file, "beast/http/impl/basic_parser.ipp")) {
    return;
  }
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file,
                          long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}

}  // namespace boost
