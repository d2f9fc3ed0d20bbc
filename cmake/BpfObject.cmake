# bpf_skeleton(NAME SOURCES ...): compile each BPF C source with clang
# (-target bpf, CO-RE, -Wall -Werror), link them with `bpftool gen object`
# into one object and generate one skeleton header, <NAME>.skel.h.
# Produces an INTERFACE target NAME_skel whose include directory holds it.
# Header dependencies come from clang's depfiles, so editing any header a
# program includes rebuilds it.

find_program(BPF_CLANG NAMES clang clang-19 clang-16 clang-15 clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  set(NJ_BPF_ARCH x86)
  set(NJ_VMLINUX_ARCH x86_64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(NJ_BPF_ARCH arm64)
  set(NJ_VMLINUX_ARCH aarch64)
else()
  message(FATAL_ERROR "unsupported architecture ${CMAKE_SYSTEM_PROCESSOR}")
endif()

function(bpf_skeleton NAME)
  cmake_parse_arguments(ARG "" "" "SOURCES;INCLUDES" ${ARGN})
  set(outdir ${CMAKE_CURRENT_BINARY_DIR}/bpf)
  file(MAKE_DIRECTORY ${outdir})
  set(objects)
  set(incflags)
  foreach(inc ${ARG_INCLUDES})
    list(APPEND incflags -I${inc})
  endforeach()
  foreach(src ${ARG_SOURCES})
    get_filename_component(abs ${src} ABSOLUTE)
    file(RELATIVE_PATH rel ${CMAKE_CURRENT_SOURCE_DIR} ${abs})
    string(REPLACE "/" "_" flat ${rel})
    string(REPLACE ".bpf.c" ".bpf.o" objname ${flat})
    set(obj ${outdir}/${objname})
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${NJ_BPF_ARCH}
              -Wall -Wextra -Werror -Wno-unused-parameter
              ${incflags} -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs}
      DEPFILE ${obj}.d
      COMMENT "BPF ${rel}"
      VERBATIM)
    list(APPEND objects ${obj})
  endforeach()
  set(linked ${outdir}/${NAME}.bpf.o)
  set(skel ${outdir}/${NAME}.skel.h)
  add_custom_command(
    OUTPUT ${linked} ${skel}
    COMMAND ${BPFTOOL} gen object ${linked} ${objects}
    COMMAND ${BPFTOOL} gen skeleton ${linked} name ${NAME} > ${skel}
    DEPENDS ${objects}
    COMMENT "BPF link + skeleton ${NAME}"
    VERBATIM)
  add_custom_target(${NAME}_skel_gen DEPENDS ${skel})
  add_library(${NAME}_skel INTERFACE)
  add_dependencies(${NAME}_skel ${NAME}_skel_gen)
  target_include_directories(${NAME}_skel INTERFACE ${outdir})
  set(${NAME}_BPF_OBJECT ${linked} PARENT_SCOPE)
endfunction()
