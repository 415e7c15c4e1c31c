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
