/*
 * Linked into the firmware only (toolchain/firmware.mk), never into the host build, whose
 * full Swift runtime gets this right.
 *
 * Swift 6.3's Embedded runtime returns the *untagged* pointer from swift_bridgeObjectRetain
 * and swift_bridgeObjectRetain_n, while the compiler may use a retain's result as the very
 * value it passed in. For a small string (its bits are the characters, the top byte its tag)
 * that clears bits 60-62 of the tag: 0xE7 ("7 ASCII bytes") becomes 0x87, and the next append
 * asks for a gigantic buffer and traps. It showed up as the aarch64 firmware trapping at
 * start once Logger's formatting moved out of line (issue 29); any other code shape could hit
 * it too. Fixed upstream by returning the object as given (swiftlang/swift#91151); until the
 * toolchain has it, these strong definitions replace the runtime's weak ones, which every
 * Embedded object file carries.
 */
#include <stdint.h>

/* HeapObject.bridgeObjectToPlainObjectMask of the Embedded runtime on 64-bit targets: the
 * spare bits of a bridge object cleared, the tagged-value bit (63) kept so that the
 * runtime's retain leaves tagged values alone. */
#define PLAIN_OBJECT_MASK UINT64_C(0x8ffffffffffffff8)

void *swift_retain_n(void *object, uint32_t n);

void *swift_bridgeObjectRetain_n(void *object, uint32_t n) {
    (void)swift_retain_n((void *)((uintptr_t)object & PLAIN_OBJECT_MASK), n);
    return object;
}

void *swift_bridgeObjectRetain(void *object) {
    return swift_bridgeObjectRetain_n(object, 1);
}
