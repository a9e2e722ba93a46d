#include <sys/socket.h>
#include <sys/un.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/l2cap.h>
#include <errno.h>
#include <sys/ioctl.h>

/* HCIDEVUP is a function-like macro (_IOW) Swift cannot import. Powers adapter `id` up, as
 * `hciconfig hciN up` does; 0 when it is up (EALREADY: it already was), else -1 with errno. */
static inline int sy_hci_dev_up(int socket, int id)
{
	if (ioctl(socket, HCIDEVUP, id) == 0 || errno == EALREADY) return 0;
	return -1;
}

/* Whether adapter `id` exists and whether it is up: 1 up, 0 down, -1 no such adapter. */
static inline int sy_hci_dev_state(int id)
{
	struct hci_dev_info info;
	if (hci_devinfo(id, &info) < 0) return -1;
	return hci_test_bit(HCI_UP, &info.flags) ? 1 : 0;
}
