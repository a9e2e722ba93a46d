# Sourced by the image's /etc/init.d/rcS on this board, after the modules are loaded.
# The virtual CAN bus the gateway's can.iface names (no CAN controller on virt); MTU 72 for FD.
ip link add dev vcan0 type vcan && ip link set dev vcan0 mtu 72 && ip link set dev vcan0 up \
  || echo "switchyard rcS: cannot create vcan0" > /dev/console

# `make qemu-test` puts SWITCHYARD_CAN_TAP=<port> on the kernel command line: a second
# tunnel, in client mode under the topic "tap", plays the rest of the bus. It publishes
# what the gateway writes to vcan0 (tap/s/<id>) and writes tap/<id> to vcan0 for the
# gateway to read, so the host sees both directions through the guest's SocketCAN.
if [ -n "$SWITCHYARD_CAN_TAP" ]; then
  /usr/bin/switchyard can-tunnel -b socketcan -i vcan0 -t tap -H "${MQTT_BROKER:-10.0.2.2}" -P "$SWITCHYARD_CAN_TAP" \
    --client-id qemu-can-tap > /dev/console 2>&1 &
fi

# The boot test also gives the guest two emulated SJA1000 controllers (qemu's kvaser_pci) on
# one virtual bus: can0 for the gateway, can1 for this second tap (topic "tap1", 500 kbit/s,
# which libsocketcan sets and starts), so bit timing and controller state come from a real
# CAN driver, which vcan does not have.
if [ -n "$SWITCHYARD_CAN_TAP" ] && [ -e /sys/class/net/can1 ]; then
  /usr/bin/switchyard can-tunnel -b socketcan -i can1 -s 500000 -t tap1 -H "${MQTT_BROKER:-10.0.2.2}" \
    -P "$SWITCHYARD_CAN_TAP" --client-id qemu-can-tap1 > /dev/console 2>&1 &
fi

# `make qemu-test`'s Bluetooth checks attach a second disk labelled sy-test with test helpers
# (a GATT peer, never part of an image), its Wi-Fi checks one labelled sy-wifi (hostapd); each
# start script brings up their side. Absent otherwise.
for label in sy-test sy-wifi; do
  test_disk=$(findfs LABEL=$label 2>/dev/null)
  if [ -n "$test_disk" ] && mkdir -p /run/$label && mount -t ext4 -o ro "$test_disk" /run/$label; then
    sh /run/$label/start.sh > /dev/console 2>&1 &
  fi
done

# The boot test's watchdog checks (issue 27) give SWITCHYARD_TEST_FREEZE=<port>: a watcher asks
# the test on the host (10.0.2.2:<port>) every second. On "freeze-gateway" it stops the
# gateway with SIGSTOP once, as a hung gateway would be: the supervisor must notice the missing
# heartbeat and restart it. On "freeze" it stops the supervisor, as a hung supervisor would be,
# and the hardware watchdog must reset the board.
if [ -n "$SWITCHYARD_TEST_FREEZE" ]; then
  (
    stop() { # $1: what it is, $2: how its command line starts
      for process in /proc/[0-9]*; do
        if tr '\0' ' ' < "$process/cmdline" 2>/dev/null | grep -q "$2"; then
          echo "switchyard test: SIGSTOP to the $1 (pid ${process#/proc/})" > /dev/console
          kill -STOP "${process#/proc/}"
        fi
      done
    }
    gateway_stopped=
    while true; do
      case $(nc 10.0.2.2 "$SWITCHYARD_TEST_FREEZE" </dev/null 2>/dev/null) in
        freeze) stop supervisor '^/usr/bin/switchyard supervise'; break ;;
        freeze-gateway) [ -z "$gateway_stopped" ] && stop gateway '^[^ ]* run --data ' && gateway_stopped=1 ;;
      esac
      sleep 1
    done
  ) &
fi
