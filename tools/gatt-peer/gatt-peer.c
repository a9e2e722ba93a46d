/*
 * gatt-peer: the other side of the gateway's Bluetooth in the qemu boot test. Test code only,
 * carried on the test overlay disk (tests/image/checks_bluetooth.py), never in a product image.
 * Static, so the guest needs no libraries; only the kernel's Bluetooth headers at build time.
 *
 *   gatt-peer bridge SOCKET
 *       One emulated controller of btvirt's server mode (SOCKET, e.g. /tmp/bt-server-le) made
 *       a kernel adapter: a pseudo-terminal with the HCI UART line discipline (H4) on its
 *       slave side, as btattach puts it on a Pi's UART, and the master side relayed to the
 *       socket. btvirt's server reads an ACL header only when it arrives in one piece, so the
 *       relay hands it whole H4 packets. Killing the bridge removes the adapter (hotplug).
 *   gatt-peer address hciN
 *       Prints the adapter's public address (the test compares it with whom the cuff saw).
 *   gatt-peer serve hciN bthome|cuff|strap
 *       Powers hciN up through mgmt (LE, bondable, connectable) and advertises with
 *       mgmt Add Advertising: `bthome` a BTHome v2 sensor (service data 0xFCD2), `cuff` a
 *       blood-pressure cuff by name (BLESmart_...) that serves GATT on the L2CAP ATT channel:
 *       Battery 0x2A19 (read), Heart Rate 0x2A37 (notify, every second), Blood Pressure 0x2A35
 *       (indicate; its CCCD needs an encrypted link), Date Time 0x2A08 (read, write).
 *       `strap` a heart-rate strap (SY-Strap, service 0x180D advertised) serving Battery and
 *       Heart Rate only, no encryption asked: what active mode connects without a bond.
 *       Answers the kernel's Just Works confirmation requests (no bluetoothd here).
 *       SIGUSR1: the link is dropped now, and the next session's first Read Request is
 *       answered by dropping it again (a peer that goes away mid-read).
 * Every step is printed on stdout, one line each, for the test to wait on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>

#ifndef N_HCI
#define N_HCI 15
#endif
#define HCIUARTSETPROTO _IOW('U', 200, int)
#define HCIUARTGETDEVICE _IOR('U', 202, int)
#define HCIUARTSETFLAGS _IOW('U', 203, int)
#define HCI_UART_H4 0

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static const char *who = "gatt-peer";

static void say(const char *format, ...)
{
	va_list args;
	printf("%s: ", who);
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	putchar('\n');
	fflush(stdout);
}

/* The address as text, most significant byte first (libbluetooth's ba2str, without the library). */
static void address_text(const bdaddr_t *address, char text[18])
{
	const uint8_t *b = address->b;
	snprintf(text, 18, "%02X:%02X:%02X:%02X:%02X:%02X", b[5], b[4], b[3], b[2], b[1], b[0]);
}

/* Length of the whole H4 packet a host sends at the start of `buffer`, 0 while its header is
 * incomplete, -1 for a byte that starts no packet. */
static long h4_length(const uint8_t *buffer, size_t count)
{
	if (count == 0) return 0;
	switch (buffer[0]) {
	case 0x01: case 0x03: return count >= 4 ? 4 + buffer[3] : 0;
	case 0x02: return count >= 5 ? 5 + (buffer[3] | buffer[4] << 8) : 0;
	case 0x05: return count >= 5 ? 5 + ((buffer[3] | buffer[4] << 8) & 0x3FFF) : 0;
	default: return -1;
	}
}

static int write_all(int fd, const uint8_t *data, size_t count)
{
	while (count > 0) {
		ssize_t done = write(fd, data, count);
		if (done < 0 && errno == EINTR) continue;
		if (done <= 0) return -1;
		data += done;
		count -= done;
	}
	return 0;
}

