#pragma once
// Error types shared by every layer.
//
// Two failure classes (as faiss does): mmoe::Error and its subclasses are the user's or the
// environment's mistakes (bad config, missing file, corrupt store) and carry a one-line,
// actionable message naming the file, key or value; MMOE_ASSERT guards our own invariants and
// throws InternalError, which means a bug in mmoe-trainer.
#include <stdexcept>
#include <string>

namespace mmoe {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A broken invariant inside mmoe-trainer (a bug), never a user mistake.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void throw_internal_error(const char* condition, const char* file, int line,
                                       const std::string& detail);

}  // namespace mmoe

#define MMOE_ASSERT(condition, detail)                                            \
  do {                                                                            \
    if (!(condition)) {                                                           \
      ::mmoe::throw_internal_error(#condition, __FILE__, __LINE__, (detail));     \
    }                                                                             \
  } while (0)
