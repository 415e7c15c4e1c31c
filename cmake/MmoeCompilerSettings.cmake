# Warnings and the compiler cache, applied to every mmoe target through mmoe_warnings.
find_program(MMOE_CCACHE ccache)
if(MMOE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${MMOE_CCACHE}")
endif()

add_library(mmoe_warnings INTERFACE)
target_compile_options(mmoe_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
