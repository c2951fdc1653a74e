/* What the two USB backends (mtp.c with libmtp, ptp.c with libgphoto2)
 * share, implemented in usb.c: whether a USB device is still plugged in,
 * whether this process may open it and nobody else holds it, device text
 * made safe to show, and errors. Private to the device module.
 *
 * Why ask sysfs: neither library says why an open failed (libmtp returns
 * NULL for "no permission", "another program has it" and "unplugged"
 * alike), and a transfer that failed because the cable was pulled looks
 * like any other I/O error. The kernel's view answers those questions
 * without touching the device.
 */
#ifndef HIFAZAT_DEVICE_USB_INTERNAL_H
#define HIFAZAT_DEVICE_USB_INTERNAL_H

#include "device_backend.h"

#include <stdbool.h>
#include <stddef.h>

/* Sets *err (code and a printf-style detail; never put a file name in it). */
void device_usb_error(struct device_error *err, enum device_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True while the same device is plugged in: its sysfs folder still has the
 * bus and device numbers it had when read (a device plugged into the same
 * port again gets a new number). Always true for devices without a syspath
 * (tests). */
bool device_usb_present(const struct device_usb *u);

/* Like device_usb_present(), but waits up to wait_ms for the kernel to
 * finish removing a device whose transfers already fail (a pulled cable
 * fails the transfer a moment before sysfs forgets the device). */
bool device_usb_gone_soon(const struct device_usb *u, int wait_ms);

/* Before opening: 0, or -1 with *err: GONE (not there any more, or no node
 * for it under devdir, "/dev/bus/usb"), ACCESS (this user may not open its
 * node), BUSY (one of its interfaces is already claimed by a program
 * through usbfs). Devices without a syspath (tests) are not checked. */
int device_usb_check_open(const struct device_usb *u, const char *devdir, struct device_error *err);

/* Copies device-supplied text for display: valid UTF-8 only (anything else
 * becomes '?'), control characters become spaces, runs of spaces and the
 * ends trimmed, cut on a character boundary to fit n (n > 0). NULL: "". */
void device_usb_text(char *dst, size_t n, const char *src);

/* FNV-1a of a storage id and a path: a stable non-zero handle for backends
 * that address objects by path (libgphoto2). */
uint64_t device_usb_path_handle(uint32_t storage, const char *rel);

#endif
