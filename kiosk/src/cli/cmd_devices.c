/* hifazat devices [--json] — the phones and cameras plugged in by cable,
 * one line (or JSON object) each: backend, model, serial and device-path
 * key, storages, free space, and what state it is in (ready,
 * charging_only, locked, untrusted, ...). Memory cards and USB sticks are
 * not listed (they are mounted volumes; `hifazat hash` takes their paths). */
#include "cli.h"
#include "device.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: hifazat devices [--json] [--backend mtp|ptp] [--wait S]\n"
          "Lists the phones and cameras plugged in by cable, one line each (or one\n"
          "JSON object each with --json): backend (mtp: libmtp, ptp: libgphoto2), model,\n"
          "serial, the KEY of its device paths (mtp:KEY/DCIM/...), storages, free space\n"
          "and state: ready, connecting, charging_only (choose \"File transfer\" on the\n"
          "phone), locked (unlock it), untrusted (iPhone: tap Trust), not_answering,\n"
          "busy (another program has it), failed. Nothing is written to any device.\n"
          "\n"
          "  --json            JSON Lines on stdout\n"
          "  --backend B       read every device through B where it can (default: the\n"
          "                    right one for each: mtp for Android, ptp for iPhones)\n"
          "  --wait S          wait up to S seconds for devices being opened (default 20)\n"
          "  -h, --help        this text\n"
          "\n"
          "Exit status: 0 listed (maybe none), 1 the device layer failed, 2 usage error.\n",
          f);
}

static const char *kind_name(enum device_kind k)
{
    switch (k) {
    case DEVICE_KIND_IPHONE: return "iphone";
    case DEVICE_KIND_CAMERA: return "camera";
    case DEVICE_KIND_VOLUME: return "volume";
    default: return "phone";
    }
}

/* "12.3 GB" (decimal, as phones show it). */
static void human(uint64_t b, char *out, size_t n)
{
    if (b >= 1000000000ull)
        snprintf(out, n, "%.1f GB", b / 1e9);
    else
        snprintf(out, n, "%.0f MB", b / 1e6);
}

static json_t *device_json(const struct device_info *i)
{
    json_t *o = json_object();
    json_object_set_new(o, "backend", json_string(device_backend_name(i->backend)));
    json_object_set_new(o, "kind", json_string(kind_name(i->kind)));
    json_object_set_new(o, "state", json_string(device_state_name(i->state)));
    json_object_set_new(o, "model", json_string(i->label));
    json_object_set_new(o, "vendor", json_string(i->vendor));
    json_object_set_new(o, "serial", json_string(i->serial));
    json_object_set_new(o, "key", json_string(i->key));
    json_object_set_new(o, "root", json_string(i->root));
    char usb[16];
    snprintf(usb, sizeof(usb), "%04x:%04x", i->usb_vendor, i->usb_product);
    json_object_set_new(o, "usb", json_string(usb));
    json_object_set_new(o, "total_bytes", json_integer((json_int_t)i->total_bytes));
    json_object_set_new(o, "free_bytes", json_integer((json_int_t)i->free_bytes));
    json_t *a = json_array();
    for (size_t s = 0; s < i->nstorages; s++) {
        const struct device_storage *st = &i->storages[s];
        json_t *so = json_object();
        json_object_set_new(so, "root", json_string(st->root));
        json_object_set_new(so, "description", json_string(st->description));
        json_object_set_new(so, "removable", json_boolean(st->removable));
        json_object_set_new(so, "total_bytes", json_integer((json_int_t)st->total_bytes));
        json_object_set_new(so, "free_bytes", json_integer((json_int_t)st->free_bytes));
        json_array_append_new(a, so);
    }
    json_object_set_new(o, "storages", a);
    return o;
}

static void device_line(FILE *out, const struct device_info *i)
{
    fprintf(out, "%s  %s  %s", device_backend_name(i->backend), device_state_name(i->state),
            i->label[0] ? i->label : "(no model name)");
    if (i->vendor[0])
        fprintf(out, " (%s)", i->vendor);
    fprintf(out, "  %s  usb %04x:%04x", i->root, i->usb_vendor, i->usb_product);
    if (i->serial[0] && strcmp(i->serial, i->key))
        fprintf(out, "  serial %s", i->serial);
    for (size_t s = 0; s < i->nstorages; s++) {
        const struct device_storage *st = &i->storages[s];
        char fr[32], tot[32];
        human(st->free_bytes, fr, sizeof(fr));
        human(st->total_bytes, tot, sizeof(tot));
        fprintf(out, "%s %s%s%s: %s free of %s", s ? ";" : "  storages:", st->root,
                st->description[0] ? " " : "", st->description, fr, tot);
        if (st->removable)
            fputs(" (card)", out);
    }
    fputc('\n', out);
}

int cmd_devices(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"backend", required_argument, NULL, 'b'},
        {"wait", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    bool json = false;
    const char *backend = NULL;
    double wait_s = 20;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 'b':
            if (strcmp(optarg, "mtp") && strcmp(optarg, "ptp")) {
                cli_error("--backend is mtp or ptp, not '%s'", optarg);
                return CLI_USAGE;
            }
            backend = optarg;
            break;
        case 'w':
            if (cli_parse_seconds(optarg, &wait_s) != 0) {
                cli_error("--wait needs seconds, not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case 'h': usage(stdout); return CLI_OK;
        default: usage(stderr); return CLI_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("devices: unexpected argument '%s'", argv[optind]);
        return CLI_USAGE;
    }
    FILE *out = cli_results_stream();
    if (!out)
        return CLI_SOME_FAILED;

    struct device_options o;
    device_options_default(&o);
    o.usb = true;
    o.usb_backend = backend;
    struct device_error err = {0};
    struct devices *d = devices_create(&o, &err);
    if (!d) {
        cli_error("devices: %s (%s)", device_err_message(err.code), err.detail);
        return CLI_SOME_FAILED;
    }
    if (devices_settle(d, (int)(wait_s * 1000)) != 0)
        cli_error("devices: some devices are still being opened after %.0f s", wait_s);
    struct device_list *l = devices_list(d);
    int rc = CLI_OK;
    if (!l) {
        cli_error("out of memory");
        rc = CLI_SOME_FAILED;
    } else {
        size_t shown = 0;
        for (size_t i = 0; i < l->count; i++) {
            const struct device_info *info = &l->v[i];
            if (info->backend == DEVICE_BACKEND_FS)
                continue;
            shown++;
            if (json) {
                json_t *jo = device_json(info);
                char *s = json_dumps(jo, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
                if (s) {
                    fputs(s, out);
                    fputc('\n', out);
                    free(s);
                }
                json_decref(jo);
            } else {
                device_line(out, info);
            }
        }
        if (!shown && isatty(STDERR_FILENO))
            fputs("no phone or camera is plugged in by cable\n", stderr);
    }
    device_list_free(l);
    devices_destroy(d);
    if (fflush(out) != 0)
        rc = CLI_SOME_FAILED;
    return rc;
}