static int bridge(const char *path)
{
	int controller = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	strncpy(address.sun_path, path, sizeof address.sun_path - 1);
	if (controller < 0 || connect(controller, (struct sockaddr *)&address, sizeof address) < 0) {
		perror(path);
		return 1;
	}
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) { perror("pty"); return 1; }
	struct termios raw;
	tcgetattr(master, &raw);
	cfmakeraw(&raw);
	tcsetattr(master, TCSANOW, &raw);
	int fd = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (fd < 0) { perror("pty slave"); return 1; }
	struct termios ti;
	memset(&ti, 0, sizeof ti);
	cfmakeraw(&ti);
	ti.c_cflag |= B115200 | CLOCAL | CREAD;
	int ldisc = N_HCI;
	if (tcsetattr(fd, TCSANOW, &ti) < 0 || ioctl(fd, TIOCSETD, &ldisc) < 0
	    || ioctl(fd, HCIUARTSETFLAGS, 0) < 0 || ioctl(fd, HCIUARTSETPROTO, HCI_UART_H4) < 0) {
		perror("attach");
		return 1;
	}
	int index = ioctl(fd, HCIUARTGETDEVICE);
	say("bridge: btvirt controller attached as hci%d", index);
	/* GATT_PEER_TRACE=FILE: every packet both ways, in hex (a btmon of the poor). */
	FILE *trace = getenv("GATT_PEER_TRACE") ? fopen(getenv("GATT_PEER_TRACE"), "w") : NULL;
	uint8_t pending[4096];
	size_t held = 0;
	for (;;) {
		struct pollfd p[2] = { { master, POLLIN, 0 }, { controller, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR) return 1;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			uint8_t data[4096];
			ssize_t got = read(controller, data, sizeof data);
			if (got <= 0 || write_all(master, data, got) < 0) { say("bridge: btvirt closed hci%d", index); return 1; }
			if (trace) {
				fprintf(trace, "%ld <", (long)time(NULL));
				for (ssize_t i = 0; i < got && i < 40; i++) fprintf(trace, " %02x", data[i]);
				fprintf(trace, "\n");
				fflush(trace);
			}
		}
		if (p[0].revents & POLLIN) {
			ssize_t got = read(master, pending + held, sizeof pending - held);
			if (got <= 0) return 1;
			held += got;
			for (;;) {
				long length = h4_length(pending, held);
				if (length < 0) { memmove(pending, pending + 1, --held); continue; }
				if (length == 0 || (size_t)length > held) break;
				if (write_all(controller, pending, length) < 0) return 1;
				if (trace) {
					fprintf(trace, "%ld >", (long)time(NULL));
					for (long i = 0; i < length && i < 40; i++) fprintf(trace, " %02x", pending[i]);
					fprintf(trace, "\n");
					fflush(trace);
				}
				memmove(pending, pending + length, held - length);
				held -= length;
			}
			if (held == sizeof pending) held = 0; /* a packet longer than any H4 one: resync */
		}
	}
}

/* --- mgmt: the kernel's control channel ------------------------------------------------ */

static int mgmt_fd = -1;
static uint16_t mgmt_index;

static void mgmt_send(uint16_t opcode, const void *params, uint16_t length)
{
	uint8_t packet[300];
	packet[0] = opcode & 0xff; packet[1] = opcode >> 8;
	packet[2] = mgmt_index & 0xff; packet[3] = mgmt_index >> 8;
	packet[4] = length & 0xff; packet[5] = length >> 8;
	memcpy(packet + 6, params, length);
	if (write(mgmt_fd, packet, 6 + length) < 0) perror("mgmt write");
}

static void mgmt_event(const uint8_t *packet, ssize_t length);

/* Sends a command and waits for its Command Complete or Status; the status byte. */
static int mgmt_command(uint16_t opcode, const void *params, uint16_t length)
{
	mgmt_send(opcode, params, length);
	for (int tries = 0; tries < 200; tries++) {
		struct pollfd p = { mgmt_fd, POLLIN, 0 };
		if (poll(&p, 1, 5000) <= 0) break;
		uint8_t packet[512];
		ssize_t got = read(mgmt_fd, packet, sizeof packet);
		if (got < 9) continue;
		uint16_t event = packet[0] | packet[1] << 8, index = packet[2] | packet[3] << 8;
		uint16_t answered = packet[6] | packet[7] << 8;
		if ((event == 1 || event == 2) && index == mgmt_index && answered == opcode) return packet[8];
		mgmt_event(packet, got);
	}
	return -1;
}

