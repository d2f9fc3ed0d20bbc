// Every family's encode_record overloads, for the encoder's dispatch.
#pragma once

#include "families/process/encode.h"
