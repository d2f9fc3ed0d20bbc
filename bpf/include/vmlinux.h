/* SPDX-License-Identifier: GPL-2.0 */
/* Picks the checked-in kernel type dump for the target architecture.
 * See vmlinux/README.md for where each came from; CO-RE relocates every
 * access at load time, so these need not match the running kernel. */
#if defined(__TARGET_ARCH_x86)
#include "vmlinux/x86_64/vmlinux.h"
#elif defined(__TARGET_ARCH_arm64)
#include "vmlinux/aarch64/vmlinux.h"
#else
#error "define __TARGET_ARCH_x86 or __TARGET_ARCH_arm64"
#endif
