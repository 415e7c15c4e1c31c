#include "core/error.h"

#include <fmt/format.h>

namespace mmoe {

void throw_internal_error(const char* condition, const char* file, int line,
                          const std::string& detail) {
  throw InternalError(fmt::format("internal error (a bug in mmoe-trainer, please report it): "
                                  "{} failed at {}:{}: {}",
                                  condition, file, line, detail));
}

}  // namespace mmoe
