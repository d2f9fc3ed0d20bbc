#include "util/result.h"

#include <cstring>

namespace nj {

Error os_error(int code, const std::string& what) {
  if (code < 0) code = -code;
  return Error{code, what + ": " + std::strerror(code)};
}

}  // namespace nj
