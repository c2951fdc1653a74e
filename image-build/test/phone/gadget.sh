#!/bin/bash
# TEST VM ONLY (image-build/test/phone_proof.py): a phone-like USB gadget on
# dummy_hcd, seen by the guest through the real USB stack. With umtprd
# (uMTP Responder, FunctionFS) it is an MTP phone of CONF's storages (none:
# a phone that is locked); with "acm" a phone in "charging only" (Samsung
# ids, a serial interface, no MTP).
#   gadget.sh up CONF | gadget.sh up - acm | gadget.sh down
set -e
G=/sys/kernel/config/usb_gadget/phone
down() {
    [ -d $G ] || return 0
    echo "" > $G/UDC 2>/dev/null || true
    if [ -f /run/umtprd.pid ]; then kill "$(cat /run/umtprd.pid)" 2>/dev/null || true; rm -f /run/umtprd.pid; sleep 0.5; fi
    rm -f $G/configs/c.1/ffs.mtp $G/configs/c.1/acm.usb0
    rmdir $G/configs/c.1/strings/0x409 $G/configs/c.1 2>/dev/null || true
    rmdir $G/functions/ffs.mtp $G/functions/acm.usb0 2>/dev/null || true
    rmdir $G/strings/0x409 2>/dev/null || true
    umount /dev/ffs-mtp 2>/dev/null || true
    rmdir $G
}
if [ "$1" = down ]; then down; exit 0; fi
down
modprobe dummy_hcd; modprobe libcomposite; modprobe usb_f_fs
mkdir $G; cd $G
echo 0x04e8 > idVendor; echo 0x6860 > idProduct
mkdir strings/0x409
echo R58N12ABCDE > strings/0x409/serialnumber
echo samsung > strings/0x409/manufacturer
echo SAMSUNG_Android > strings/0x409/product
mkdir configs/c.1 configs/c.1/strings/0x409
echo "Conf 1" > configs/c.1/strings/0x409/configuration
if [ "$3" = acm ]; then
    modprobe usb_f_acm
    mkdir functions/acm.usb0; ln -s functions/acm.usb0 configs/c.1
else
    mkdir functions/ffs.mtp; ln -s functions/ffs.mtp configs/c.1
    mkdir -p /dev/ffs-mtp; mount -t functionfs mtp /dev/ffs-mtp
    setsid /usr/local/bin/umtprd -conf "$2" >/run/umtprd.log 2>&1 < /dev/null &
    echo $! > /run/umtprd.pid
    sleep 1
fi
echo dummy_udc.0 > UDC
