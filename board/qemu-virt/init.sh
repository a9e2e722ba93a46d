# Sourced by the image's /etc/init.d/rcS on this board, after the modules are loaded.
# The virtual CAN bus the gateway's can.iface names (no CAN controller on virt); MTU 72 for FD.
ip link add dev vcan0 type vcan && ip link set dev vcan0 mtu 72 && ip link set dev vcan0 up