static void mgmt_event(const uint8_t *packet, ssize_t length)
{
	uint16_t event = packet[0] | packet[1] << 8, index = packet[2] | packet[3] << 8;
	if (index != mgmt_index) return;
	if (event == 0x000F && length >= 6 + 7) {
		/* User Confirmation Request: Just Works on the responder's side asks userspace. */
		say("pairing: confirming Just Works for %02X:%02X:%02X:%02X:%02X:%02X", packet[11], packet[10],
		    packet[9], packet[8], packet[7], packet[6]);
		mgmt_send(0x001C, packet + 6, 7);
	} else if ((event == 0x0001 || event == 0x0002) && length >= 9 && (packet[6] | packet[7] << 8) == 0x001C) {
		say("pairing: confirmation answered with status 0x%02x", packet[8]);
	} else if (event == 0x000A && length >= 6 + 7) {
		say("pairing: new long term key stored (bonded)");
	} else if (event == 0x0011 && length >= 6 + 8) {
		say("pairing: failed with status 0x%02x", packet[13]);
	}
}

static int mgmt_open(int index)
{
	mgmt_fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	struct sockaddr_hci address = { .hci_family = AF_BLUETOOTH, .hci_dev = HCI_DEV_NONE,
					.hci_channel = HCI_CHANNEL_CONTROL };
	if (mgmt_fd < 0 || bind(mgmt_fd, (struct sockaddr *)&address, sizeof address) < 0) {
		perror("mgmt");
		return -1;
	}
	mgmt_index = index;
	return 0;
}

static int setup(const char *name, const uint8_t *adv, uint8_t adv_length, int connectable_advert)
{
	uint8_t on = 1, off = 0;
	/* The adapter answers mgmt only once the kernel has set it up: Read Info until it does. */
	for (int tries = 0; tries < 60 && mgmt_command(0x0004, NULL, 0) != 0; tries++) usleep(500 * 1000);
	/* Powered off while the modes change, as bluetoothd does; LE is on for an LE-only one. */
	mgmt_command(0x0005, &off, 1);
	int le = mgmt_command(0x000D, &on, 1);
	int bondable = mgmt_command(0x0009, &on, 1);
	int connectable = mgmt_command(0x0007, &on, 1);
	uint8_t names[260] = { 0 };
	strncpy((char *)names, name, 248);
	int named = mgmt_command(0x000F, names, 260);
	int powered = mgmt_command(0x0005, &on, 1);
	/* Add Advertising: instance 1; a connectable one goes out from the public address, a
	 * sensor's (not connectable) from a non-resolvable random one, as the kernel picks. */
	uint8_t params[11 + 31] = { 1, connectable_advert ? 0x01 : 0x00, 0, 0, 0, 0, 0, 0, 0, adv_length, 0 };
	memcpy(params + 11, adv, adv_length);
	int advertising = mgmt_command(0x003E, params, 11 + adv_length);
	struct hci_dev_info info = { .dev_id = mgmt_index };
	int control = socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
	char text[18] = "?";
	if (control >= 0 && ioctl(control, HCIGETDEVINFO, &info) == 0) address_text(&info.bdaddr, text);
	if (control >= 0) close(control);
	say("mgmt hci%u: address %s", mgmt_index, text);
	say("mgmt hci%u: le %d bondable %d connectable %d name %d powered %d advertising %d", mgmt_index, le,
	    bondable, connectable, named, powered, advertising);
	return powered == 0 && advertising == 0 ? 0 : -1;
}

/* --- GATT: a small attribute table served over the ATT channel ------------------------- */

