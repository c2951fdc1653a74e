# Shared by data-partition and media-mount (sourced, POSIX sh).
# The boot stick is the disk that holds the read-only root (the squashfs the
# initramfs mounted and hifazat-overlay moved to /run/hifazat-root/ro).

# disk_of /dev/sda3 -> sda ; disk_of /dev/mmcblk0p1 -> mmcblk0 ; disk_of /dev/sdb -> sdb
disk_of() {
    _n=$(basename "$(readlink -f "$1")")
    if [ -e "/sys/class/block/$_n/partition" ]; then
        basename "$(readlink -f "/sys/class/block/$_n/..")"
    else
        echo "$_n"
    fi
}

boot_disk() {
    _src=$(findmnt -no SOURCE /run/hifazat-root/ro 2>/dev/null || true)
    [ -n "$_src" ] || return 1
    disk_of "$_src"
}
