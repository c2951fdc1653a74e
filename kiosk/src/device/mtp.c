/* MTP through libmtp: Android phones. (Being written: the backend table is
 * filled in by the phone backends' work; until then no USB device is
 * claimed by it.) */
#include "device_backend.h"

const struct device_backend *device_backend_mtp(void)
{
    return NULL;
}
