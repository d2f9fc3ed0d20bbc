# The Debian package (`bash scripts/dev.sh package`, i.e. cpack -G DEB in the
# build directory): the binary, the unit, the default configuration and the
# manual page, the last two written by the binary itself at build time so
# they cannot drift from it. packaging/README.md says why CPack and what
# lintian says.

set(NJ_PKG_DIR ${CMAKE_BINARY_DIR}/package)
set(NJ_DEB_DIR ${CMAKE_SOURCE_DIR}/packaging/debian)

find_program(NJ_GZIP gzip REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# A cross build (cmake/aarch64-linux-gnu.cmake) runs the target's nightjar
# through the emulator: CMake prefixes it only when COMMAND is the target
# itself, and here the binary is an argument of sh or of gen-manpage.py.
set(NJ_RUN_TARGET ${CMAKE_CROSSCOMPILING_EMULATOR})

add_custom_command(OUTPUT ${NJ_PKG_DIR}/nightjar.toml
  COMMAND ${CMAKE_COMMAND} -E make_directory ${NJ_PKG_DIR}
  COMMAND sh -c "\"$@\" default-config > \"$0\"" ${NJ_PKG_DIR}/nightjar.toml ${NJ_RUN_TARGET} $<TARGET_FILE:nightjar>
  DEPENDS nightjar
  COMMENT "the default configuration, from nightjar default-config"
  VERBATIM)
# gzip -n: no name nor time stamp inside, so the same input gives the same bytes.
add_custom_command(OUTPUT ${NJ_PKG_DIR}/nightjar.8.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${NJ_PKG_DIR}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/gen-manpage.py $<TARGET_FILE:nightjar>
    ${NJ_DEB_DIR}/changelog ${NJ_PKG_DIR}/nightjar.8 ${NJ_RUN_TARGET}
  COMMAND ${NJ_GZIP} -9nf ${NJ_PKG_DIR}/nightjar.8
  DEPENDS nightjar ${CMAKE_SOURCE_DIR}/tools/gen-manpage.py ${NJ_DEB_DIR}/changelog
  COMMENT "nightjar(8), from the binary's own help"
  VERBATIM)
add_custom_command(OUTPUT ${NJ_PKG_DIR}/changelog.Debian.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${NJ_PKG_DIR}
  COMMAND sh -c "\"$1\" -9nc \"$2\" > \"$3\"" sh ${NJ_GZIP} ${NJ_DEB_DIR}/changelog ${NJ_PKG_DIR}/changelog.Debian.gz
  DEPENDS ${NJ_DEB_DIR}/changelog
  VERBATIM)
# Built with the binary: a help text the generator cannot read, or a flag
# without a configuration key, fails the build, not the release.
add_custom_target(package-files ALL
  DEPENDS ${NJ_PKG_DIR}/nightjar.toml ${NJ_PKG_DIR}/nightjar.8.gz ${NJ_PKG_DIR}/changelog.Debian.gz)

# What dh_strip does beyond strip(1): the compiler's .comment section goes too.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND ${CMAKE_OBJCOPY} --remove-section=.comment
      \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/sbin/nightjar COMMAND_ERROR_IS_FATAL ANY)
  endif()")

# Absolute destinations: /etc and /lib are outside the /usr prefix.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/nightjar.service DESTINATION /lib/systemd/system)
install(FILES ${NJ_PKG_DIR}/nightjar.toml DESTINATION /etc/nightjar)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/nightjar.logrotate DESTINATION /etc/logrotate.d RENAME nightjar)
install(FILES ${NJ_PKG_DIR}/nightjar.8.gz DESTINATION share/man/man8)
install(FILES ${NJ_DEB_DIR}/copyright ${NJ_PKG_DIR}/changelog.Debian.gz DESTINATION share/doc/nightjar)
install(FILES ${NJ_DEB_DIR}/lintian-overrides DESTINATION share/lintian/overrides RENAME nightjar)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nightjar)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The Debian revision: the version of the packaging of one upstream version.
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGE_CONTACT "nightjar maintainers <maintainers@users.noreply.r-seed-0340672d.example>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "eBPF endpoint detection and response sensor")
# Lines of the long description: Debian's control-file folding (a leading
# space, " ." for an empty line) is done by CPack.
set(CPACK_PACKAGE_DESCRIPTION "nightjar attaches eBPF programs to the kernel and reports, as JSON lines,
process executions and exits, file changes, network connections and DNS
queries, and tampering such as ptrace, memory injection, privilege changes,
kernel modules and BPF programs. It runs as a hardened systemd service and
reports in-band every event it could not deliver.")
# Dependencies from the shared libraries the binary links (dpkg-shlibdeps),
# plus what the maintainer scripts call.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${NJ_DEB_DIR}/conffiles ${NJ_DEB_DIR}/postinst ${NJ_DEB_DIR}/prerm ${NJ_DEB_DIR}/postrm)
# 0755 scripts, 0644 the rest, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Directories the package creates (/etc/nightjar, /usr/share/doc/nightjar,
# ...) 0755 whatever the umask of whoever builds.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
