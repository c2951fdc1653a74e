/* PTP through libgphoto2: iPhones, cameras, Android in PTP mode. (Being
 * written: until then no USB device is claimed by it.) */
#include "device_backend.h"

const struct device_backend *device_backend_ptp(void)
{
    return NULL;
}