enum { READ = 0x02, WRITE = 0x08, NOTIFY = 0x10, INDICATE = 0x20 };
struct attribute {
	uint16_t handle, type;
	uint8_t value[20], length;
	uint8_t readable, writable, needs_encryption;
};
static struct attribute table[] = {
	{ 1, 0x2800, { 0x0F, 0x18 }, 2, 1, 0, 0 },
	{ 2, 0x2803, { READ, 3, 0, 0x19, 0x2A }, 5, 1, 0, 0 },
	{ 3, 0x2A19, { 87 }, 1, 1, 0, 0 },
	{ 4, 0x2800, { 0x0D, 0x18 }, 2, 1, 0, 0 },
	{ 5, 0x2803, { NOTIFY, 6, 0, 0x37, 0x2A }, 5, 1, 0, 0 },
	{ 6, 0x2A37, { 0x00, 72 }, 2, 0, 0, 0 },
	{ 7, 0x2902, { 0, 0 }, 2, 1, 1, 0 },
	{ 8, 0x2800, { 0x10, 0x18 }, 2, 1, 0, 0 },
	{ 9, 0x2803, { INDICATE, 10, 0, 0x35, 0x2A }, 5, 1, 0, 0 },
	/* 120/80 mmHg, MAP 93, time stamp 2026-03-04 05:06:07, pulse 64 bpm. */
	{ 10, 0x2A35, { 0x06, 120, 0, 80, 0, 93, 0, 0xEA, 0x07, 3, 4, 5, 6, 7, 64, 0 }, 16, 0, 0, 0 },
	{ 11, 0x2902, { 0, 0 }, 2, 1, 1, 1 },
	{ 12, 0x2803, { READ | WRITE, 13, 0, 0x08, 0x2A }, 5, 1, 0, 0 },
	{ 13, 0x2A08, { 0xEA, 0x07, 1, 1, 0, 0, 0 }, 7, 1, 1, 0 },
};
/* All of them for the cuff; a strap serves Battery and Heart Rate only (the first 7). */
static unsigned ATTRIBUTES = sizeof table / sizeof table[0];
#define MTU 23

static volatile sig_atomic_t drop_next_read, drop_now;
static void on_usr1(int signal) { (void)signal; drop_next_read = drop_now = 1; }

static struct attribute *find(uint16_t handle)
{
	for (unsigned i = 0; i < ATTRIBUTES; i++)
		if (table[i].handle == handle) return &table[i];
	return NULL;
}

static void error_response(int fd, uint8_t request, uint16_t handle, uint8_t code)
{
	uint8_t pdu[5] = { 0x01, request, handle & 0xff, handle >> 8, code };
	if (write(fd, pdu, 5) < 0) perror("att write");
}

static int encrypted(int fd)
{
	struct bt_security security = { 0 };
	socklen_t length = sizeof security;
	if (getsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &security, &length) < 0) return 0;
	return security.level >= BT_SECURITY_MEDIUM;
}

