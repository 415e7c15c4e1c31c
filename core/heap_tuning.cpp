#include "core/heap_tuning.h"

#include <malloc.h>

#include <cstdlib>

namespace mmoe {

std::string retain_freed_heap_memory() {
  const char* mmap_env = std::getenv("MALLOC_MMAP_THRESHOLD_");
  const char* trim_env = std::getenv("MALLOC_TRIM_THRESHOLD_");
  if (mmap_env != nullptr || trim_env != nullptr) {
    return std::string("glibc malloc from the environment: MALLOC_MMAP_THRESHOLD_=") + (mmap_env ? mmap_env : "(unset)") +
           " MALLOC_TRIM_THRESHOLD_=" + (trim_env ? trim_env : "(unset)");
  }
  const bool ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  return ok ? "glibc malloc: M_MMAP_THRESHOLD 32 MiB, M_TRIM_THRESHOLD 1 GiB"
            : "glibc malloc: defaults (mallopt refused the settings)";
}

}  // namespace mmoe
