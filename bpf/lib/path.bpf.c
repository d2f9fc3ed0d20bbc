/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dentry walker. Writes NUL-terminated segments, leaf first, as the value
 * of this CPU's next batch part (NJ_PART_DATA) and returns (NJ_STR_* flags << 16) | length.
 *
 * It climbs to the root of the mount namespace, crossing mount points
 * through struct mount (a bind mount's root need not be "/"), so chroot is
 * ignored and a containerised process sees container-relative paths. A
 * dentry that is its own parent without being a mount root is disconnected
 * (memfd, pipe, socket): its name is the last segment and the result lacks
 * NJ_STR_PATH_ROOTED.
 *
 * The running offset lives in the scratch value (sc->len), not in a
 * register: the verifier then sees an unknown, bounded scalar at every loop
 * head instead of one tracked range per way through the loop so far, and
 * the paths through the loop body collapse into one state per iteration.
 */
#include "helpers.h"

/* d_parent and then d_name (a qstr: hash_len, name) follow each other in
 * struct dentry on every kernel we know of. Where they do, one read per level
 * fetches both the parent and the name pointer; each read is a helper call,
 * and the walk is most of the exec program's cost. */
struct nj_dentry_link {
	struct dentry *parent;
	__u64 hash_len;
	const unsigned char *name;
};

static __always_inline long nj_dentry_link(struct dentry *d, struct nj_dentry_link *l)
{
	__u32 off_parent = bpf_core_field_offset(struct dentry, d_parent);

	if (bpf_core_field_offset(struct dentry, d_name.name) == off_parent + 16)
		return bpf_probe_read_kernel(l, sizeof(*l), (void *)d + off_parent);
	l->parent = BPF_CORE_READ(d, d_parent);
	l->name = BPF_CORE_READ(d, d_name.name);
	return 0;
}

__noinline int nj_build_path(__u64 vfsmount, __u64 dentry)
{
	struct nj_scratch *sc = nj_scratch_get();
	struct dentry *d, *mnt_root;
	struct mount *mnt, *mnt_parent;
	struct nj_dentry_link link;
	int flags = NJ_STR_TRUNCATED;
	__u32 off;
	long n;

	if (!sc || !vfsmount || !dentry)
		return -1;
	sc->len = 0;
	d = (struct dentry *)dentry;
	mnt = container_of((struct vfsmount *)vfsmount, struct mount, mnt);
	/* Read again only when the walk crosses into another mount: each read
	 * is a helper call, and most levels share their mount. */
	mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);

#pragma clang loop unroll(disable)
	for (int i = 0; i < NJ_PATH_DEPTH; i++) {
		if (d == mnt_root) {
			mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
			if (mnt_parent == mnt) {
				flags = NJ_STR_PATH_ROOTED;
				break;
			}
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			mnt_root = BPF_CORE_READ(mnt, mnt.mnt_root);
			continue;
		}
		off = sc->len;
		/* Room for every path shorter than PATH_MAX: its segments take as
		 * many bytes as its text. A segment read here may run up to 256
		 * bytes past NJ_PATH_MAX, which the batch buffer has. */
		if (off >= NJ_PATH_MAX) {
			flags = NJ_STR_TRUNCATED;
			break;
		}
		if (nj_dentry_link(d, &link)) {
			nj_count_read_error();
			flags = NJ_STR_READ_ERROR;
			break;
		}
		n = bpf_probe_read_kernel_str(NJ_PART_DATA(sc) + (off & (NJ_PATH_MAX - 1)), 256,
					      link.name);
		if (n < 0) {
			nj_count_read_error();
			flags = NJ_STR_READ_ERROR;
			break;
		}
		sc->len = off + n;
		if (d == link.parent) {
			flags = 0;
			break;
		}
		d = link.parent;
	}
	return (flags << 16) | (sc->len & 0xffff);
}
