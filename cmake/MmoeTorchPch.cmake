# One precompiled LibTorch header shared by every target that compiles against torch.
# Targets call mmoe_use_torch_pch(target) instead of repeating the PCH; compiling torch's
# headers once saves most of each translation unit's build time.
add_library(mmoe_torch_pch OBJECT "${CMAKE_CURRENT_LIST_DIR}/torch_pch.cpp")
target_link_libraries(mmoe_torch_pch PRIVATE mmoe_torch mmoe_warnings)
set_target_properties(mmoe_torch_pch PROPERTIES POSITION_INDEPENDENT_CODE OFF)
target_precompile_headers(mmoe_torch_pch PRIVATE <torch/torch.h>)

function(mmoe_use_torch_pch target)
  target_precompile_headers(${target} REUSE_FROM mmoe_torch_pch)
endfunction()

# Torch-heavy targets also build as unity batches: each translation unit pays ~15 s to load the
# LibTorch PCH and instantiate its templates, so merging sources cuts the clean build severalfold.
# MMOE_UNITY_BATCH=1 restores one object per source (for incremental work on a single file).
set(MMOE_UNITY_BATCH 8 CACHE STRING "Sources per unity translation unit for LibTorch targets")
function(mmoe_torch_target target)
  mmoe_use_torch_pch(${target})
  if(MMOE_UNITY_BATCH GREATER 1)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${MMOE_UNITY_BATCH})
  endif()
endfunction()