/* One request; 0 to keep the link, -1 to drop it. */
static int att_request(int fd, const uint8_t *pdu, ssize_t length)
{
	uint8_t out[MTU];
	uint16_t start = length >= 3 ? (pdu[1] | pdu[2] << 8) : 0;
	uint16_t end = length >= 5 ? (pdu[3] | pdu[4] << 8) : 0;
	size_t used = 0;
	switch (pdu[0]) {
	case 0x02: /* Exchange MTU: ours is the default. */
		out[0] = 0x03; out[1] = MTU; out[2] = 0;
		used = 3;
		break;
	case 0x04: /* Find Information: handle and 16-bit type. */
		out[0] = 0x05; out[1] = 0x01; used = 2;
		for (unsigned i = 0; i < ATTRIBUTES && used + 4 <= MTU; i++) {
			if (table[i].handle < start || table[i].handle > end) continue;
			out[used++] = table[i].handle & 0xff; out[used++] = table[i].handle >> 8;
			out[used++] = table[i].type & 0xff; out[used++] = table[i].type >> 8;
		}
		if (used == 2) { error_response(fd, pdu[0], start, 0x0A); return 0; }
		break;
	case 0x08: /* Read By Type (16-bit types only): entries of one length. */
	case 0x10: /* Read By Group Type: primary services, to the next service or the end. */
	{
		if (length != 7) { error_response(fd, pdu[0], start, 0x06); return 0; }
		uint16_t type = pdu[5] | pdu[6] << 8;
		uint8_t entry = 0;
		out[0] = pdu[0] + 1; used = 2;
		for (unsigned i = 0; i < ATTRIBUTES; i++) {
			struct attribute *a = &table[i];
			if (a->handle < start || a->handle > end || a->type != type) continue;
			uint8_t size = (pdu[0] == 0x10 ? 4 : 2) + a->length;
			if (entry == 0) entry = size;
			if (size != entry || used + size > MTU) break;
			out[used++] = a->handle & 0xff; out[used++] = a->handle >> 8;
			if (pdu[0] == 0x10) {
				uint16_t last = 0xFFFF;
				for (unsigned j = i + 1; j < ATTRIBUTES; j++)
					if (table[j].type == 0x2800) { last = table[j].handle - 1; break; }
				if (last == 0xFFFF) last = table[ATTRIBUTES - 1].handle;
				out[used++] = last & 0xff; out[used++] = last >> 8;
			}
			memcpy(out + used, a->value, a->length);
			used += a->length;
		}
		if (entry == 0) { error_response(fd, pdu[0], start, 0x0A); return 0; }
		out[1] = entry;
		break;
	}
	case 0x0A: /* Read */
	{
		if (drop_next_read) {
			drop_next_read = 0;
			say("att: dropping the link in the middle of a read of handle %u", start);
			return -1;
		}
		struct attribute *a = find(start);
		if (!a) { error_response(fd, pdu[0], start, 0x01); return 0; }
		if (!a->readable) { error_response(fd, pdu[0], start, 0x02); return 0; }
		out[0] = 0x0B;
		memcpy(out + 1, a->value, a->length);
		used = 1 + a->length;
		say("att: read handle %u", start);
		break;
	}
	case 0x12: /* Write Request */
	{
		struct attribute *a = find(start);
		if (!a) { error_response(fd, pdu[0], start, 0x01); return 0; }
		if (!a->writable) { error_response(fd, pdu[0], start, 0x03); return 0; }
		if (a->needs_encryption && !encrypted(fd)) {
			/* No key with this central yet: Insufficient Authentication, as a cuff answers. */
			say("att: write of handle %u refused: link not encrypted", start);
			error_response(fd, pdu[0], start, 0x05);
			return 0;
		}
		size_t size = length - 3 > (ssize_t)sizeof a->value ? sizeof a->value : (size_t)(length - 3);
		memcpy(a->value, pdu + 3, size);
		a->length = size;
		say("att: write handle %u (%zu bytes)", start, size);
		out[0] = 0x13;
		used = 1;
		break;
	}
	case 0x1E: /* Handle Value Confirmation */
		say("att: indication confirmed");
		return 0;
	default:
		if (pdu[0] & 0x40) return 0; /* a command: no answer */
		error_response(fd, pdu[0], 0, 0x06);
		return 0;
	}
	if (write(fd, out, used) < 0) return -1;
	return 0;
}

static void value_out(int fd, uint8_t opcode, struct attribute *a)
{
	uint8_t pdu[MTU] = { opcode, a->handle & 0xff, a->handle >> 8 };
	memcpy(pdu + 3, a->value, a->length);
	if (write(fd, pdu, 3 + a->length) < 0) perror("att value");
}

static int gatt_listen(int index)
{
	struct hci_dev_info info = { .dev_id = index };
	int control = socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
	if (control < 0 || ioctl(control, HCIGETDEVINFO, &info) < 0) { perror("HCIGETDEVINFO"); return -1; }
	close(control);
	int fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP);
	struct sockaddr_l2 local = { .l2_family = AF_BLUETOOTH, .l2_cid = htobs(4), .l2_bdaddr_type = BDADDR_LE_PUBLIC };
	local.l2_bdaddr = info.bdaddr;
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof local) < 0 || listen(fd, 1) < 0) {
		perror("ATT listen");
		return -1;
	}
	char text[18];
	address_text(&info.bdaddr, text);
	say("gatt: listening on %s", text);
	return fd;
}

