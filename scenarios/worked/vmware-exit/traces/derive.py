#!/usr/bin/env python3
"""Writes the VMware-exit estate as canonical CSV (deterministic; run from this folder).

estate.csv: 48 VMs running all month (the steady state, before or after the move).
waves.csv:  the same 48 VMs moving in three waves of 16, on days 30, 60 and 90. Each VM runs in
            group "vmware" until its wave day and its replacement runs in group "openstack" from
            two days before (the parallel run while the application is cut over and checked).
Sizes cycle through 2/8, 4/16, 8/32 and 4/16 vCPUs/GiB: a typical small-VM estate.
"""

DAY = 86400
SIZES = [(2, 8, 60), (4, 16, 100), (8, 32, 200), (4, 16, 100)]
HEADER = "id,group,start_s,end_s,vcpus,mem_gib,disk_gib\n"

with open("estate.csv", "w") as f:
    f.write(HEADER)
    for i in range(48):
        c, m, d = SIZES[i % 4]
        f.write(f"vm-{i:02},estate,0,,{c},{m},{d}\n")

with open("waves.csv", "w") as f:
    f.write(HEADER)
    for i in range(48):
        c, m, d = SIZES[i % 4]
        cut = 30 * (1 + i // 16) * DAY
        f.write(f"vm-{i:02},vmware,0,{cut},{c},{m},{d}\n")
        f.write(f"vm-{i:02}-kvm,openstack,{cut - 2 * DAY},,{c},{m},{d}\n")
