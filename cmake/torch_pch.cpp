// Compiled once to produce the shared LibTorch precompiled header (see MmoeTorchPch.cmake).
