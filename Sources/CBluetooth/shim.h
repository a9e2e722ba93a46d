#include <sys/socket.h>
#include <sys/un.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/l2cap.h>

/* Whether adapter `id` exists and whether it is up: 1 up, 0 down, -1 no such adapter. */
static inline int sy_hci_dev_state(int id)
{
	struct hci_dev_info info;
	if (hci_devinfo(id, &info) < 0) return -1;
	return hci_test_bit(HCI_UP, &info.flags) ? 1 : 0;
}

/* The public address of adapter `id` into `address`: 0, or -1 when there is no such adapter. */
static inline int sy_hci_dev_address(int id, bdaddr_t *address)
{
	struct hci_dev_info info;
	if (hci_devinfo(id, &info) < 0) return -1;
	bacpy(address, &info.bdaddr);
	return 0;
}
