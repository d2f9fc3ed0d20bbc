// The file family's rows of the record registry (families/registry.h):
// X(record type, wire struct, family, action, hooks that emit it).
#pragma once

#include "nightjar/abi.h"

#define NJ_FILE_RECORDS(X)                                                                            \
  X(NJ_REC_FILE_CREATE, nj_file_create, NJ_FAM_FILE, "create",                                        \
    "file.open file.open.enter file.mkdir file.mkdir.enter file.mknod file.mknod.enter file.symlink " \
    "file.symlink.enter file.link file.link.enter")                                                   \
  X(NJ_REC_FILE_MODIFY, nj_file_modify, NJ_FAM_FILE, "modify",                                        \
    "file.open file.open.enter file.truncate file.truncate.enter")                                    \
  X(NJ_REC_FILE_DELETE, nj_file_delete, NJ_FAM_FILE, "delete", "file.unlink file.unlink.enter")       \
  X(NJ_REC_FILE_RENAME, nj_file_rename, NJ_FAM_FILE, "rename", "file.rename file.rename.enter")       \
  X(NJ_REC_FILE_CHMOD, nj_file_chmod, NJ_FAM_FILE, "chmod", "file.chmod file.chmod.enter")            \
  X(NJ_REC_FILE_CHOWN, nj_file_chown, NJ_FAM_FILE, "chown", "file.chown file.chown.enter")            \
  X(NJ_REC_FILE_TIMES, nj_file_times, NJ_FAM_FILE, "times", "file.times file.times.enter")            \
  X(NJ_REC_FILE_XATTR, nj_file_xattr, NJ_FAM_FILE, "xattr", "file.xattr file.xattr.enter")            \
  X(NJ_REC_FILE_MEMFD, nj_file_memfd, NJ_FAM_FILE, "memfd", "file.memfd file.memfd.enter")            \
  X(NJ_REC_FILE_READ, nj_file_read, NJ_FAM_FILE, "read", "file.open")                                 \
  X(NJ_REC_FILE_URING, nj_file_uring, NJ_FAM_FILE, "io_uring", "file.io_uring")                       \
  X(NJ_REC_FILE_CHATTR, nj_file_chattr, NJ_FAM_FILE, "chattr", "file.chattr file.chattr.enter")
