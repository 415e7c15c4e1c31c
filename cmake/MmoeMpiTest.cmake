# mmoe_add_mpi_test(NAME SOURCES ... LIBS ... RANKS 2 3 [LABELS mpi ...])
# Builds a GoogleTest executable (its own main) and registers one CTest test per rank count,
# NAME.np<N>, run as `${MPIEXEC_EXECUTABLE} -n N --oversubscribe <exe>`. The environment lets
# OpenMPI run as root (containers, CI) and keeps BLAS to one thread per rank.
set(MMOE_MPI_TEST_ENVIRONMENT
    "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OPENBLAS_NUM_THREADS=1;OMP_NUM_THREADS=1")

function(mmoe_add_mpi_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;RANKS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS mpi)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest mmoe_warnings)
  target_include_directories(${name} PRIVATE "${PROJECT_SOURCE_DIR}")
  mmoe_torch_target(${name})
  foreach(ranks IN LISTS ARG_RANKS)
    add_test(NAME ${name}.np${ranks}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} --oversubscribe ${MPIEXEC_PREFLAGS}
                     $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${name}.np${ranks} PROPERTIES
      LABELS "${ARG_LABELS}" TIMEOUT 600 PROCESSORS ${ranks}
      ENVIRONMENT "${MMOE_MPI_TEST_ENVIRONMENT}")
  endforeach()
endfunction()
