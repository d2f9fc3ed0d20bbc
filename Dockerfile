# nightjar: build, unit-test and package the sensor for one architecture.
#
# The architecture is the one the image is built for (`--platform`, or the
# service's `platform:` in docker-compose.yml): the build and runtime stages
# are not cross-compiled (the cross-arm64 stage at the end is, for the
# kernel matrix: tools/build-arm64.sh). A foreign architecture builds
# natively under QEMU (binfmt_misc), so the CMake configuration, the vmlinux.h choice
# (cmake/BpfObject.cmake reads CMAKE_SYSTEM_PROCESSOR) and the unit tests are
# exactly those of a real machine of that architecture.
#
# The steps are those run on a developer's machine:
#   bash scripts/deps.sh
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build
#   ctest --test-dir build -L unit --output-on-failure

# ---- build stage ---------------------------------------------------------------
FROM debian:bookworm AS build

# Only for the apt-get calls in deps.sh; an ARG is not kept in the image.
ARG DEBIAN_FRONTEND=noninteractive

WORKDIR /work/main

# deps.sh alone first, so this (slow) layer is rebuilt only when the list of
# packages changes, not on every source edit.
COPY scripts/deps.sh scripts/deps.sh
RUN bash scripts/deps.sh

COPY . .

# The build context may carry a developer's own build/ tree (its CMakeCache.txt
# names another source directory and would make the configure step fail):
# always configure from scratch.
RUN rm -rf build \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build build

# Unit tests only: the e2e tests need root and a real kernel (they load and
# attach the BPF programs), which a `docker build` does not give.
RUN ctest --test-dir build -L unit --output-on-failure

# ---- runtime stage -------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

ARG DEBIAN_FRONTEND=noninteractive

# The shared libraries `nightjar` links (see `ldd build/nightjar`); libc6,
# libstdc++6 and libgcc-s1 are already in bookworm-slim (apt needs them).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libbpf1 \
        libelf1 \
        libfmt9 \
        libspdlog1.10 \
        libssl3 \
        libsystemd0 \
        zlib1g \
 && rm -rf /var/lib/apt/lists/*

COPY --from=build /work/main/build/nightjar /usr/sbin/nightjar

# Fails the image build if a shared library is missing.
RUN /usr/sbin/nightjar --version

ENTRYPOINT ["/usr/sbin/nightjar"]
CMD ["run"]

# ---- cross-arm64 stage -----------------------------------------------------------
# The arm64 binaries, cross-compiled on amd64 (tools/build-arm64.sh builds
# this stage): the compiler runs natively and only the target's libraries
# are arm64, so it takes about what a native build takes, where building in
# an emulated arm64 image runs the compiler itself under QEMU. The unit
# tests run under qemu-user (cmake/aarch64-linux-gnu.cmake). Its
# /usr/lib/aarch64-linux-gnu is also the sysroot the kernel matrix copies
# the binaries' libraries from (tests/matrix/run.sh).
FROM debian:bookworm AS cross-arm64

ARG DEBIAN_FRONTEND=noninteractive

WORKDIR /work/main

COPY scripts/deps.sh scripts/deps.sh
RUN bash scripts/deps.sh --cross-arm64

# The sysroot of the kernel matrix's arm64 initramfs: the arm64 libraries,
# and the shells and programs it runs besides busybox (Multi-Arch: foreign,
# so extracted, not installed over the amd64 ones).
RUN mkdir -p /sysroot-arm64/usr/lib /tmp/debs \
 && cd /tmp/debs \
 && apt-get download busybox-static:arm64 dash:arm64 bash:arm64 coreutils:arm64 \
 && for d in *.deb; do dpkg-deb -x "$d" /sysroot-arm64; done \
 && cp -a /usr/lib/aarch64-linux-gnu /sysroot-arm64/usr/lib/ \
 && rm -rf /tmp/debs

COPY . .

# The e2e binary has the paths of nightjar and nj-actions compiled in
# (tests/CMakeLists.txt): the matrix puts them at these same paths.
RUN rm -rf build build-arm64 \
 && cmake -S . -B build-arm64 -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
 && cmake --build build-arm64

RUN ctest --test-dir build-arm64 -L unit --output-on-failure
