# Sourced, not run. A private apt configuration: its own sources list,
# lists and cache, status /dev/null, so apt-get update/download can fetch
# from suites or architectures the machine does not use without touching
# the machine's own apt state. Used by tools/gen-vmlinux.sh and the kernel
# matrix (tests/matrix/run.sh).
#
# nj_private_apt_conf DIR ARCH [ARCH...]
#   writes DIR/etc/apt.conf (the first ARCH is the primary architecture)
#   for the sources list in DIR/etc/sources.list; point APT_CONFIG at it.
#
# APT_CONFIG is read first; it points Dir::Etc::main back at itself, so it
# is read again *after* /etc/apt/apt.conf.d (proxy settings etc. still
# apply) and can #clear the system's update hooks and override every state
# and cache path.
nj_private_apt_conf() {
    local d=$1
    shift
    local primary=$1 arches="" a
    for a in "$@"; do arches="$arches \"$a\";"; done
    mkdir -p "$d/etc/sources.list.d" "$d/etc/preferences.d" "$d/state/lists/partial" \
             "$d/cache/archives/partial"
    cat > "$d/etc/apt.conf" <<APTEOF
Dir::Etc::main "$d/etc/apt.conf";
Dir::Etc::SourceList "$d/etc/sources.list";
Dir::Etc::SourceParts "$d/etc/sources.list.d";
Dir::Etc::Preferences "$d/etc/preferences";
Dir::Etc::PreferencesParts "$d/etc/preferences.d";
Dir::State "$d/state";
Dir::State::Lists "$d/state/lists";
Dir::State::status "/dev/null";
Dir::Cache "$d/cache";
Dir::Cache::archives "$d/cache/archives";
Dir::Cache::pkgcache "pkgcache.bin";
Dir::Cache::srcpkgcache "srcpkgcache.bin";
APT::Architecture "$primary";
#clear APT::Architectures;
APT::Architectures {$arches };
APT::Sandbox::User "$(id -un)";
Acquire::Languages "none";
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled "false";
Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled "false";
APTEOF
}
