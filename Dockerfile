# nightjar: build, unit-test and package the sensor for one architecture.
#
# The architecture is the one the image is built for (`--platform`, or the
# service's `platform:` in docker-compose.yml): nothing here is
# cross-compiled. A foreign architecture builds natively under QEMU
# (binfmt_misc), so the CMake configuration, the vmlinux.h choice
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
