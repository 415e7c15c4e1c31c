#pragma once
// glibc malloc settings for a training process. With glibc's defaults, freed blocks above the
// (dynamic) mmap threshold go back to the OS and the heap is trimmed above 128 KiB free, so every
// step's large autograd temporaries are page-faulted in again (~11 us per 4 KiB page here; more
// time than the step's GEMMs, see bench/README.md). Called once by a program's main(), never by
// a library: it changes process-wide allocator behaviour.
#include <string>

namespace mmoe {

// Blocks up to 32 MiB come from the heap and the heap keeps up to 1 GiB of freed memory, unless
// the user set MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ (their choice wins). Returns a
// one-line description of the settings in effect (for logs and benchmarks).
std::string retain_freed_heap_memory();

}  // namespace mmoe
