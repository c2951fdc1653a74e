#!/usr/bin/env python3
"""Read-only by construction: the device module links only the libmtp and
libgphoto2 functions that read. Every LIBMTP_* and gp_* symbol libdevice.a
uses must be on the list below, and nothing on the list may write, delete,
rename, send, capture or configure (a name check of its own, so that adding
a writing function to the list fails too).

    device_readonly.py path/to/libdevice.a
"""
import re
import subprocess
import sys

ALLOWED = {
    # libmtp: an uncached session, storages, one folder, ranges, thumbnails
    "LIBMTP_Init", "LIBMTP_Get_Supported_Devices_List", "LIBMTP_Open_Raw_Device_Uncached",
    "LIBMTP_Release_Device", "LIBMTP_Get_Modelname", "LIBMTP_Get_Manufacturername",
    "LIBMTP_Get_Serialnumber", "LIBMTP_Get_Storage", "LIBMTP_Get_Files_And_Folders",
    "LIBMTP_destroy_file_t", "LIBMTP_GetPartialObject", "LIBMTP_Get_Thumbnail",
    "LIBMTP_Get_Errorstack", "LIBMTP_Clear_Errorstack",
    # libgphoto2: drivers, the port, a session, storages, listings, ranges, previews
    "gp_abilities_list_new", "gp_abilities_list_load", "gp_abilities_list_count",
    "gp_abilities_list_get_abilities", "gp_abilities_list_free",
    "gp_port_info_list_new", "gp_port_info_list_load", "gp_port_info_list_lookup_path",
    "gp_port_info_list_get_info", "gp_port_info_list_free",
    "gp_context_new", "gp_context_unref",
    "gp_camera_new", "gp_camera_set_abilities", "gp_camera_set_port_info", "gp_camera_init",
    "gp_camera_exit", "gp_camera_free", "gp_camera_get_single_config", "gp_camera_get_storageinfo",
    "gp_camera_folder_list_files", "gp_camera_folder_list_folders", "gp_camera_file_get_info",
    "gp_camera_file_read", "gp_camera_file_get",
    "gp_file_new", "gp_file_get_data_and_size", "gp_file_free",
    "gp_list_new", "gp_list_reset", "gp_list_count", "gp_list_get_name", "gp_list_free",
    "gp_widget_get_value", "gp_widget_free", "gp_result_as_string",
}

WRITES = re.compile(r"send|delete|remove|set_(?!abilities|port_info)|create|move|copy|format|update|edit|"
                    r"truncate|put|capture|trigger|make_dir|rename|upload|(?<!list_)reset|set_config", re.I)


def main():
    bad_list = sorted(n for n in ALLOWED if WRITES.search(n))
    out = subprocess.run(["nm", "-u", sys.argv[1]], capture_output=True, text=True, check=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if re.search(r"\bU (LIBMTP_|gp_)", l)}
    unknown = sorted(used - ALLOWED)
    ok = True
    if bad_list:
        print(f"FAIL the allowed list holds functions that write: {bad_list}")
        ok = False
    if unknown:
        print(f"FAIL libdevice.a uses libmtp/libgphoto2 functions not known to be read-only: {unknown}")
        ok = False
    if len(used) < 20:
        print(f"FAIL only {len(used)} libmtp/libgphoto2 symbols found: are the backends built in?")
        ok = False
    if ok:
        print(f"PASS {len(used)} libmtp/libgphoto2 functions used, all of them read")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