static int serve(int index, const char *role)
{
	who = role;
	if (mgmt_open(index) < 0) return 1;
	signal(SIGUSR1, on_usr1);
	signal(SIGPIPE, SIG_IGN);
	uint8_t adv[31];
	uint8_t length = 0;
	const char *name;
	int gatt = 0;
	if (strcmp(role, "bthome") == 0) {
		name = "SY-BTHome";
		/* Flags, then BTHome v2 service data: battery 93 %, temperature 23.45 °C, humidity 55.50 %. */
		const uint8_t data[] = { 0x02, 0x01, 0x06, 0x0C, 0x16, 0xD2, 0xFC, 0x40, 0x01, 0x5D, 0x02, 0x29, 0x09,
					 0x03, 0xAE, 0x15, 0x0A, 0x09, 'S', 'Y', '-', 'B', 'T', 'H', 'o', 'm', 'e' };
		memcpy(adv, data, sizeof data);
		length = sizeof data;
	} else if (strcmp(role, "strap") == 0) {
		name = "SY-Strap";
		const uint8_t data[] = { 0x02, 0x01, 0x06, 0x03, 0x03, 0x0D, 0x18, 0x09, 0x09, 'S', 'Y', '-', 'S', 't', 'r',
					 'a', 'p' };
		memcpy(adv, data, sizeof data);
		length = sizeof data;
		ATTRIBUTES = 7;
		gatt = 1;
	} else {
		name = "BLESmart_0000021F";
		const uint8_t data[] = { 0x02, 0x01, 0x06, 0x03, 0x03, 0x10, 0x18, 0x12, 0x09, 'B', 'L', 'E', 'S', 'm', 'a',
					 'r', 't', '_', '0', '0', '0', '0', '0', '2', '1', 'F' };
		memcpy(adv, data, sizeof data);
		length = sizeof data;
		gatt = 1;
	}
	if (setup(name, adv, length, gatt) < 0) say("mgmt hci%d: setup failed", index);
	int listener = gatt ? gatt_listen(index) : -1;
	int link = -1, first_request = 0;
	time_t last_beat = 0, indicated = 0;
	uint8_t bpm = 72;
	for (;;) {
		struct pollfd p[3] = { { mgmt_fd, POLLIN, 0 }, { listener, POLLIN, 0 }, { link, POLLIN, 0 } };
		poll(p, 3, 500);
		if (p[0].revents & POLLIN) {
			uint8_t packet[512];
			ssize_t got = read(mgmt_fd, packet, sizeof packet);
			if (got >= 6) mgmt_event(packet, got);
		}
		if (listener >= 0 && (p[1].revents & POLLIN)) {
			struct sockaddr_l2 remote;
			socklen_t size = sizeof remote;
			int fd = accept(listener, (struct sockaddr *)&remote, &size);
			if (fd >= 0) {
				if (link >= 0) close(link);
				link = fd;
				table[6].value[0] = table[6].value[1] = 0;
				table[10].value[0] = table[10].value[1] = 0;
				indicated = 0;
				char text[18];
				address_text(&remote.l2_bdaddr, text);
				/* Encryption follows the connection; the central asks only once it is done. */
				say("gatt: connection from %s", text);
				first_request = 1;
			}
		}
		if (link >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			uint8_t pdu[512];
			ssize_t got = read(link, pdu, sizeof pdu);
			if (got > 0 && first_request) {
				first_request = 0;
				say("gatt: first request, encrypted %d", encrypted(link));
			}
			if (got <= 0) {
				say("gatt: link closed by the central");
				close(link);
				link = -1;
			} else if (att_request(link, pdu, got) < 0) {
				say("gatt: link closed");
				close(link);
				link = -1;
			}
		}
		if (drop_now) {
			drop_now = 0;
			if (link >= 0) {
				say("gatt: dropping the link");
				close(link);
				link = -1;
			}
		}
		time_t now = time(NULL);
		if (link >= 0 && table[6].value[0] & 1 && now != last_beat) {
			last_beat = now;
			table[5].value[1] = bpm;
			value_out(link, 0x1B, &table[5]);
			bpm = bpm >= 80 ? 72 : bpm + 1;
		}
		if (link >= 0 && table[10].value[0] & 2 && !indicated) {
			indicated = now;
			value_out(link, 0x1D, &table[9]);
			say("att: blood pressure indicated");
		}
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "bridge") == 0) return bridge(argv[2]);
	if (argc == 3 && strcmp(argv[1], "address") == 0 && strncmp(argv[2], "hci", 3) == 0) {
		struct hci_dev_info info = { .dev_id = atoi(argv[2] + 3) };
		int control = socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI);
		if (control < 0 || ioctl(control, HCIGETDEVINFO, &info) < 0) { perror("HCIGETDEVINFO"); return 1; }
		char text[18];
		address_text(&info.bdaddr, text);
		printf("%s\n", text);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "serve") == 0 && strncmp(argv[2], "hci", 3) == 0)
		return serve(atoi(argv[2] + 3), argv[3]);
	fprintf(stderr, "usage: gatt-peer bridge SOCKET | gatt-peer address hciN | gatt-peer serve hciN bthome|cuff|strap\n");
	return 2;
}
