// The process family's encoders (src/encode/encoder.cpp dispatches to them
// by overload through families/encoders.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "encode/encoder.h"

namespace nj {

void encode_record(Encoder& e, const Event& ev, const nj_exec& rec);
void encode_record(Encoder& e, const Event& ev, const nj_fork& rec);
void encode_record(Encoder& e, const Event& ev, const nj_exit& rec);
void encode_record(Encoder& e, const Event& ev, const nj_unshare& rec);

// CLONE_* names of the bits set in clone or unshare flags.
std::vector<std::string> clone_flag_names(uint64_t flags);

}  // namespace nj
