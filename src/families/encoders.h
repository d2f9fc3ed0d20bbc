// Every family's encode_record overloads, for the encoder's dispatch.
#pragma once

#include "families/file/encode.h"
#include "families/network/encode.h"
#include "families/process/encode.h"
#include "families/tamper/encode.h"
