"""A seccomp filter for the sandboxed process: system calls that only serve to attack the
kernel or the sandbox (ptrace, mount and the new mount API, new namespaces, kernel keyrings,
bpf, io_uring, pidfds, ...) fail with EPERM; clone3 fails with ENOSYS so the C library falls
back to clone; sockets other than AF_UNIX, AF_INET and AF_INET6 (vsock reaches a VM's host
whatever the network namespace; netlink talks to the kernel) fail with EAFNOSUPPORT.
Built as raw classic-BPF so no library is needed; bubblewrap loads it."""

from __future__ import annotations

import errno
import platform
import struct

# struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }
_LD_ABS_W, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_KILL_PROCESS = 0x80000000
_X32_SYSCALL_BIT = 0x40000000

# name: (x86_64 number, aarch64 number)
BLOCKED = {
    "ptrace": (101, 117),
    "process_vm_readv": (310, 270),
    "process_vm_writev": (311, 271),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "chroot": (161, 51),
    "unshare": (272, 97),
    "setns": (308, 268),
    "keyctl": (250, 219),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "kexec_load": (246, 104),
    "init_module": (175, 105),
    "finit_module": (313, 273),
    "delete_module": (176, 106),
    "acct": (163, 89),
    "swapon": (167, 224),
    "swapoff": (168, 225),
    "reboot": (169, 142),
    "open_by_handle_at": (304, 265),
    "name_to_handle_at": (303, 264),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "modify_ldt": (154, None),
    "personality": (135, 92),
    "kcmp": (312, 272),
    "pidfd_open": (434, 434),
    "pidfd_send_signal": (424, 424),
    "pidfd_getfd": (438, 438),
    "memfd_secret": (447, 447),
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
}
NOT_IMPLEMENTED = {"clone3": (435, 435)}  # ENOSYS: glibc then uses clone, whose flags we filter
SOCKET_CALLS = {"socket": (41, 198), "socketpair": (53, 199)}
ALLOWED_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6
_ARG0_LOW = 16  # offsetof(struct seccomp_data, args[0]), low 32 bits on little-endian machines
ARCHITECTURES = {"x86_64": (0xC000003E, 0), "aarch64": (0xC00000B7, 1)}


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def _family_check(number: int) -> list[bytes]:
    """For socket/socketpair: allow the permitted families, refuse the rest. The accumulator holds
    the syscall number on entry; a different call skips the whole block."""
    families = len(ALLOWED_FAMILIES)
    block = [_instruction(_LD_ABS_W, 0, 0, _ARG0_LOW)]
    for index, family in enumerate(ALLOWED_FAMILIES):
        block.append(_instruction(_JEQ_K, families - index, 0, family))  # to the allow below
    block.append(_instruction(_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.EAFNOSUPPORT))
    block.append(_instruction(_RET_K, 0, 0, _SECCOMP_RET_ALLOW))
    return [_instruction(_JEQ_K, 0, len(block), number), *block]


def build_filter(machine: str | None = None) -> bytes | None:
    """The BPF program for this machine, or None where we do not know its syscall numbers."""
    machine = machine or platform.machine()
    if machine not in ARCHITECTURES:
        return None
    audit_arch, column = ARCHITECTURES[machine]
    numbers = sorted({pair[column] for pair in BLOCKED.values() if pair[column] is not None})
    deny = _SECCOMP_RET_ERRNO | errno.EPERM
    program = [
        _instruction(_LD_ABS_W, 0, 0, 4),  # seccomp_data.arch
        _instruction(_JEQ_K, 1, 0, audit_arch),
        _instruction(_RET_K, 0, 0, _SECCOMP_RET_KILL_PROCESS),  # another ABI: refuse to run
        _instruction(_LD_ABS_W, 0, 0, 0),  # seccomp_data.nr
    ]
    if machine == "x86_64":  # the x32 ABI reaches the same calls under other numbers
        program.append(_instruction(_JGE_K, 0, 1, _X32_SYSCALL_BIT))
        program.append(_instruction(_RET_K, 0, 0, deny))
    for number in numbers:
        program.append(_instruction(_JEQ_K, 0, 1, number))
        program.append(_instruction(_RET_K, 0, 0, deny))
    for pair in NOT_IMPLEMENTED.values():
        program.append(_instruction(_JEQ_K, 0, 1, pair[column]))
        program.append(_instruction(_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.ENOSYS))
    for pair in SOCKET_CALLS.values():
        program += _family_check(pair[column])
    program.append(_instruction(_RET_K, 0, 0, _SECCOMP_RET_ALLOW))
    return b"".join(program)
