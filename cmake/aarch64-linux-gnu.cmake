# Cross-compiling nightjar for arm64 on an amd64 Debian with the arm64
# libraries installed as multiarch packages (the Dockerfile's cross-arm64
# stage; scripts/deps.sh --arm64-cross lists them):
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# CMAKE_SYSTEM_PROCESSOR is what cmake/BpfObject.cmake reads to compile the
# BPF programs for arm64 (__TARGET_ARCH_arm64, vmlinux/aarch64). The BPF
# compiler and bpftool are the build machine's own programs.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Programs (clang, bpftool, python3) from the build machine; libraries and
# headers from the target's multiarch directories, which the compiler
# searches by itself (CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# pkg-config (libbpf, libsystemd): the arm64 .pc files, never the build
# machine's, whose -L paths would link amd64 libraries.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)

# Runs the arm64 programs of the build (the unit tests through ctest and
# gtest_discover_tests, nightjar for its manual page and default
# configuration) under qemu-user, with the target's libraries found in the
# multiarch paths of / (no binfmt_misc needed).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static;-L;/)
