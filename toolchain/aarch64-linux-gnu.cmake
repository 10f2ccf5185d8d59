# Cross build for arm64 (aarch64) tills with Debian's own cross toolchain
# and multiarch libraries: gcc-aarch64-linux-gnu, the arm64 -dev packages
# (dpkg --add-architecture arm64; toolchain/install-deps.sh does it) and
# qemu-user-static, which runs the cross-built tests on this machine.
# Use: cmake --preset arm64 (or -DCMAKE_TOOLCHAIN_FILE=this file).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(QUAN_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${QUAN_TRIPLET}-gcc)
set(CMAKE_AR ${QUAN_TRIPLET}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${QUAN_TRIPLET}-ranlib CACHE FILEPATH "")
set(CMAKE_STRIP ${QUAN_TRIPLET}-strip CACHE FILEPATH "")
# Debian's wrapper looks only in the arm64 multiarch pkg-config dirs.
set(PKG_CONFIG_EXECUTABLE ${QUAN_TRIPLET}-pkg-config CACHE FILEPATH "")

# Multiarch: the arm64 libraries live beside the native ones in
# /usr/lib/aarch64-linux-gnu, so the sysroot is / and only the library
# directory tells the architectures apart. Never pick up a build tool
# (msgfmt, bash, python3) of the wrong architecture: programs are the
# build machine's, libraries and headers the target's.
set(CMAKE_LIBRARY_ARCHITECTURE ${QUAN_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# ctest runs every test executable through qemu (no binfmt_misc needed: CI
# containers often cannot register it). The arm64 ld.so and libraries are
# found at their multiarch paths, as on a real arm64 Debian.
find_program(QUAN_QEMU qemu-aarch64-static qemu-aarch64)
if(QUAN_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${QUAN_QEMU})
endif()
