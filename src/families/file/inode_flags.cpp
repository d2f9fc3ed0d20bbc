// The names of inode flags (the chattr action's FS_IOC_SETFLAGS and
// FS_IOC_FSSETXATTR bits).
#include "families/file/encode.h"
#include "util/bit_names.h"

namespace nj {

// FS_*_FL (linux/fs.h): what lsattr shows.
std::vector<std::string> inode_flag_names(uint32_t f) {
  static constexpr BitName kNames[] = {{0x1, "FS_SECRM_FL"},
                                       {0x2, "FS_UNRM_FL"},
                                       {0x4, "FS_COMPR_FL"},
                                       {0x8, "FS_SYNC_FL"},
                                       {0x10, "FS_IMMUTABLE_FL"},
                                       {0x20, "FS_APPEND_FL"},
                                       {0x40, "FS_NODUMP_FL"},
                                       {0x80, "FS_NOATIME_FL"},
                                       {0x100, "FS_DIRTY_FL"},
                                       {0x200, "FS_COMPRBLK_FL"},
                                       {0x400, "FS_NOCOMP_FL"},
                                       {0x800, "FS_ENCRYPT_FL"},
                                       {0x1000, "FS_INDEX_FL"},
                                       {0x2000, "FS_IMAGIC_FL"},
                                       {0x4000, "FS_JOURNAL_DATA_FL"},
                                       {0x8000, "FS_NOTAIL_FL"},
                                       {0x10000, "FS_DIRSYNC_FL"},
                                       {0x20000, "FS_TOPDIR_FL"},
                                       {0x40000, "FS_HUGE_FILE_FL"},
                                       {0x80000, "FS_EXTENT_FL"},
                                       {0x100000, "FS_VERITY_FL"},
                                       {0x200000, "FS_EA_INODE_FL"},
                                       {0x400000, "FS_EOFBLOCKS_FL"},
                                       {0x800000, "FS_NOCOW_FL"},
                                       {0x2000000, "FS_DAX_FL"},
                                       {0x10000000, "FS_INLINE_DATA_FL"},
                                       {0x20000000, "FS_PROJINHERIT_FL"},
                                       {0x40000000, "FS_CASEFOLD_FL"}};
  return bit_names_of(f, kNames);
}

// FS_XFLAG_* (struct fsxattr's fsx_xflags).
std::vector<std::string> xflag_names(uint32_t f) {
  static constexpr BitName kNames[] = {
      {0x1, "FS_XFLAG_REALTIME"},       {0x2, "FS_XFLAG_PREALLOC"},      {0x8, "FS_XFLAG_IMMUTABLE"},
      {0x10, "FS_XFLAG_APPEND"},        {0x20, "FS_XFLAG_SYNC"},         {0x40, "FS_XFLAG_NOATIME"},
      {0x80, "FS_XFLAG_NODUMP"},        {0x100, "FS_XFLAG_RTINHERIT"},   {0x200, "FS_XFLAG_PROJINHERIT"},
      {0x400, "FS_XFLAG_NOSYMLINKS"},   {0x800, "FS_XFLAG_EXTSIZE"},     {0x1000, "FS_XFLAG_EXTSZINHERIT"},
      {0x2000, "FS_XFLAG_NODEFRAG"},    {0x4000, "FS_XFLAG_FILESTREAM"}, {0x8000, "FS_XFLAG_DAX"},
      {0x10000, "FS_XFLAG_COWEXTSIZE"}, {0x80000000, "FS_XFLAG_HASATTR"}};
  return bit_names_of(f, kNames);
}

}  // namespace nj
