// The file family's encoders (src/encode/encoder.cpp dispatches to them by
// overload through families/encoders.h): one document shape for every
// action, its own fields under nightjar.file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "encode/encoder.h"

namespace nj {

void encode_record(Encoder& e, const Event& ev, const nj_file_create& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_modify& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_delete& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_rename& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_chmod& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_chown& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_times& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_xattr& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_memfd& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_read& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_uring& rec);
void encode_record(Encoder& e, const Event& ev, const nj_file_chattr& rec);

// Names of the bits set, for the fields that spell them out.
std::vector<std::string> open_flag_names(uint64_t flags);
std::vector<std::string> rename_flag_names(uint64_t flags);
std::vector<std::string> memfd_flag_names(uint64_t flags);
std::vector<std::string> fallocate_mode_names(uint32_t mode);
std::vector<std::string> mode_bit_names(uint32_t mode);     // setuid, setgid, sticky
std::vector<std::string> inode_flag_names(uint32_t flags);  // FS_*_FL
std::vector<std::string> xflag_names(uint32_t flags);       // FS_XFLAG_*
// IORING_OP_* name of an opcode the io_uring event reports ("WRITE", ...).
std::string io_uring_op_name(uint64_t op);
// "0755" / "4755": permission and set-id bits in octal.
std::string octal_mode(uint32_t mode);
// ECS file.type of an i_mode ("file", "dir", "symlink", ...), "" if none.
const char* file_type_name(uint32_t mode);

}  // namespace nj
